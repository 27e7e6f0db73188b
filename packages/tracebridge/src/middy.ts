import type { Context } from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { guardTimeout, type TimeoutGuard } from './consumer/flush.js';
import { triggerOf } from './consumer/handler.js';
import {
  type InvocationOptions,
  messageLinks,
  startInvocationSpan,
  wrapperTracer,
} from './consumer/invocation.js';
import { ownProperty } from './propagation/propagator.js';
import { extractRecordContext } from './propagation/record.js';

/** The part of a middy request this middleware reads; middy's own type is a superset. */
export interface MiddyRequestLike {
  event: unknown;
  context: LambdaContext;
  error?: unknown;
}

/** A middy middleware object, typed without depending on middy. */
export interface MiddyMiddlewareLike<Request extends MiddyRequestLike = MiddyRequestLike> {
  before: (request: Request) => Promise<void>;
  after: (request: Request) => Promise<void>;
  onError: (request: Request) => Promise<void>;
}

const invocations = new WeakMap<LambdaContext, { timeout: TimeoutGuard; context: Context }>();

/**
 * The OpenTelemetry context of the invocation span that {@link tracebridgeMiddleware} started
 * for this Lambda context. middy's hooks cannot make a span active around the handler (the
 * OpenTelemetry API has no "enter" operation), so a handler that wants its own spans under the
 * invocation span passes this context explicitly.
 *
 * @example
 * ```ts
 * import { context, trace } from '@opentelemetry/api';
 * import { invocationContext } from 'tracebridge/middy';
 *
 * const handler = async (event: unknown, lambdaContext: LambdaContext) =>
 *   context.with(invocationContext(lambdaContext) ?? context.active(), () => work(event));
 * ```
 */
export function invocationContext(lambdaContext: LambdaContext): Context | undefined {
  return invocations.get(lambdaContext)?.context;
}

/**
 * A middy middleware that gives every invocation its span (as {@link tracedHandler} does: FaaS
 * attributes, parent from `_X_AMZN_TRACE_ID`, links to the contexts of the event's records) and
 * flushes before the handler's response goes back, after success and after errors alike.
 * For per-record spans and partial batch responses, use `tracedRecordHandler` as the handler.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { tracebridgeMiddleware } from 'tracebridge/middy';
 *
 * export const handler = middy(baseHandler).use(tracebridgeMiddleware());
 * ```
 */
export function tracebridgeMiddleware<Request extends MiddyRequestLike = MiddyRequestLike>(
  options: InvocationOptions = {},
): MiddyMiddlewareLike<Request> {
  const tracer = wrapperTracer(options);
  const finish = async (request: Request, error?: unknown): Promise<void> => {
    const invocation = invocations.get(request.context);
    if (!invocation) return;
    invocations.delete(request.context);
    if (error !== undefined) invocation.timeout.fail(error);
    await invocation.timeout.finish();
  };
  return {
    before: (request) => {
      const records = ownProperty(request.event, 'Records');
      const links = messageLinks(
        (Array.isArray(records) ? (records as unknown[]) : []).map(
          (record) => extractRecordContext(record).spanContext,
        ),
      );
      const { span, context } = startInvocationSpan(
        tracer,
        request.event,
        request.context,
        options,
        {
          trigger: triggerOf(request.event),
          links,
        },
      );
      const timeout = guardTimeout(
        request.context,
        span,
        options.tracerProvider,
        options.flushMarginMs,
      );
      invocations.set(request.context, { context, timeout });
      return Promise.resolve();
    },
    after: (request) => finish(request),
    onError: (request) => finish(request, request.error),
  };
}
