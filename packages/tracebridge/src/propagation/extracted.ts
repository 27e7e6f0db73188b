import {
  type Context,
  type SpanContext,
  trace,
  type TextMapGetter,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { describeError, warnOnce } from './diag.js';
import { EMPTY_CONTEXT } from './lean-context.js';
import { TRACEPARENT } from './names.js';
import { textMapGetter } from './propagator.js';
import { isValidSpanContext } from './w3c.js';

/** The format a context was read in. */
export const ContextFormat = {
  /** W3C Trace Context (and Baggage), or whatever the configured propagator reads. */
  W3C: 'w3c',
  /** An X-Ray trace header (`AWSTraceHeader`, EventBridge `TraceHeader`). */
  XRAY: 'xray',
  /** Datadog's `x-datadog-*` fields. */
  DATADOG: 'datadog',
} as const;
export type ContextFormat = (typeof ContextFormat)[keyof typeof ContextFormat];

/** A context read from a carrier. */
export interface ExtractedContext {
  readonly context: Context;
  readonly spanContext: SpanContext;
  readonly format: ContextFormat;
}

/**
 * Runs the propagator over a carrier and keeps the result only if it holds a valid span
 * context. A carrier that has a `traceparent` the propagator rejects is reported once.
 */
export function extractWithPropagator<Carrier>(
  carrier: Carrier,
  getter: TextMapGetter<Carrier>,
  propagator: TextMapPropagator,
): ExtractedContext | undefined {
  let context: Context;
  try {
    context = propagator.extract(EMPTY_CONTEXT, carrier, getter);
  } catch (error) {
    warnOnce(
      'propagator-threw',
      `the propagator threw while extracting; ignored (${describeError(error)})`,
    );
    return undefined;
  }
  const spanContext = trace.getSpanContext(context);
  if (spanContext && isValidSpanContext(spanContext)) {
    return { context, spanContext, format: ContextFormat.W3C };
  }
  if (getter.get(carrier, TRACEPARENT) !== undefined) {
    warnOnce(
      'malformed-traceparent',
      'ignored a malformed traceparent; the record starts a new trace',
    );
  }
  return undefined;
}

/** Wraps a span context read by a non-propagator parser (X-Ray, Datadog) as a context. */
export function contextFromSpanContext(
  spanContext: SpanContext | undefined,
  format: ContextFormat,
): ExtractedContext | undefined {
  if (!spanContext) return undefined;
  return { context: trace.setSpanContext(EMPTY_CONTEXT, spanContext), spanContext, format };
}

/** Where in a record its context was found. */
export const ContextCarrier = {
  /** W3C message attributes of an SQS message (also SNS raw delivery) or an SNS message. */
  MESSAGE_ATTRIBUTES: 'message-attributes',
  /** Message attributes inside an SNS notification that SQS delivered as the body. */
  SNS_ENVELOPE: 'sns-envelope',
  /** The SQS `AWSTraceHeader` system attribute. */
  AWS_TRACE_HEADER: 'aws-trace-header',
  /** The `_otel` key of a JSON payload (Kinesis data, message body, EventBridge detail). */
  JSON_PAYLOAD: 'json-payload',
  /** The tracebridge binary envelope around non-JSON data. */
  BINARY_ENVELOPE: 'binary-envelope',
  /** Datadog's `_datadog` message attribute or JSON key. */
  DATADOG: 'datadog',
  /** `traceparent` and `tracestate` keys of a CloudEvent in structured JSON mode. */
  CLOUDEVENTS: 'cloudevents',
  /** The `_otel` attribute of a DynamoDB stream record's image. */
  DYNAMODB_IMAGE: 'dynamodb-image',
  /** No context: the record starts a new trace. */
  NONE: 'none',
} as const;
export type ContextCarrier = (typeof ContextCarrier)[keyof typeof ContextCarrier];

/** A context and where it was found. */
export interface FoundContext {
  readonly extracted: ExtractedContext;
  readonly carrier: ContextCarrier;
}

/**
 * Runs the propagator over a text map (an `_otel` member, a binary envelope header, a DynamoDB
 * image's `_otel`, a CloudEvent) and says where the context was found.
 */
export function contextFromTextMap(
  textMap: Readonly<Record<string, unknown>>,
  propagator: TextMapPropagator,
  carrier: ContextCarrier,
): FoundContext | undefined {
  const extracted = extractWithPropagator(textMap, textMapGetter, propagator);
  return extracted ? { extracted, carrier } : undefined;
}
