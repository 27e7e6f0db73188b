/**
 * Checks that code under test leaves its inputs and the process alone: deep-frozen inputs with
 * a snapshot to compare against, a spy on the OpenTelemetry diagnostic logger, and a snapshot of
 * `Object.prototype` for prototype-pollution tests.
 */
import { diag, type DiagLogger, DiagLogLevel, ROOT_CONTEXT } from '@opentelemetry/api';
import { expect } from 'vitest';
import { forgetWarnings } from '../propagation/diag.js';
import type { RecordContext, RecordPayload } from '../propagation/inspection.js';
import { extractRecordContext, recordPayload } from '../propagation/record.js';

/**
 * Freezes `value` and everything reachable from it. Typed arrays are skipped: JavaScript refuses
 * to freeze a view with elements, so a byte payload can only be checked against the snapshot.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  if (Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** A deep-frozen input and a structured clone taken before anything could touch it. */
export function frozen<T>(value: T): { readonly input: T; readonly snapshot: T } {
  const snapshot = structuredClone(value);
  return { input: deepFreeze(value), snapshot };
}

/** What `extractRecordContext` answers for a record that starts a new trace. */
export const NEW_TRACE = {
  carrier: 'none',
  format: undefined,
  spanContext: undefined,
  context: ROOT_CONTEXT,
} as const;

/** Reads a deep-frozen record's context and payload, and checks the record was not touched. */
export function extractFrozen(record: unknown): {
  extracted: RecordContext;
  payload: RecordPayload;
} {
  const { input, snapshot } = frozen(record);
  const extracted = extractRecordContext(input);
  const payload = recordPayload(input);
  expect(input).toEqual(snapshot);
  return { extracted, payload };
}

/**
 * Records every `diag.warn` and `diag.error` message; `reset()` also forgets which warnings were
 * given once.
 */
export interface DiagSpy {
  readonly warnings: string[];
  readonly errors: string[];
  reset(): void;
}

/** Registers a diag logger that records warnings and errors. Call once per test file. */
export function spyOnDiag(): DiagSpy {
  const warnings: string[] = [];
  const errors: string[] = [];
  const ignore = (): void => undefined;
  const logger: DiagLogger = {
    error: (message) => errors.push(message),
    warn: (message) => warnings.push(message),
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return {
    warnings,
    errors,
    reset: () => {
      warnings.length = 0;
      errors.length = 0;
      forgetWarnings();
    },
  };
}

/** Own property names and descriptors of `Object.prototype`, to prove it unchanged. */
export function objectPrototypeShape(): string[] {
  return Reflect.ownKeys(Object.prototype).map((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, key);
    return `${String(key)}:${typeof descriptor?.value}:${String(descriptor?.writable)}`;
  });
}

/** A record every property access of which throws, as a hostile or broken input would. */
export function throwingRecord(): object {
  const fail = (): never => {
    throw new Error('this record cannot be read');
  };
  return new Proxy(
    {},
    { get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail },
  );
}

/** Bytes as lowercase hex, so byte comparisons fail with a readable diff. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
