import type { FunctionInvoker, InvocationResult } from '../model.js';
import { describeError } from './polling.js';
import type { PollerContext } from './polling.js';
import type { Counters } from './stats.js';

/** What every poller's options have: the function it invokes, its context, its counters. */
export interface InvokingPoller {
  readonly source: { readonly functionName: string };
  readonly context: PollerContext;
  readonly counters: Counters;
}

/**
 * Invokes a function for a batch and waits for the result, or for `signal` to abort:
 * stopping the mappings must not wait out a function's timeout. The result of an
 * invocation overtaken by `stop()` is dropped, so its SQS messages come back after their
 * visibility timeout, as they would when a poller dies on AWS.
 *
 * An invoker that rejects (it could not run the function at all) counts as a crashed
 * invocation: the records are not lost, and the mapping retries them like any failure.
 *
 * @returns the result, or `undefined` when the mappings stopped first.
 *
 * @example
 * ```ts
 * const result = await invokeUntilStopped(invoker, 'consumer', event, signal);
 * if (result === undefined) return; // stopping
 * ```
 */
export async function invokeUntilStopped(
  invoker: FunctionInvoker,
  functionName: string,
  event: unknown,
  signal: AbortSignal,
): Promise<InvocationResult | undefined> {
  if (signal.aborted) return undefined;
  const started = Date.now();
  const invocation = invoker.invoke(functionName, event).then(
    (result) => result,
    (error: unknown): InvocationResult => ({
      status: 'crashed',
      errorType: 'InvokerError',
      errorMessage: `the function could not be invoked: ${describeError(error)}`,
      durationMs: Date.now() - started,
    }),
  );
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<undefined>((resolve) => {
    onAbort = () => {
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([invocation, stopped]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Counts a batch of `records` as delivered and invokes the poller's function with `event`,
 * through {@link invokeUntilStopped}.
 *
 * @example
 * ```ts
 * const result = await invokeBatch(options, { Records: records }, records.length);
 * if (result === undefined) return; // stopping
 * ```
 */
export function invokeBatch(
  poller: InvokingPoller,
  event: unknown,
  records: number,
): Promise<InvocationResult | undefined> {
  const { source, context, counters } = poller;
  counters.batches += 1;
  counters.delivered += records;
  return invokeUntilStopped(context.invoker, source.functionName, event, context.signal);
}

/**
 * One line describing a failed invocation, for logs.
 *
 * @example
 * ```ts
 * logger.warn(`${label}: batch failed (${describeFailure(result)})`);
 * ```
 */
export function describeFailure(result: InvocationResult): string {
  return result.status === 'ok'
    ? 'ok'
    : `${result.status}: ${result.errorType}: ${result.errorMessage}`;
}
