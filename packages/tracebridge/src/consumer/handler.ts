import type { Callback, Context as LambdaContext } from 'aws-lambda';
import { recordSourceOf } from '../propagation/record.js';
import { RecordSource } from '../propagation/inspection.js';
import { isPlainRecord, ownProperty } from '../propagation/propagator.js';
import { guardTimeout } from './flush.js';
import { type InvocationOptions, runIn, startInvocationSpan, wrapperTracer } from './invocation.js';

/** A Lambda handler in either style: async, or with a callback as the third argument. */
export type AnyHandler<Event, Result> =
  | ((event: Event, context: LambdaContext) => Promise<Result>)
  | ((event: Event, context: LambdaContext, callback: Callback<Result>) => void);

/** Options of {@link tracedHandler}. */
export type TracedHandlerOptions = InvocationOptions;

/** `faas.trigger` for an event, per the OpenTelemetry FaaS conventions. */
export function triggerOf(event: unknown): string {
  const records = ownProperty(event, 'Records');
  const first: unknown = Array.isArray(records) ? records[0] : event;
  switch (recordSourceOf(first)) {
    case RecordSource.SQS:
    case RecordSource.SNS:
    case RecordSource.KINESIS:
    case RecordSource.EVENTBRIDGE:
      return ownProperty(first, 'detail-type') === 'Scheduled Event' ? 'timer' : 'pubsub';
    case RecordSource.DYNAMODB:
      return 'datasource';
    case RecordSource.UNKNOWN:
      return isPlainRecord(event) && ('httpMethod' in event || 'requestContext' in event)
        ? 'http'
        : 'other';
  }
}

/** Calls a handler of either style and returns its result as a promise. */
function callHandler<Event, Result>(
  handler: AnyHandler<Event, Result>,
  event: Event,
  context: LambdaContext,
): Promise<Result> {
  if (handler.length < 3) {
    return Promise.resolve(
      (handler as (event: Event, context: LambdaContext) => Promise<Result>)(event, context),
    );
  }
  return new Promise<Result>((resolve, reject) => {
    const callback: Callback<Result> = (error, result) => {
      if (error === undefined || error === null) {
        resolve(result as Result);
        return;
      }
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- Lambda reports whatever the callback was given (an Error or a string); it passes on unchanged.
      reject(error);
    };
    try {
      const returned: unknown = handler(event, context, callback);
      if (returned instanceof Promise) returned.then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * Wraps any Lambda handler (async or callback style) in an invocation span: kind SERVER, the
 * OpenTelemetry FaaS attributes (`faas.trigger`, `faas.invocation_id`, `faas.coldstart`,
 * `cloud.resource_id`, `cloud.account.id`), parented on the Lambda service's trace from
 * `_X_AMZN_TRACE_ID` unless told otherwise. Errors are recorded and re-thrown unchanged. Every
 * invocation ends with a flush bounded by the remaining time, also when the handler throws or
 * the collector is unreachable, so no span is left in memory when Lambda freezes the process.
 * A handler still running shortly before its deadline has its invocation span ended as timed
 * out and the spans so far flushed, before Lambda stops it.
 * The returned handler is async, as the Node.js 24 runtime requires.
 *
 * @example
 * ```ts
 * import { tracedHandler } from 'tracebridge';
 * import { initTracing } from 'tracebridge/setup';
 *
 * initTracing();
 * export const handler = tracedHandler(async (event: { orderId: string }) => {
 *   return { accepted: event.orderId };
 * });
 * ```
 */
export function tracedHandler<Event, Result>(
  handler: AnyHandler<Event, Result>,
  options: TracedHandlerOptions = {},
): (event: Event, context: LambdaContext) => Promise<Result> {
  const tracer = wrapperTracer(options);
  return async (event, lambdaContext) => {
    const { span, context } = startInvocationSpan(tracer, event, lambdaContext, options, {
      trigger: triggerOf(event),
    });
    const timeout = guardTimeout(
      lambdaContext,
      span,
      options.tracerProvider,
      options.flushMarginMs,
    );
    try {
      return await runIn(context, () => callHandler(handler, event, lambdaContext));
    } catch (error) {
      timeout.fail(error);
      throw error;
    } finally {
      await timeout.finish();
    }
  };
}
