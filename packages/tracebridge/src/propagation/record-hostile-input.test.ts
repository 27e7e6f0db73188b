import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  extractFrozen,
  NEW_TRACE,
  objectPrototypeShape,
  spyOnDiag,
  throwingRecord,
} from '../test-support/guards.js';
import {
  dynamoDbRecord,
  eventBridgeEvent,
  kinesisRecord,
  numberedSpanContext,
  snsAttribute,
  snsNotificationBody,
  snsRecord,
  sqsAttribute,
  sqsRecord,
  traceparentOf,
} from '../test-support/records.js';
import { extractRecordContext, recordPayload, recordSourceOf } from './record.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const prototypeBefore = objectPrototypeShape();
afterAll(() => {
  expect(objectPrototypeShape()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const TRACEPARENT = traceparentOf(numberedSpanContext(41));

describe('__proto__ and constructor keys', () => {
  const polluting = `{"__proto__":{"polluted":"yes","traceparent":"${TRACEPARENT}"},"constructor":{"prototype":{"polluted":"yes"}}}`;

  it.each([
    [
      'SQS message attributes',
      () =>
        sqsRecord({
          messageAttributes: JSON.parse(
            `{"__proto__":{"dataType":"String","stringValue":"${TRACEPARENT}"},"constructor":{"prototype":{"polluted":"yes"}}}`,
          ) as never,
        }),
    ],
    ['an SQS body', () => sqsRecord({ body: polluting })],
    ['an _otel member', () => sqsRecord({ body: `{"_otel":${polluting},"a":1}` })],
    ['a _datadog key', () => sqsRecord({ body: `{"_datadog":${polluting}}` })],
    [
      'an SNS envelope',
      () =>
        sqsRecord({
          body: snsNotificationBody({
            MessageAttributes: JSON.parse(
              `{"__proto__":${JSON.stringify(snsAttribute(TRACEPARENT))}}`,
            ) as never,
          }),
        }),
    ],
    [
      'Kinesis data',
      () => kinesisRecord(`{"_otel":{"constructor":"x"},"__proto__":{"polluted":"yes"}}`),
    ],
    [
      'an EventBridge detail',
      () => eventBridgeEvent(JSON.parse(`{"_otel":${polluting}}`) as unknown),
    ],
    [
      'a DynamoDB image',
      () =>
        dynamoDbRecord({
          dynamodb: { NewImage: JSON.parse(`{"_otel":{"M":${polluting}}}`) as never },
        }),
    ],
    [
      'the record itself',
      () =>
        JSON.parse(
          `{"__proto__":{"eventSource":"aws:sqs","body":"x"},"constructor":{"prototype":{"polluted":"yes"}}}`,
        ) as unknown,
    ],
  ])('in %s pollute nothing and are never read as a context', (_name, build) => {
    const { extracted } = extractFrozen(build());
    expect(extracted).toMatchObject(NEW_TRACE);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('traceparent');
  });

  it('never reads fields a record only inherits', () => {
    const inherited = Object.create(
      sqsRecord({ messageAttributes: { traceparent: sqsAttribute(TRACEPARENT) } }),
    ) as object;
    expect(extractRecordContext(inherited)).toMatchObject({
      ...NEW_TRACE,
      recordSource: 'unknown',
    });
  });
});

describe('records that are not records', () => {
  it.each([
    ['null', null, 'null'],
    ['undefined', undefined, ''],
    ['a number', 42, '42'],
    ['a string', 'aws:sqs', '"aws:sqs"'],
    ['an array', [sqsRecord({ body: 'x' })], undefined],
    ['an empty object', {}, '{}'],
    ['a bigint', 10n, ''],
    ['a function', () => 'aws:sqs', ''],
    ['a symbol', Symbol('record'), ''],
  ])('%s starts a new trace', (_name, record, text) => {
    const extracted = extractRecordContext(record);
    expect(extracted).toMatchObject({ ...NEW_TRACE, recordSource: 'unknown', wrapped: undefined });
    if (text !== undefined) expect(recordPayload(record).text).toBe(text);
  });

  it.each([
    ['an SQS record', sqsRecord({ attributes: { AWSTraceHeader: 'Root=1-x' } })],
    ['a Kinesis record', kinesisRecord()],
    ['an SNS record', snsRecord()],
    ['an EventBridge event', eventBridgeEvent({ _otel: { traceparent: TRACEPARENT } })],
    ['a DynamoDB record', dynamoDbRecord()],
  ])('%s whose every field is null starts a new trace', (_name, record) => {
    const nulled = Object.fromEntries(
      Object.keys(record).map((key) => [
        key,
        key.startsWith('event') || key === 'EventSource' ? (record as never)[key] : null,
      ]),
    );
    expect(extractFrozen(nulled).extracted).toMatchObject(NEW_TRACE);
  });

  it('a Proxy that throws on every access starts a new trace', () => {
    expect(extractRecordContext(throwingRecord())).toMatchObject(NEW_TRACE);
    expect(recordPayload(throwingRecord()).text).toBe('');
    expect(recordSourceOf(throwingRecord())).toBe('unknown');
  });

  it('a record that throws a value that cannot be printed starts a new trace', () => {
    const unprintable = Object.defineProperty(new Error('thrown'), 'toString', {
      value: () => {
        throw new Error('not printable either');
      },
    });
    const record = Object.defineProperty({ eventSource: 'aws:kinesis' }, 'kinesis', {
      enumerable: true,
      get: () => {
        throw unprintable;
      },
    });
    expect(extractRecordContext(record)).toMatchObject({
      ...NEW_TRACE,
      recordSource: 'aws:kinesis',
    });
    expect(recordPayload(record).bytes).toHaveLength(0);
    expect(diagSpy.warnings).toHaveLength(1);
    expect(diagSpy.warnings[0]).toContain('an error that cannot be printed');
  });

  it('a record whose body getter throws starts a new trace', () => {
    const record = Object.defineProperty({ eventSource: 'aws:sqs', receiptHandle: 'r' }, 'body', {
      enumerable: true,
      get: () => {
        throw new Error('no body for you');
      },
    });
    expect(extractRecordContext(record)).toMatchObject({ ...NEW_TRACE, recordSource: 'aws:sqs' });
    expect(recordPayload(record).text).toBe('');
    expect(diagSpy.warnings).toEqual([
      'tracebridge: could not read the trace context of an aws:sqs record (Error: no body for you); it starts a new trace',
    ]);
  });

  it('a record whose eventSource getter throws starts a new trace', () => {
    const record = Object.defineProperty({}, 'eventSource', {
      get: () => {
        throw new Error('no');
      },
    });
    expect(extractRecordContext(record)).toMatchObject(NEW_TRACE);
  });
});
