import {
  type Attributes,
  type Context,
  context as otelContext,
  diag,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  trace,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { describeError } from '../propagation/diag.js';
import { EMPTY_CONTEXT } from '../propagation/lean-context.js';
import { parseXRayHeader } from '../propagation/xray.js';
import { currentRegistration } from '../setup/registry.js';
import { TRACEBRIDGE_SCOPE, TRACEBRIDGE_VERSION } from '../version.js';

/** Environment variable in which Lambda passes each invocation's X-Ray trace header. */
const LAMBDA_TRACE_HEADER_ENV = '_X_AMZN_TRACE_ID';

/**
 * Time kept back from the invocation's deadline when flushing, so the handler still returns
 * before Lambda's timeout cuts it off (serialising the response and the runtime API call take a
 * few milliseconds).
 */
export const DEFAULT_FLUSH_MARGIN_MS = 50;

/** Where the invocation span's parent comes from. */
export type InvocationParent =
  /** The Lambda service's own trace, from `_X_AMZN_TRACE_ID` (the default). */
  | 'lambda'
  /** No parent: every invocation starts a new trace. */
  | 'none'
  /** A custom extractor, e.g. for an HTTP event's `traceparent` header. */
  | ((event: unknown, context: LambdaContext) => Context);

/** Options shared by every wrapper. */
export interface InvocationOptions {
  /** Provider of the tracer and of the flush; the global provider by default. */
  readonly tracerProvider?: TracerProvider;
  /** Parent of the invocation span; `'lambda'` by default. */
  readonly invocationParent?: InvocationParent;
  /** Milliseconds kept back from the deadline when flushing; {@link DEFAULT_FLUSH_MARGIN_MS} by default. */
  readonly flushMarginMs?: number;
  /** `faas.trigger` of the invocation span; guessed from the event when absent. */
  readonly trigger?: 'datasource' | 'http' | 'pubsub' | 'timer' | 'other';
}

let coldStart = true;

/** The account id in a Lambda function ARN (`arn:aws:lambda:region:account:function:name`). */
function accountOf(functionArn: string): string | undefined {
  const account = functionArn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function lambdaParent(): Context {
  const header = process.env[LAMBDA_TRACE_HEADER_ENV];
  const spanContext = header ? parseXRayHeader(header) : undefined;
  return spanContext ? trace.setSpanContext(EMPTY_CONTEXT, spanContext) : EMPTY_CONTEXT;
}

/**
 * The invocation span's parent context. Without a parent it is tracebridge's empty context, not
 * the API's `ROOT_CONTEXT`: setting the invocation span on the API's context copies a `Map` and
 * makes three closures on every invocation (0.12 µs less per message in batches of 10 in a busy
 * process, two sets of 10 interleaved runs of bench/child/consumer-cost.mjs, 2026-11-24).
 */
function parentContext(parent: InvocationParent, event: unknown, context: LambdaContext): Context {
  if (parent === 'none') return EMPTY_CONTEXT;
  if (parent === 'lambda') return lambdaParent();
  try {
    return parent(event, context);
  } catch (error) {
    diag.warn(
      `tracebridge: the invocation parent extractor threw; the invocation starts a new trace (${describeError(error)})`,
    );
    return EMPTY_CONTEXT;
  }
}

/**
 * Links from the invocation span to message contexts, at most. The OpenTelemetry SDK keeps 128
 * links per span by default (`OTEL_SPAN_LINK_COUNT_LIMIT`), and the largest Lambda batches
 * (10,000 SQS messages) would make one span of megabytes; each record span still links back.
 */
export const MAX_INVOCATION_LINKS = 128;

/** Links to the first {@link MAX_INVOCATION_LINKS} message contexts, skipping records without one. */
export function messageLinks(spanContexts: Iterable<SpanContext | undefined>): Link[] {
  const links: Link[] = [];
  for (const spanContext of spanContexts) {
    if (links.length >= MAX_INVOCATION_LINKS) break;
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}

/**
 * The tracer of every span a wrapper starts. Taken once, when the wrapper is made: the global
 * provider's tracer is a proxy that follows a provider registered later (by `initTracing`).
 */
export function wrapperTracer(options: InvocationOptions): Tracer {
  return (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    TRACEBRIDGE_SCOPE,
    TRACEBRIDGE_VERSION,
  );
}

/** Starts the SERVER span of one invocation, following the OpenTelemetry FaaS conventions. */
export function startInvocationSpan(
  tracer: Tracer,
  event: unknown,
  lambdaContext: LambdaContext,
  options: InvocationOptions,
  extra: { trigger: string; attributes?: Attributes; links?: Link[] },
): { span: Span; context: Context } {
  const parent = parentContext(options.invocationParent ?? 'lambda', event, lambdaContext);
  const functionArn = lambdaContext.invokedFunctionArn;
  const attributes: Attributes = {
    'faas.trigger': options.trigger ?? extra.trigger,
    'faas.invocation_id': lambdaContext.awsRequestId,
    'faas.coldstart': coldStart,
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_lambda',
  };
  // Not a spread in the literal: a literal that spreads and then gains the fields below takes
  // V8's slow path on Node 20 (see `copyWith`).
  if (extra.attributes) Object.assign(attributes, extra.attributes);
  if (functionArn) {
    currentRegistration()?.recordFunctionArn(functionArn);
    attributes['cloud.resource_id'] = functionArn;
    const account = accountOf(functionArn);
    if (account) attributes['cloud.account.id'] = account;
  }
  coldStart = false;
  const name = lambdaContext.functionName || process.env.AWS_LAMBDA_FUNCTION_NAME || 'lambda';
  const span = tracer.startSpan(
    name,
    { kind: SpanKind.SERVER, attributes, links: extra.links ?? [] },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `work` with `context` active. */
export function runIn<T>(context: Context, work: () => T): T {
  return otelContext.with(context, work);
}
