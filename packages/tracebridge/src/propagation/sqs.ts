import {
  context as otelContext,
  type Context,
  trace,
  type TextMapPropagator,
} from '@opentelemetry/api';
import {
  ContextCarrier,
  ContextFormat,
  contextFromSpanContext,
  type FoundContext,
} from './extracted.js';
import { contextTextMap, type InjectOptions } from './inject.js';
import {
  lazyPayload,
  type RecordInspection,
  recordContext,
  RecordSource,
  WrappedEvent,
} from './inspection.js';
import { readJsonPayload } from './json-context.js';
import { findTopLevelValue, parseJsonObject } from './json-text.js';
import { MAX_SQS_SNS_MESSAGE_BYTES } from './limits.js';
import {
  addContextAttributes,
  contextFromAttributes,
  messageByteLength,
  type SdkMessageAttribute,
} from './message-attributes.js';
import { AWS_TRACE_HEADER } from './names.js';
import { copyWith, ownProperty, ownString } from './propagator.js';
import { formatXRayHeader, parseXRayHeader } from './xray.js';

/** An SQS system attribute as the SDK sends it (only `AWSTraceHeader` exists). */
export interface SdkMessageSystemAttribute {
  DataType: string | undefined;
  StringValue?: string | undefined;
  BinaryValue?: Uint8Array | undefined;
}

/** The fields of a SendMessage input or a SendMessageBatch entry that carry a context. */
export interface SqsMessageInput {
  MessageBody?: string | undefined;
  MessageAttributes?: Record<string, SdkMessageAttribute> | undefined;
  MessageSystemAttributes?: Record<string, SdkMessageSystemAttribute> | undefined;
}

/** The fields injection adds to an SQS message, typed even when the input lacked them. */
export type InjectedSqsMessage<Message> = Message &
  Pick<SqsMessageInput, 'MessageAttributes' | 'MessageSystemAttributes'>;

/**
 * Returns a copy of an SQS message (SendMessage input or SendMessageBatch entry) that carries
 * `context`: W3C `traceparent`/`tracestate`/`baggage` String message attributes, as many as the
 * 10-attribute quota and the message size allow, and the `AWSTraceHeader` system attribute in
 * X-Ray format, which does not count toward either. Attributes the caller set are kept as they
 * are; the input is never mutated; nothing here throws.
 *
 * @example
 * ```ts
 * import { SendMessageCommand } from '@aws-sdk/client-sqs';
 * import { injectSqsMessage } from 'tracebridge';
 *
 * await sqs.send(new SendMessageCommand(injectSqsMessage({ QueueUrl, MessageBody: '{"id":1}' })));
 * ```
 */
export function injectSqsMessage<Message extends SqsMessageInput>(
  message: Message,
  context: Context = otelContext.active(),
  options: InjectOptions = {},
): InjectedSqsMessage<Message> {
  return injectSqsMessageWithin(
    message,
    context,
    options.propagator,
    options.maxMessageBytes ?? MAX_SQS_SNS_MESSAGE_BYTES,
  );
}

/**
 * {@link injectSqsMessage} within `maxMessageBytes`, for a caller that may have measured the
 * message already (`messageBytes`): the producer measures every entry of a batch once, to share
 * the batch's limit between them, and the size is not measured again here.
 */
export function injectSqsMessageWithin<Message extends SqsMessageInput>(
  message: Message,
  context: Context,
  propagator: TextMapPropagator | undefined,
  maxMessageBytes: number,
  messageBytes?: number,
): InjectedSqsMessage<Message> {
  const textMap = contextTextMap(context, propagator);
  const spanContext = trace.getSpanContext(context);
  if (!textMap || !spanContext) return message;
  const MessageAttributes = addContextAttributes(message.MessageAttributes, textMap, {
    messageBytes: messageBytes ?? messageByteLength(message.MessageBody, message.MessageAttributes),
    maxMessageBytes,
    service: 'SQS',
    fallback: 'the AWSTraceHeader system attribute',
  });
  const MessageSystemAttributes =
    message.MessageSystemAttributes &&
    Object.hasOwn(message.MessageSystemAttributes, AWS_TRACE_HEADER)
      ? message.MessageSystemAttributes
      : {
          ...message.MessageSystemAttributes,
          [AWS_TRACE_HEADER]: { DataType: 'String', StringValue: formatXRayHeader(spanContext) },
        };
  return copyWith(message, { MessageAttributes, MessageSystemAttributes });
}

/** Envelope keys that tell an SNS notification or an EventBridge event apart from any body. */
const SNS_ENVELOPE_MARKER = '"TopicArn"';
const EVENTBRIDGE_ENVELOPE_MARKER = '"detail-type"';

interface BodyReading {
  readonly payload: string;
  readonly found: FoundContext | undefined;
  readonly wrapped: WrappedEvent | undefined;
}

function readSnsEnvelope(
  envelope: Record<string, unknown>,
  propagator: TextMapPropagator,
  search: boolean,
): BodyReading | undefined {
  const message = ownString(envelope, 'Message');
  if (ownString(envelope, 'Type') !== 'Notification' || message === undefined) return undefined;
  const fromAttributes = search
    ? contextFromAttributes(
        ownProperty(envelope, 'MessageAttributes'),
        propagator,
        ContextCarrier.SNS_ENVELOPE,
      )
    : undefined;
  const reading = readJsonPayload(message, propagator, search && !fromAttributes);
  return {
    payload: reading.payload,
    found: fromAttributes ?? reading.found,
    wrapped: WrappedEvent.SNS,
  };
}

function readEventBridgeEnvelope(
  body: string,
  propagator: TextMapPropagator,
  search: boolean,
): BodyReading | undefined {
  const detail = findTopLevelValue(body, 'detail');
  if (!detail) return undefined;
  const reading = readJsonPayload(body.slice(detail.start, detail.end), propagator, search);
  return { payload: reading.payload, found: reading.found, wrapped: WrappedEvent.EVENTBRIDGE };
}

/**
 * Reads an SQS body: an SNS notification (non-raw delivery) yields the SNS message, an
 * EventBridge event yields its `detail`, anything else is the body itself; in each case with
 * tracebridge's leading `_otel` member removed.
 */
function readSqsBody(body: string, propagator: TextMapPropagator, search: boolean): BodyReading {
  if (body.includes(SNS_ENVELOPE_MARKER) || body.includes(EVENTBRIDGE_ENVELOPE_MARKER)) {
    const envelope = parseJsonObject(body);
    if (envelope && ownString(envelope, 'TopicArn') !== undefined) {
      const sns = readSnsEnvelope(envelope, propagator, search);
      if (sns) return sns;
    }
    if (envelope && typeof ownProperty(envelope, 'detail-type') === 'string') {
      const eventBridge = readEventBridgeEnvelope(body, propagator, search);
      if (eventBridge) return eventBridge;
    }
  }
  const reading = readJsonPayload(body, propagator, search);
  // Not `{ ...reading, wrapped }`: adding a field to a spread copy takes V8's slow path (Node 20),
  // about 1 µs per record (see `copyWith`).
  return { payload: reading.payload, found: reading.found, wrapped: undefined };
}

/**
 * Reads the context and payload of an SQS record. The context is taken, in this order, from
 * W3C message attributes (also SNS raw delivery), a `_datadog` attribute, the attributes of an
 * SNS notification in the body, the `_otel`/`_datadog`/CloudEvents keys of a JSON body or of an
 * EventBridge event's detail, and last the `AWSTraceHeader` system attribute (which may name the
 * sending Lambda invocation rather than the send span when the producer used no tracebridge).
 */
export function inspectSqsRecord(record: unknown, propagator: TextMapPropagator): RecordInspection {
  const fromAttributes = contextFromAttributes(
    ownProperty(record, 'messageAttributes'),
    propagator,
    ContextCarrier.MESSAGE_ATTRIBUTES,
  );
  const body = readSqsBody(ownString(record, 'body') ?? '', propagator, !fromAttributes);
  const found =
    fromAttributes ??
    body.found ??
    xrayContext(ownString(ownProperty(record, 'attributes'), AWS_TRACE_HEADER));
  return {
    context: recordContext(found, RecordSource.SQS, body.wrapped),
    payload: lazyPayload({ text: body.payload }),
  };
}

function xrayContext(header: string | undefined): FoundContext | undefined {
  const extracted =
    header === undefined
      ? undefined
      : contextFromSpanContext(parseXRayHeader(header), ContextFormat.XRAY);
  return extracted ? { extracted, carrier: ContextCarrier.AWS_TRACE_HEADER } : undefined;
}
