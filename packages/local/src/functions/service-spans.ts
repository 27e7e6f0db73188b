// The spans the Lambda service itself emits for every traced invocation. In X-Ray they are two
// segments, both named after the function: the service's (origin `AWS::Lambda`) and, under it,
// the function's (origin `AWS::Lambda::Function`), whose id Lambda hands to the function as the
// `Parent` in `_X_AMZN_TRACE_ID`. Each invocation starts a new trace, which is why a consumer's
// invocation trace dangles apart from the message traces it continues.
//
// OpenTelemetry has no name for a segment's origin. The collector's X-Ray receiver turns each
// segment into a SERVER span named after the segment with `service.name` = the segment name, and
// keeps other segment fields as `aws.xray.*` attributes (`aws.xray.inprogress`,
// `aws.xray.resource_arn`, …); it drops the origin. So the spans here take the same shape and
// carry the origin, in the words X-Ray users know, as `aws.xray.origin`.

import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { formatXRayHeader } from 'tracebridge';
import { XRayIdGenerator } from 'tracebridge/setup';

import {
  type FunctionSpec,
  type InvocationResult,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
} from '../model.js';
import { FUNCTION_VERSION, functionArn } from './environment.js';
import { passThroughTraceHeader } from './xray.js';

/** The span attribute that says which X-Ray segment a Lambda service span stands for. */
export const XRAY_ORIGIN_ATTRIBUTE = 'aws.xray.origin';

/** X-Ray's origins of the two segments Lambda emits per traced invocation. */
export const LambdaOrigin = {
  /** The Lambda service handling the Invoke request. */
  Service: 'AWS::Lambda',
  /** The function's execution environment running the handler. */
  Function: 'AWS::Lambda::Function',
} as const;
export type LambdaOrigin = (typeof LambdaOrigin)[keyof typeof LambdaOrigin];

const SCOPE_NAME = '@tracebridge/local';

/** One invocation's service spans, from its start to its result. */
export interface InvocationTrace {
  /** What the function receives in `_X_AMZN_TRACE_ID`. */
  readonly traceHeader: string;
  /** Ends the spans, with an error status unless the result is `ok`. */
  end(result: InvocationResult, coldStart: boolean): void;
}

/** Emits the Lambda service's spans of every invocation, one tracer provider per function. */
export interface ServiceSpans {
  start(spec: FunctionSpec, requestId: string): InvocationTrace;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
}

/**
 * Creates the emitter of the Lambda service's spans. Each function gets its own provider, so that
 * the spans carry the function's resource (`service.name` = the function name,
 * `cloud.platform` = `aws_lambda`), with X-Ray trace ids, always sampled, exported span by span
 * to `exporter` as each invocation ends. Without an exporter the spans are still created (the
 * trace header stays valid) and go nowhere. A function with `Tracing: PassThrough` gets no spans
 * and a header with a `Root` only, as Lambda does when nothing upstream sampled the request.
 *
 * @example
 * ```ts
 * const spans = createServiceSpans(new InMemorySpanExporter());
 * const invocation = spans.start(producerSpec, randomUUID());
 * // … run the function with _X_AMZN_TRACE_ID = invocation.traceHeader …
 * invocation.end(result, true);
 * ```
 */
export function createServiceSpans(exporter: SpanExporter | undefined): ServiceSpans {
  const providers = new Map<string, BasicTracerProvider>();
  const ids = new XRayIdGenerator();

  const providerOf = (spec: FunctionSpec): BasicTracerProvider => {
    let provider = providers.get(spec.functionName);
    if (provider === undefined) {
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          'service.name': spec.functionName,
          'cloud.provider': 'aws',
          'cloud.platform': 'aws_lambda',
          'cloud.region': LOCAL_REGION,
          'cloud.account.id': LOCAL_ACCOUNT_ID,
          'cloud.resource_id': functionArn(spec.functionName),
          'faas.name': spec.functionName,
          'faas.version': FUNCTION_VERSION,
        }),
        idGenerator: ids,
        sampler: new AlwaysOnSampler(),
        spanProcessors: exporter ? [new SimpleSpanProcessor(exporter)] : [],
      });
      providers.set(spec.functionName, provider);
    }
    return provider;
  };

  return {
    start(spec, requestId) {
      if (spec.tracing === 'PassThrough') {
        return { traceHeader: passThroughTraceHeader(ids.generateTraceId()), end() {} };
      }
      const tracer = providerOf(spec).getTracer(SCOPE_NAME);
      const attributes = { 'faas.invocation_id': requestId };
      // A root span: every invocation starts a new trace, whatever the caller has active.
      const service = tracer.startSpan(spec.functionName, {
        kind: SpanKind.SERVER,
        root: true,
        attributes: {
          ...attributes,
          [XRAY_ORIGIN_ATTRIBUTE]: LambdaOrigin.Service,
          // X-Ray shows the request id on the service segment (`aws.request_id`).
          'aws.request_id': requestId,
        },
      });
      const fn = tracer.startSpan(
        spec.functionName,
        {
          kind: SpanKind.SERVER,
          attributes: { ...attributes, [XRAY_ORIGIN_ATTRIBUTE]: LambdaOrigin.Function },
        },
        trace.setSpan(ROOT_CONTEXT, service),
      );
      return {
        traceHeader: formatXRayHeader(fn.spanContext()),
        end(result, coldStart) {
          fn.setAttribute('faas.coldstart', coldStart);
          markFailure(fn, result, true);
          markFailure(service, result, false);
          fn.end();
          service.end();
        },
      };
    },
    async flush() {
      await Promise.all([...providers.values()].map((provider) => provider.forceFlush()));
    },
  };
}

function markFailure(span: Span, result: InvocationResult, recordException: boolean): void {
  if (result.status === 'ok') return;
  const message = `${result.errorType}: ${result.errorMessage}`;
  if (recordException)
    span.recordException({ name: result.errorType, message: result.errorMessage });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
