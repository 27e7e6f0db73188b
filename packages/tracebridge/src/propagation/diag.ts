import { diag, type Span, SpanStatusCode } from '@opentelemetry/api';

const alreadyWarned = new Set<string>();

/**
 * Warns once per process and topic through the OpenTelemetry diagnostic logger. Propagation
 * runs per message; repeating the same warning for every message would flood the logs.
 */
export function warnOnce(topic: string, message: string): void {
  if (alreadyWarned.has(topic)) return;
  alreadyWarned.add(topic);
  diag.warn(`tracebridge: ${message}`);
}

/**
 * Describes a thrown value. `String()` throws for some: an object without a prototype
 * (`Object.create(null)`), or one whose `toString` is not a function.
 */
export function describeError(error: unknown): string {
  try {
    return String(error);
  } catch {
    return 'an error that cannot be printed';
  }
}

/**
 * A thrown or rejected value as an `Error`: itself when it is one, else an `Error` whose message
 * describes it (without throwing for values `String()` cannot print).
 *
 * @example
 * asError('socket hang up').message; // 'socket hang up'
 */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(describeError(value));
}

/** @internal Lets tests observe a warning again. */
export function forgetWarnings(): void {
  alreadyWarned.clear();
}

/**
 * Marks a span as failed by a thrown or rejected value, with an exception event: the error
 * itself when it is an `Error`, else its description, described once.
 *
 * @example
 * recordFailure(span, new Error('payment declined'));
 */
export function recordFailure(span: Span, error: unknown): void {
  const isError = error instanceof Error;
  const description = isError ? error.message : describeError(error);
  span.recordException(isError ? error : description);
  span.setStatus({ code: SpanStatusCode.ERROR, message: description });
}
