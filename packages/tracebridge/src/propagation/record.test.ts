import { type Context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { frozen, spyOnDiag } from '../test-support/guards.js';
import {
  contextWith,
  datadogHeadersOf,
  dynamoDbRecord,
  eventBridgeEvent,
  kinesisRecord,
  kinesisRecordFromPut,
  numberedSpanContext,
  snsAttribute,
  snsRecord,
  sqsAttribute,
  sqsRecord,
  sqsRecordFromPublish,
  sqsRecordFromPutEvents,
  sqsRecordFromSend,
  traceparentOf,
  xrayHeaderOf,
} from '../test-support/records.js';
import { dynamoDbContextAttribute } from './dynamodb.js';
import { injectEventBridgeEntry } from './eventbridge.js';
import { ContextCarrier } from './extracted.js';
import { injectKinesisRecord } from './kinesis.js';
import type { SdkMessageAttribute } from './message-attributes.js';
import { extractRecordContext, recordPayload, recordSourceOf } from './record.js';
import { injectSnsMessage } from './sns.js';
import { injectSqsMessage } from './sqs.js';
import { W3CPropagator } from './w3c.js';
import { XRayPropagator } from './xray.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

describe('recordSourceOf', () => {
  it.each([
    ['an SQS record', sqsRecord(), 'aws:sqs'],
    ['an SNS record', snsRecord(), 'aws:sns'],
    ['a Kinesis record', kinesisRecord(), 'aws:kinesis'],
    ['a DynamoDB record', dynamoDbRecord(), 'aws:dynamodb'],
    ['an EventBridge event', eventBridgeEvent({}), 'aws.events'],
    ['an SQS record without eventSource', { receiptHandle: 'r', body: '' }, 'aws:sqs'],
    ['an SNS record without EventSource', { Sns: {} }, 'aws:sns'],
    ['a Kinesis record without eventSource', { kinesis: {} }, 'aws:kinesis'],
    ['an unknown event source', { eventSource: 'aws:s3' }, 'unknown'],
    ['an empty object', {}, 'unknown'],
  ])('recognises %s', (_name, record, source) => {
    expect(recordSourceOf(record)).toBe(source);
  });
});

describe('an SQS batch of 10 mixed records', () => {
  const spans = Array.from({ length: 10 }, (_, n) => numberedSpanContext(n));
  const context = (n: number) => contextWith(spans[n]);
  const tenAttributes: Record<string, SdkMessageAttribute> = Object.fromEntries(
    Array.from({ length: 10 }, (_, n) => [`a${n}`, { DataType: 'String', StringValue: `${n}` }]),
  );
  const datadog = (n: number) => JSON.stringify(datadogHeadersOf(spans[n]!));
  const batch = [
    sqsRecordFromSend(injectSqsMessage({ MessageBody: 'zero' }, context(0))),
    sqsRecordFromSend(
      injectSqsMessage({ MessageBody: 'one', MessageAttributes: tenAttributes }, context(1)),
    ),
    sqsRecordFromPublish(injectSnsMessage({ Message: 'two' }, context(2)), { raw: false }),
    sqsRecordFromPublish(injectSnsMessage({ Message: 'three' }, context(3)), { raw: true }),
    sqsRecordFromPutEvents(injectEventBridgeEntry({ Detail: '{"n":4}' }, context(4))),
    sqsRecord({ body: `{"_otel":{"traceparent":"${traceparentOf(spans[5]!)}"},"n":5}` }),
    sqsRecord({ body: 'six', messageAttributes: { _datadog: sqsAttribute(datadog(6)) } }),
    sqsRecord({
      body: `{"specversion":"1.0","traceparent":"${traceparentOf(spans[7]!)}","data":7}`,
    }),
    sqsRecord({ body: 'eight' }),
    sqsRecord({ body: 'nine', messageAttributes: { traceparent: sqsAttribute('00-nine') } }),
  ];
  const expected = [
    ['message-attributes', 'w3c', undefined, 'zero'],
    ['aws-trace-header', 'xray', undefined, 'one'],
    ['sns-envelope', 'w3c', 'sns', 'two'],
    ['message-attributes', 'w3c', undefined, 'three'],
    ['json-payload', 'w3c', 'eventbridge', '{"n":4}'],
    ['json-payload', 'w3c', undefined, '{"n":5}'],
    ['datadog', 'datadog', undefined, 'six'],
    [
      'cloudevents',
      'w3c',
      undefined,
      `{"specversion":"1.0","traceparent":"${traceparentOf(spans[7]!)}","data":7}`,
    ],
    ['none', undefined, undefined, 'eight'],
    ['none', undefined, undefined, 'nine'],
  ] as const;

  it.each(expected.map((row, n) => [n, ...row] as const))(
    'record %i: carrier %s, format %s, wrapped %s',
    (n, carrier, format, wrapped, payload) => {
      const extracted = extractRecordContext(batch[n]);
      expect(extracted).toMatchObject({ carrier, format, wrapped, recordSource: 'aws:sqs' });
      if (carrier === 'none') {
        expect(extracted.spanContext).toBeUndefined();
        expect(extracted.context).toBe(ROOT_CONTEXT);
      } else {
        const { traceId, spanId } = spans[n]!;
        expect(extracted.spanContext).toMatchObject({ traceId, spanId, isRemote: true });
        expect(trace.getSpanContext(extracted.context)).toEqual(extracted.spanContext);
      }
      expect(recordPayload(batch[n]).text).toBe(payload);
    },
  );
});

describe('every ContextCarrier', () => {
  const span = numberedSpanContext(50);
  const context = contextWith(span);
  const otel = `{"_otel":{"traceparent":"${traceparentOf(span)}"},"n":1}`;
  const byCarrier: Record<
    ContextCarrier,
    [unknown, string | undefined, string, string | undefined]
  > = {
    'message-attributes': [
      sqsRecordFromSend(injectSqsMessage({ MessageBody: 'x' }, context)),
      'w3c',
      'aws:sqs',
      undefined,
    ],
    'sns-envelope': [
      sqsRecordFromPublish(injectSnsMessage({ Message: 'x' }, context), { raw: false }),
      'w3c',
      'aws:sqs',
      'sns',
    ],
    'aws-trace-header': [
      sqsRecord({ attributes: { AWSTraceHeader: xrayHeaderOf(span) } }),
      'xray',
      'aws:sqs',
      undefined,
    ],
    'json-payload': [kinesisRecord(otel), 'w3c', 'aws:kinesis', undefined],
    'binary-envelope': [
      kinesisRecordFromPut(
        injectKinesisRecord({ Data: Uint8Array.of(1) }, context, { binaryEnvelope: true }),
      ),
      'w3c',
      'aws:kinesis',
      undefined,
    ],
    datadog: [
      snsRecord({
        Sns: {
          MessageAttributes: {
            _datadog: snsAttribute(JSON.stringify(datadogHeadersOf(span))),
          },
        },
      }),
      'datadog',
      'aws:sns',
      undefined,
    ],
    cloudevents: [
      eventBridgeEvent({ specversion: '1.0', traceparent: traceparentOf(span) }),
      'w3c',
      'aws.events',
      undefined,
    ],
    'dynamodb-image': [
      dynamoDbRecord({ dynamodb: { NewImage: { _otel: dynamoDbContextAttribute(context)! } } }),
      'w3c',
      'aws:dynamodb',
      undefined,
    ],
    none: [sqsRecord(), undefined, 'aws:sqs', undefined],
  };

  it('has a case here for each carrier', () => {
    expect(Object.keys(byCarrier).sort()).toEqual(Object.values(ContextCarrier).sort());
  });

  it.each(Object.entries(byCarrier))('%s', (carrier, [record, format, recordSource, wrapped]) => {
    const extracted = extractRecordContext(record);
    expect(extracted).toMatchObject({ carrier, format, recordSource, wrapped });
    expect(extracted.spanContext?.traceId).toBe(carrier === 'none' ? undefined : span.traceId);
    expect(extracted.spanContext?.spanId).toBe(carrier === 'none' ? undefined : span.spanId);
  });
});

describe('CloudEvents and other JSON carriers', () => {
  const span = numberedSpanContext(20);
  const cloudEvent = (extra: Record<string, unknown>) =>
    JSON.stringify({
      specversion: '1.0',
      type: 'order.placed',
      source: '/orders',
      id: 'A234',
      ...extra,
    });

  it('reads traceparent and tracestate of a structured CloudEvent', () => {
    const body = cloudEvent({
      traceparent: traceparentOf(span),
      tracestate: 'ce=1',
      data: { n: 1 },
    });
    const extracted = extractRecordContext(sqsRecord({ body }));
    expect(extracted).toMatchObject({
      carrier: 'cloudevents',
      format: 'w3c',
      spanContext: { spanId: span.spanId },
    });
    expect(extracted.spanContext?.traceState?.get('ce')).toBe('1');
    expect(extractRecordContext(kinesisRecord(body)).carrier).toBe('cloudevents');
  });

  it('does not read top-level traceparent keys of JSON that is not a CloudEvent', () => {
    const body = JSON.stringify({ traceparent: traceparentOf(span), order: 1 });
    expect(extractRecordContext(sqsRecord({ body })).carrier).toBe('none');
  });

  it('reads baggage carried in _otel', () => {
    const withBaggage = contextWith(span, { baggage: { tenant: 'acme', 'user id': 'a,b;c' } });
    const record = kinesisRecordFromPut(injectKinesisRecord({ Data: '{"n":1}' }, withBaggage));
    const baggage = propagation.getBaggage(extractRecordContext(record).context);
    expect(baggage?.getEntry('tenant')?.value).toBe('acme');
    expect(baggage?.getEntry('user id')?.value).toBe('a,b;c');
  });

  it('reads with the propagator the caller passes', () => {
    const propagator = new XRayPropagator();
    const record = kinesisRecordFromPut(
      injectKinesisRecord({ Data: '{"n":1}' }, contextWith(span), { propagator }),
    );
    expect(extractRecordContext(record, { propagator })).toMatchObject({
      carrier: 'json-payload',
      spanContext: { traceId: span.traceId, spanId: span.spanId },
    });
    expect(recordPayload(record, { propagator }).text).toBe('{"n":1}');
  });
});

describe('span contexts another propagator returns', () => {
  it('are checked, even from a subclass of the W3C propagator', () => {
    const span = numberedSpanContext(51);
    class Lenient extends W3CPropagator {
      override extract(context: Context): Context {
        return trace.setSpanContext(context, {
          traceId: '0'.repeat(32),
          spanId: 'b7ad6b7169203331',
          traceFlags: TraceFlags.SAMPLED,
        });
      }
    }
    const record = sqsRecord({
      messageAttributes: { traceparent: sqsAttribute(traceparentOf(span)) },
    });
    expect(extractRecordContext(record, { propagator: new Lenient() })).toMatchObject({
      carrier: 'none',
      spanContext: undefined,
    });
    expect(extractRecordContext(record)).toMatchObject({
      carrier: 'message-attributes',
      spanContext: { traceId: span.traceId, spanId: span.spanId },
    });
  });
});

describe('SQS bodies come back exactly (property)', () => {
  const span = numberedSpanContext(30);

  it('for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.json()), (body) => {
        const record = sqsRecordFromSend(
          injectSqsMessage({ MessageBody: body }, contextWith(span)),
        );
        expect(recordPayload(record).text).toBe(body);
        expect(extractRecordContext(record).spanContext?.spanId).toBe(span.spanId);
      }),
      { numRuns: 300 },
    );
  });

  it('for SQS bodies holding a JSON object with an _otel member written by hand', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom(0, 2, '\t'),
        (value, indent) => {
          const text = JSON.stringify(value, null, indent);
          const body = `{"_otel":{"traceparent":"${traceparentOf(span)}"}${text === '{}' ? '' : ','}${text.slice(1)}`;
          const { input, snapshot } = frozen(sqsRecord({ body }));
          expect(recordPayload(input).text).toBe(text);
          expect(extractRecordContext(input).carrier).toBe('json-payload');
          expect(input).toEqual(snapshot);
        },
      ),
      { numRuns: 200 },
    );
  });
});
