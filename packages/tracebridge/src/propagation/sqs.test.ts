import { propagation, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { frozen, spyOnDiag } from '../test-support/guards.js';
import {
  contextWith,
  eventBridgeEventBody,
  numberedSpanContext,
  remoteSpanContext,
  snsAttribute,
  snsNotificationBody,
  sqsAttribute,
  sqsRecord,
  sqsRecordFromSend,
  traceparentOf,
  xrayHeaderOf,
} from '../test-support/records.js';
import { MAX_SQS_SNS_MESSAGE_BYTES } from './limits.js';
import { messageByteLength, type SdkMessageAttribute } from './message-attributes.js';
import { extractRecordContext, recordPayload } from './record.js';
import { injectSqsMessage, type SqsMessageInput } from './sqs.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const span = remoteSpanContext();
const fullContext = contextWith(span, {
  traceState: 'vendor=opaque,other=1',
  baggage: { tenant: 'acme', user: 'alice b' },
});
const string = (value: string): SdkMessageAttribute => ({ DataType: 'String', StringValue: value });

function withAttributes(count: number): SqsMessageInput {
  const MessageAttributes: Record<string, SdkMessageAttribute> = {};
  for (let index = 0; index < count; index++)
    MessageAttributes[`attr${index}`] = string(`${index}`);
  return { MessageBody: '{"order":1}', MessageAttributes };
}

describe('injectSqsMessage', () => {
  it('writes traceparent, tracestate and baggage as String attributes and AWSTraceHeader', () => {
    const message = injectSqsMessage<SqsMessageInput>({ MessageBody: 'hello' }, fullContext);
    expect(message.MessageBody).toBe('hello');
    expect(message.MessageAttributes).toEqual({
      traceparent: string(traceparentOf(span)),
      tracestate: string('vendor=opaque,other=1'),
      baggage: string('tenant=acme,user=alice%20b'),
    });
    expect(message.MessageSystemAttributes).toEqual({
      AWSTraceHeader: string(
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      ),
    });
  });

  it('carries the sampling decision in both formats', () => {
    const unsampled = remoteSpanContext({ traceFlags: TraceFlags.NONE });
    const message = injectSqsMessage<SqsMessageInput>({ MessageBody: 'x' }, contextWith(unsampled));
    expect(message.MessageAttributes?.traceparent?.StringValue).toMatch(/-00$/);
    expect(message.MessageSystemAttributes?.AWSTraceHeader?.StringValue).toMatch(/;Sampled=0$/);
  });

  it('returns the message itself when the context has no valid span', () => {
    const message = { MessageBody: 'x' };
    expect(injectSqsMessage<SqsMessageInput>(message, ROOT_CONTEXT)).toBe(message);
    const invalid = contextWith(remoteSpanContext({ traceId: '0'.repeat(32) }));
    expect(injectSqsMessage<SqsMessageInput>(message, invalid)).toBe(message);
  });

  it('never mutates a frozen input, its attributes or its system attributes', () => {
    const { input, snapshot } = frozen({
      QueueUrl: 'https://sqs.us-east-2.amazonaws.com/123456789012/orders',
      MessageBody: 'x',
      MessageAttributes: { own: string('1') },
      MessageSystemAttributes: {},
    });
    const message = injectSqsMessage<SqsMessageInput>(input, fullContext);
    expect(input).toEqual(snapshot);
    expect(message).not.toBe(input);
    expect(Object.keys(message.MessageAttributes ?? {})).toEqual([
      'own',
      'traceparent',
      'tracestate',
      'baggage',
    ]);
  });

  it('keeps a traceparent attribute the user set, and adds none of its companions', () => {
    const own = { traceparent: string(traceparentOf(numberedSpanContext(1))) };
    const message = injectSqsMessage<SqsMessageInput>(
      { MessageBody: 'x', MessageAttributes: own },
      fullContext,
    );
    expect(message.MessageAttributes).toBe(own);
    expect(message.MessageSystemAttributes?.AWSTraceHeader?.StringValue).toBe(xrayHeaderOf(span));
  });

  it('keeps an AWSTraceHeader the user set', () => {
    const AWSTraceHeader = string(xrayHeaderOf(numberedSpanContext(2)));
    const message = injectSqsMessage<SqsMessageInput>(
      { MessageBody: 'x', MessageSystemAttributes: { AWSTraceHeader } },
      fullContext,
    );
    expect(message.MessageSystemAttributes?.AWSTraceHeader).toBe(AWSTraceHeader);
    expect(message.MessageAttributes?.traceparent).toEqual(string(traceparentOf(span)));
  });
});

describe('the 10-attribute quota', () => {
  it.each([
    [7, ['traceparent', 'tracestate', 'baggage'], 0],
    [8, ['traceparent', 'tracestate'], 1],
    [9, ['traceparent'], 1],
    [10, [], 1],
  ])('with %i attributes set, adds %j and warns %i time(s)', (existing, added, warnings) => {
    for (let send = 0; send < 3; send++) {
      const message = injectSqsMessage<SqsMessageInput>(withAttributes(existing), fullContext);
      const names = Object.keys(message.MessageAttributes ?? {});
      expect(names.slice(existing)).toEqual(added);
      expect(names).toHaveLength(Math.min(existing + added.length, 10));
      expect(message.MessageSystemAttributes?.AWSTraceHeader?.StringValue).toBe(xrayHeaderOf(span));
    }
    expect(diagSpy.warnings).toHaveLength(warnings);
    if (warnings) expect(diagSpy.warnings[0]).toMatch(/SQS.*AWSTraceHeader/);
  });

  it('still continues the trace through AWSTraceHeader when no attribute fits', () => {
    const record = sqsRecordFromSend(
      injectSqsMessage<SqsMessageInput>(withAttributes(10), fullContext),
    );
    expect(extractRecordContext(record)).toMatchObject({
      carrier: 'aws-trace-header',
      format: 'xray',
      spanContext: { traceId: span.traceId, spanId: span.spanId, isRemote: true },
    });
  });
});

describe('the 256 KiB message size', () => {
  const traceparentBytes = 'traceparent'.length + 'String'.length + 55;

  it.each([
    ['ASCII', 'x', 1],
    ['emoji', '😀', 4],
  ])('drops what does not fit next to an %s body near the limit', (_name, unit, unitBytes) => {
    const body = unit.repeat(Math.floor((MAX_SQS_SNS_MESSAGE_BYTES - 40) / unitBytes));
    const message = injectSqsMessage<SqsMessageInput>({ MessageBody: body }, fullContext);
    expect(message.MessageAttributes).toBeUndefined();
    expect(message.MessageSystemAttributes?.AWSTraceHeader).toBeDefined();
    expect(messageByteLength(message.MessageBody, message.MessageAttributes)).toBeLessThanOrEqual(
      MAX_SQS_SNS_MESSAGE_BYTES,
    );
    expect(diagSpy.warnings).toHaveLength(1);
  });

  it('adds traceparent when it fits to the byte, and nothing after it', () => {
    const ownBytes = 'a'.length + 'String'.length + '1'.length;
    const body = 'x'.repeat(MAX_SQS_SNS_MESSAGE_BYTES - traceparentBytes - ownBytes);
    const message = injectSqsMessage<SqsMessageInput>(
      { MessageBody: body, MessageAttributes: { a: string('1') } },
      fullContext,
    );
    expect(Object.keys(message.MessageAttributes ?? {})).toEqual(['a', 'traceparent']);
    expect(messageByteLength(message.MessageBody, message.MessageAttributes)).toBe(
      MAX_SQS_SNS_MESSAGE_BYTES,
    );
  });

  it('adds nothing when traceparent would pass the limit by one byte', () => {
    const body = 'x'.repeat(MAX_SQS_SNS_MESSAGE_BYTES - traceparentBytes + 1);
    const message = injectSqsMessage<SqsMessageInput>({ MessageBody: body }, fullContext);
    expect(message.MessageAttributes).toBeUndefined();
  });
});

describe('inspectSqsRecord precedence', () => {
  const w3c = numberedSpanContext(0);
  const envelope = numberedSpanContext(2);
  const body = numberedSpanContext(3);
  const xray = numberedSpanContext(4);
  const header = { AWSTraceHeader: xrayHeaderOf(xray) };
  const otelBody = (spanContext = body) =>
    `{"_otel":{"traceparent":"${traceparentOf(spanContext)}"},"id":1}`;
  const ddJson = JSON.stringify({ 'x-datadog-trace-id': '42', 'x-datadog-parent-id': '43' });
  const datadog = { traceId: `${'0'.repeat(30)}2a`, spanId: '000000000000002b' };
  const traceparent = sqsAttribute(traceparentOf(w3c));

  it.each([
    [
      'W3C attributes over everything',
      {
        messageAttributes: { traceparent, _datadog: sqsAttribute(ddJson) },
        body: otelBody(),
        attributes: header,
      },
      'message-attributes',
      w3c,
    ],
    [
      '_datadog attribute over the body',
      {
        messageAttributes: { _datadog: sqsAttribute(ddJson) },
        body: otelBody(),
        attributes: header,
      },
      'datadog',
      datadog,
    ],
    [
      'SNS envelope attributes over its message',
      {
        body: snsNotificationBody({
          Message: otelBody(),
          MessageAttributes: { traceparent: snsAttribute(traceparentOf(envelope)) },
        }),
        attributes: header,
      },
      'sns-envelope',
      envelope,
    ],
    [
      'SNS message _otel over AWSTraceHeader',
      { body: snsNotificationBody({ Message: otelBody() }), attributes: header },
      'json-payload',
      body,
    ],
    [
      'body _otel over AWSTraceHeader',
      { body: otelBody(), attributes: header },
      'json-payload',
      body,
    ],
    [
      'EventBridge detail over AWSTraceHeader',
      { body: eventBridgeEventBody(otelBody()), attributes: header },
      'json-payload',
      body,
    ],
    ['AWSTraceHeader alone', { attributes: header }, 'aws-trace-header', xray],
  ])('%s', (_name, overrides, carrier, expected) => {
    const extracted = extractRecordContext(sqsRecord(overrides));
    expect(extracted.carrier).toBe(carrier);
    expect(extracted.spanContext).toMatchObject({
      traceId: expected.traceId,
      spanId: expected.spanId,
      isRemote: true,
    });
    expect(trace.getSpanContext(extracted.context)).toEqual(extracted.spanContext);
  });

  it('falls back to AWSTraceHeader past a malformed traceparent, and says so once', () => {
    for (let index = 0; index < 2; index++) {
      const record = sqsRecord({
        messageAttributes: { traceparent: sqsAttribute('00-garbage') },
        attributes: header,
      });
      expect(extractRecordContext(record)).toMatchObject({
        carrier: 'aws-trace-header',
        format: 'xray',
      });
    }
    expect(diagSpy.warnings).toEqual([
      'tracebridge: ignored a malformed traceparent; the record starts a new trace',
    ]);
  });

  it('reads baggage together with the span', () => {
    const record = sqsRecordFromSend(
      injectSqsMessage<SqsMessageInput>({ MessageBody: 'x' }, fullContext),
    );
    const extracted = extractRecordContext(record);
    expect(extracted.spanContext?.traceState?.serialize()).toBe('vendor=opaque,other=1');
    expect(propagation.getBaggage(extracted.context)?.getEntry('user')?.value).toBe('alice b');
  });

  it('strips the body’s _otel member even when attributes carried the context', () => {
    const record = sqsRecord({ messageAttributes: { traceparent }, body: otelBody() });
    expect(recordPayload(record).text).toBe('{"id":1}');
  });
});
