import { context as otelContext, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { ContextCarrier } from './extracted.js';
import { contextTextMap, type InjectOptions } from './inject.js';
import { lazyPayload, type RecordInspection, recordContext, RecordSource } from './inspection.js';
import { readJsonPayload } from './json-context.js';
import { MAX_SQS_SNS_MESSAGE_BYTES } from './limits.js';
import {
  addContextAttributes,
  contextFromAttributes,
  messageByteLength,
  type SdkMessageAttribute,
} from './message-attributes.js';
import { copyWith, ownProperty, ownString } from './propagator.js';

/** The fields of a Publish input or a PublishBatch entry that carry a context. */
export interface SnsMessageInput {
  Message?: string | undefined;
  MessageAttributes?: Record<string, SdkMessageAttribute> | undefined;
}

/**
 * Returns a copy of an SNS message (Publish input or PublishBatch entry) that carries `context`
 * in W3C `traceparent`/`tracestate`/`baggage` String message attributes, as many as the
 * 10-attribute quota and the 256 KiB message size allow. SNS delivers them to SQS subscribers
 * as message attributes (raw delivery) or inside the notification (non-raw), and to Lambda in
 * the record. The input is never mutated and attributes the caller set are kept.
 *
 * @example
 * ```ts
 * import { PublishCommand } from '@aws-sdk/client-sns';
 * import { injectSnsMessage } from 'tracebridge';
 *
 * await sns.send(new PublishCommand(injectSnsMessage({ TopicArn, Message: 'hello' })));
 * ```
 */
export function injectSnsMessage<Message extends SnsMessageInput>(
  message: Message,
  context: Context = otelContext.active(),
  options: InjectOptions = {},
): Message & Pick<SnsMessageInput, 'MessageAttributes'> {
  return injectSnsMessageWithin(
    message,
    context,
    options.propagator,
    options.maxMessageBytes ?? MAX_SQS_SNS_MESSAGE_BYTES,
  );
}

/**
 * {@link injectSnsMessage} within `maxMessageBytes`, for a caller that may have measured the
 * message already (`messageBytes`), as the producer does for every entry of a batch.
 */
export function injectSnsMessageWithin<Message extends SnsMessageInput>(
  message: Message,
  context: Context,
  propagator: TextMapPropagator | undefined,
  maxMessageBytes: number,
  messageBytes?: number,
): Message & Pick<SnsMessageInput, 'MessageAttributes'> {
  const textMap = contextTextMap(context, propagator);
  if (!textMap) return message;
  const MessageAttributes = addContextAttributes(message.MessageAttributes, textMap, {
    messageBytes: messageBytes ?? messageByteLength(message.Message, message.MessageAttributes),
    maxMessageBytes,
    service: 'SNS',
    fallback:
      'the X-Amzn-Trace-Id request header (SNS forwards it when the topic has active tracing)',
  });
  return MessageAttributes === message.MessageAttributes
    ? message
    : copyWith(message, { MessageAttributes });
}

/**
 * Reads the context and payload of an SNS record delivered to Lambda: W3C or `_datadog` message
 * attributes first, then the `_otel`/`_datadog`/CloudEvents keys of a JSON message.
 */
export function inspectSnsRecord(record: unknown, propagator: TextMapPropagator): RecordInspection {
  const sns = ownProperty(record, 'Sns');
  const fromAttributes = contextFromAttributes(
    ownProperty(sns, 'MessageAttributes'),
    propagator,
    ContextCarrier.MESSAGE_ATTRIBUTES,
  );
  const reading = readJsonPayload(ownString(sns, 'Message') ?? '', propagator, !fromAttributes);
  return {
    context: recordContext(fromAttributes ?? reading.found, RecordSource.SNS),
    payload: lazyPayload({ text: reading.payload }),
  };
}
