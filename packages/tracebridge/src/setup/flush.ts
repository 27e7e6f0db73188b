// Flushing under a deadline. This module depends on @opentelemetry/api only: the consumer
// wrappers call flushTracing, and must not pull the SDK into a function whose application
// brought its own (ADOT, a vendor's).

import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { asError } from '../propagation/diag.js';
import { MAX_TIMER_MS, scheduleDeadline } from './deadlines.js';
import { TRACEBRIDGE_SCOPE } from '../version.js';
import { currentRegistration } from './registry.js';
import type { FlushResult } from './tracing.js';

/** How long a flush waits when given no deadline: as long as one OTLP export may take. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

const EXPORTED: FlushResult = { ok: true, timedOut: false };

function flushError(reason: unknown): Error {
  // The SDK's TracerProvider rejects a failed flush with an array of its processors' errors.
  if (Array.isArray(reason)) {
    const errors = reason.map(asError);
    return new AggregateError(errors, errors.map((error) => error.message).join('; '));
  }
  return asError(reason);
}

/**
 * A failed flush.
 *
 * @example
 * failed(new Error('connect ECONNREFUSED')); // { ok: false, timedOut: false, error }
 */
export function failed(reason: unknown): FlushResult {
  return { ok: false, timedOut: false, error: flushError(reason) };
}

/**
 * A flush deadline in milliseconds: the default for undefined or NaN, at least 0.
 *
 * @example
 * flushTimeout(context.getRemainingTimeInMillis() - 500);
 */
export function flushTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || Number.isNaN(timeoutMs)) return DEFAULT_FLUSH_TIMEOUT_MS;
  return Math.min(Math.max(timeoutMs, 0), MAX_TIMER_MS);
}

/**
 * Runs `work` and resolves with its result, or with a timed-out result once `timeoutMs` has
 * passed, whichever comes first. Never rejects; work still running goes on in the background.
 *
 * @example
 * const result = await withinDeadline(async () => { await provider.forceFlush(); return { ok: true, timedOut: false }; }, 2_000);
 */
export function withinDeadline(
  work: () => Promise<FlushResult>,
  timeoutMs: number,
): Promise<FlushResult> {
  return new Promise((resolve) => {
    // Keeps the process alive: a flush awaited at the end of a script waits for its deadline.
    const cancel = scheduleDeadline(
      timeoutMs,
      () => {
        resolve({
          ok: false,
          timedOut: true,
          error: new Error(`the flush did not finish within ${timeoutMs} ms`),
        });
      },
      true,
    );
    const settle = (result: FlushResult): void => {
      cancel();
      resolve(result);
    };
    // Started at once, not in a microtask of its own: each promise costs the AsyncLocalStorage
    // hooks a call, and this runs at the end of every invocation.
    let running: Promise<FlushResult>;
    try {
      running = work();
    } catch (reason) {
      settle(failed(reason));
      return;
    }
    running.then(settle, (reason: unknown) => {
      settle(failed(reason));
    });
  });
}

/**
 * The TracerProvider the application registered globally, if any (not the API's no-op one).
 *
 * @example
 * if (registeredProvider()) console.log('a provider is already registered');
 */
export function registeredProvider(): TracerProvider | undefined {
  // Duck-typed: the global may be the proxy of another copy of @opentelemetry/api.
  const global = trace.getTracerProvider() as TracerProvider & {
    getDelegate?: () => TracerProvider;
    getDelegateTracer?: (name: string) => Tracer | undefined;
  };
  if (typeof global.getDelegate !== 'function' || typeof global.getDelegateTracer !== 'function') {
    return global;
  }
  // Only a proxy with a registered provider behind it hands out a tracer of its own (asked
  // for under tracebridge's scope name, the tracer the consumer wrappers will use anyway).
  return global.getDelegateTracer(TRACEBRIDGE_SCOPE) === undefined
    ? undefined
    : global.getDelegate();
}

/**
 * Calls a provider's own `forceFlush`, if it has one, under the deadline.
 *
 * @example
 * await flushProvider(trace.getTracerProvider(), 2_000);
 */
export function flushProvider(provider: TracerProvider, timeoutMs?: number): Promise<FlushResult> {
  const flushable = provider as TracerProvider & { forceFlush?: unknown };
  const { forceFlush } = flushable;
  if (typeof forceFlush !== 'function') return Promise.resolve(EXPORTED);
  return withinDeadline(async () => {
    await (forceFlush as () => Promise<unknown>).call(flushable);
    return EXPORTED;
  }, flushTimeout(timeoutMs));
}

/**
 * Flushes whatever provider spans go to: the one `initTracing` set up (with its exporters'
 * exports in flight), else the application's own registered provider, within `timeoutMs`.
 * The consumer wrappers call it in a `finally` with the invocation's remaining time minus a
 * safety margin. Never rejects.
 *
 * @example
 * ```ts
 * import { flushTracing } from 'tracebridge/setup';
 *
 * try {
 *   return await handle(event);
 * } finally {
 *   await flushTracing(context.getRemainingTimeInMillis() - 500);
 * }
 * ```
 */
export function flushTracing(timeoutMs?: number): Promise<FlushResult> {
  const registration = currentRegistration();
  if (registration) return registration.tracing.forceFlush(timeoutMs);
  const provider = registeredProvider();
  return provider ? flushProvider(provider, timeoutMs) : Promise.resolve(EXPORTED);
}
