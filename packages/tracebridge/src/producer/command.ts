import type { Context } from '@opentelemetry/api';
import type { KinesisInjectOptions } from '../propagation/kinesis.js';
import { isPlainRecord, ownString } from '../propagation/propagator.js';

/** What the response says about one message of a call. */
export interface EntryResult {
  readonly messageId?: string | undefined;
  readonly error?: string | undefined;
  /** Kinesis shard the record went to. */
  readonly partition?: string | undefined;
}

/** How the middleware traces one AWS API operation that sends messages. */
export interface ProducerCommand {
  /** The AWS operation name, e.g. `SendMessageBatch`. */
  readonly operation: string;
  /** Queue, topic, stream or bus name for the span name and `messaging.destination.name`. */
  destination(input: Record<string, unknown>): string;
  /** Number of entries of a batch call; `undefined` for calls that send one message. */
  entryCount(input: Record<string, unknown>): number | undefined;
  /**
   * A copy of the input whose messages carry the contexts: one per entry for batch calls, one
   * for single-message calls.
   */
  inject(
    input: Record<string, unknown>,
    contexts: readonly Context[],
    options: KinesisInjectOptions,
  ): Record<string, unknown>;
  /** Per-message results, aligned with the entries (or a single one). */
  results(output: unknown, input: Record<string, unknown>): EntryResult[];
}

/** A service whose sends the middleware traces. */
export interface ProducerService {
  /** `messaging.system` value. */
  readonly system: string;
  /** `rpc.service` value, as OpenTelemetry's aws-sdk instrumentation writes it. */
  readonly rpcService: string;
  readonly commands: Readonly<Record<string, ProducerCommand>>;
}

/** The entries array of a batch input, each narrowed to an object. */
export function entriesOf(
  input: Record<string, unknown>,
  field: string,
): Record<string, unknown>[] {
  const entries = Object.hasOwn(input, field) ? input[field] : undefined;
  return Array.isArray(entries) ? entries.filter(isPlainRecord) : [];
}

/** The last segment of a URL path or ARN, which names the queue, topic, stream or bus. */
export function lastSegment(identifier: string | undefined, separators: RegExp): string {
  if (!identifier) return 'unknown';
  const parts = identifier.split(separators).filter((part) => part.length > 0);
  return parts.at(-1) ?? 'unknown';
}

/**
 * Results of the SQS and SNS batch operations, whose responses list `Successful` and `Failed`
 * entries by the `Id` the request gave them.
 */
export function resultsById(
  output: unknown,
  entries: readonly Record<string, unknown>[],
  messageIdField: string,
): EntryResult[] {
  const byId = new Map<string, EntryResult>();
  const successful =
    isPlainRecord(output) && Array.isArray(output.Successful) ? output.Successful : [];
  const failed = isPlainRecord(output) && Array.isArray(output.Failed) ? output.Failed : [];
  for (const entry of successful) {
    const id = ownString(entry, 'Id');
    if (id !== undefined) byId.set(id, { messageId: ownString(entry, messageIdField) });
  }
  for (const entry of failed) {
    const id = ownString(entry, 'Id');
    if (id !== undefined) {
      byId.set(id, {
        error: `${ownString(entry, 'Code') ?? 'Failed'}: ${ownString(entry, 'Message') ?? ''}`,
      });
    }
  }
  return entries.map((entry) => byId.get(ownString(entry, 'Id') ?? '') ?? {});
}

/**
 * Injects the entries of a batch request whose entries share one size limit (SQS and SNS
 * `BatchRequestTooLong`, the 5 MiB of Kinesis PutRecords, the 256 KiB of EventBridge PutEvents):
 * each entry may only grow into the room the entries before it left, and never past
 * `maxEntryBytes`. Every entry is measured once; `inject` gets the most its entry may grow to and
 * the size it has, and `grownBy` measures what injection changed (the whole entry by default).
 */
export function injectWithinRequest<Entry>(
  entries: readonly Entry[],
  limits: { readonly maxRequestBytes: number; readonly maxEntryBytes: number },
  sizeOf: (entry: Entry) => number,
  inject: (entry: Entry, index: number, maxEntryBytes: number, entryBytes: number) => Entry,
  grownBy: (entry: Entry, injected: Entry, entryBytes: number) => number = (
    _entry,
    injected,
    entryBytes,
  ) => sizeOf(injected) - entryBytes,
): Entry[] {
  const sizes = entries.map(sizeOf);
  let requestBytes = sizes.reduce((sum, bytes) => sum + bytes, 0);
  return entries.map((entry, index) => {
    const entryBytes = sizes[index] ?? 0;
    const room = Math.max(limits.maxRequestBytes - requestBytes, 0);
    const injected = inject(
      entry,
      index,
      Math.min(limits.maxEntryBytes, entryBytes + room),
      entryBytes,
    );
    if (injected !== entry) requestBytes += grownBy(entry, injected, entryBytes);
    return injected;
  });
}
