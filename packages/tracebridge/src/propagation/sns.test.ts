import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { frozen, spyOnDiag } from '../test-support/guards.js';
import {
  contextWith,
  numberedSpanContext,
  remoteSpanContext,
  snsAttribute,
  snsNotificationBody,
  snsRecord,
  snsRecordFromPublish,
  sqsRecord,
  sqsRecordFromPublish,
  traceparentOf,
} from '../test-support/records.js';
import { MAX_SQS_SNS_MESSAGE_BYTES } from './limits.js';
import { messageByteLength, type SdkMessageAttribute } from './message-attributes.js';
import { extractRecordContext, recordPayload } from './record.js';
import { injectSnsMessage, type SnsMessageInput } from './sns.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const span = remoteSpanContext();
const fullContext = contextWith(span, { traceState: 'vendor=opaque', baggage: { tenant: 'acme' } });
const string = (value: string): SdkMessageAttribute => ({ DataType: 'String', StringValue: value });
const TOPIC = 'arn:aws:sns:us-east-2:123456789012:orders-topic';

describe('injectSnsMessage', () => {
  it('writes traceparent, tracestate and baggage String attributes and nothing else', () => {
    const publish: SnsMessageInput & { TopicArn: string } = { TopicArn: TOPIC, Message: 'hello' };
    const message = injectSnsMessage(publish, fullContext);
    expect(message).toEqual({
      TopicArn: TOPIC,
      Message: 'hello',
      MessageAttributes: {
        traceparent: string(traceparentOf(span)),
        tracestate: string('vendor=opaque'),
        baggage: string('tenant=acme'),
      },
    });
  });

  it('returns the message itself without a span or when the user set traceparent', () => {
    const plain = { Message: 'x' };
    expect(injectSnsMessage<SnsMessageInput>(plain, ROOT_CONTEXT)).toBe(plain);
    const own = {
      Message: 'x',
      MessageAttributes: { traceparent: string(traceparentOf(numberedSpanContext(1))) },
    };
    expect(injectSnsMessage<SnsMessageInput>(own, fullContext)).toBe(own);
  });

  it('never mutates a frozen PublishBatch entry', () => {
    const { input, snapshot } = frozen({
      Id: '1',
      Message: 'x',
      MessageAttributes: { own: string('1') },
    });
    const message = injectSnsMessage<SnsMessageInput>(input, fullContext);
    expect(input).toEqual(snapshot);
    expect(Object.keys(message.MessageAttributes ?? {})).toEqual([
      'own',
      'traceparent',
      'tracestate',
      'baggage',
    ]);
  });

  it.each([
    [8, ['traceparent', 'tracestate']],
    [9, ['traceparent']],
    [10, []],
  ])('with %i attributes set, adds only %j and warns once', (existing, added) => {
    const MessageAttributes: Record<string, SdkMessageAttribute> = {};
    for (let index = 0; index < existing; index++) MessageAttributes[`a${index}`] = string('1');
    for (let send = 0; send < 2; send++) {
      const message = injectSnsMessage<SnsMessageInput>(
        { Message: 'x', MessageAttributes },
        fullContext,
      );
      expect(Object.keys(message.MessageAttributes ?? {}).slice(existing)).toEqual(added);
      if (added.length === 0) expect(message.MessageAttributes).toBe(MessageAttributes);
    }
    expect(diagSpy.warnings).toHaveLength(1);
    expect(diagSpy.warnings[0]).toMatch(/SNS message had no room/);
  });

  it('keeps a message near 256 KiB within the limit', () => {
    const message = injectSnsMessage<SnsMessageInput>(
      { Message: 'é'.repeat(MAX_SQS_SNS_MESSAGE_BYTES / 2 - 20) },
      fullContext,
    );
    expect(message.MessageAttributes).toBeUndefined();
    expect(messageByteLength(message.Message, message.MessageAttributes)).toBeLessThanOrEqual(
      MAX_SQS_SNS_MESSAGE_BYTES,
    );
  });
});

describe('reading SNS', () => {
  const published = injectSnsMessage<SnsMessageInput>(
    { Message: '{"id":12345678901234567890123}' },
    fullContext,
  );

  it('reads an SNS record delivered to Lambda', () => {
    const record = snsRecordFromPublish(published);
    const extracted = extractRecordContext(record);
    expect(extracted).toMatchObject({
      carrier: 'message-attributes',
      format: 'w3c',
      recordSource: 'aws:sns',
      wrapped: undefined,
      spanContext: { traceId: span.traceId, spanId: span.spanId, isRemote: true },
    });
    expect(propagation.getBaggage(extracted.context)?.getEntry('tenant')?.value).toBe('acme');
    expect(recordPayload(record).text).toBe('{"id":12345678901234567890123}');
  });

  it('reads a non-raw notification in an SQS body, with the SNS Message as payload', () => {
    const record = sqsRecordFromPublish(published, { raw: false });
    expect(record.body).toContain('"Type" : "Notification"');
    expect(extractRecordContext(record)).toMatchObject({
      carrier: 'sns-envelope',
      format: 'w3c',
      recordSource: 'aws:sqs',
      wrapped: 'sns',
      spanContext: { traceId: span.traceId, spanId: span.spanId },
    });
    expect(recordPayload(record).text).toBe('{"id":12345678901234567890123}');
  });

  it('reads raw delivery, where SNS attributes became SQS message attributes', () => {
    const record = sqsRecordFromPublish(published, { raw: true });
    expect(record.messageAttributes.traceparent?.dataType).toBe('String');
    expect(extractRecordContext(record)).toMatchObject({
      carrier: 'message-attributes',
      recordSource: 'aws:sqs',
      wrapped: undefined,
      spanContext: { spanId: span.spanId },
    });
    expect(recordPayload(record).text).toBe(published.Message);
  });

  it('reads _otel in the SNS message when there are no attributes', () => {
    const other = numberedSpanContext(4);
    const message = `{"_otel":{"traceparent":"${traceparentOf(other)}"},\t"a" :1}`;
    for (const record of [
      snsRecord({ Sns: { Message: message } }),
      sqsRecord({ body: snsNotificationBody({ Message: message }) }),
    ]) {
      expect(extractRecordContext(record)).toMatchObject({
        carrier: 'json-payload',
        spanContext: { spanId: other.spanId },
      });
      expect(recordPayload(record).text).toBe('{\t"a" :1}');
    }
  });

  it('ignores SNS attributes that are not String attributes', () => {
    const record = snsRecord({
      Sns: { MessageAttributes: { traceparent: snsAttribute(traceparentOf(span), 'Binary') } },
    });
    expect(extractRecordContext(record).carrier).toBe('none');
  });

  it.each([
    ['a subscription confirmation', snsNotificationBody({ Type: 'SubscriptionConfirmation' })],
    [
      'an envelope whose Message is not a string',
      '{"Type":"Notification","TopicArn":"t","Message":{"a":1}}',
    ],
    ['a truncated envelope', snsNotificationBody().slice(0, 120)],
  ])('treats %s as a plain body', (_name, body) => {
    const record = sqsRecord({ body });
    expect(extractRecordContext(record)).toMatchObject({ carrier: 'none', wrapped: undefined });
    expect(recordPayload(record).text).toBe(body);
  });

  it('gives back any message exactly, in every delivery mode (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.json()), (text) => {
        const message = injectSnsMessage<SnsMessageInput>({ Message: text }, fullContext);
        for (const record of [
          snsRecordFromPublish(message),
          sqsRecordFromPublish(message, { raw: true }),
          sqsRecordFromPublish(message, { raw: false }),
        ]) {
          expect(recordPayload(record).text).toBe(text);
          expect(extractRecordContext(record).spanContext?.spanId).toBe(span.spanId);
        }
      }),
      { numRuns: 300 },
    );
  });
});
