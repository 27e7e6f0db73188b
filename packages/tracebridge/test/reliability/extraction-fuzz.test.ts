// Issue #7, bad input: property-based fuzzing of every extraction path. Records of every source
// with garbage in every field, hostile keys, near misses of every context format, thousands-deep
// JSON and megabyte strings; for each: nothing throws (the inspectors are called directly, past
// the safety net that would hide a throw), the record is not touched, no prototype is polluted,
// the payload is the producer's byte for byte, and a context is valid or absent, and found.

import { propagation, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import { parseDatadogHeaders } from '../../src/propagation/datadog.js';
import { inspectDynamoDbRecord } from '../../src/propagation/dynamodb.js';
import { inspectEventBridgeEvent } from '../../src/propagation/eventbridge.js';
import type { RecordContext, RecordPayload } from '../../src/propagation/inspection.js';
import { inspectKinesisRecord } from '../../src/propagation/kinesis.js';
import { messageAttributesGetter } from '../../src/propagation/message-attributes.js';
import { textMapGetter, w3cPropagator } from '../../src/propagation/propagator.js';
import {
  extractRecordContext,
  recordPayload,
  recordSourceOf,
} from '../../src/propagation/record.js';
import { inspectSnsRecord } from '../../src/propagation/sns.js';
import { inspectSqsRecord } from '../../src/propagation/sqs.js';
import { unwrapBinaryEnvelope } from '../../src/propagation/binary-envelope.js';
import { parseXRayHeader, XRayPropagator } from '../../src/propagation/xray.js';
import { spyOnDiag } from '../../src/test-support/guards.js';
import { type RecordCase, recordCases } from './support/hostile-records.js';
import {
  baggage,
  datadogHeaders,
  deepJsonText,
  jsonish,
  jsonishObject,
  type SpanIds,
  spanIds,
  traceparentNearMiss,
  traceparentOfIds,
  traceparentOracle,
  tracestate,
  xrayNearMiss,
} from './support/hostile-values.js';
import {
  builtInPrototypesShape,
  firstDifference,
  freezeDeep,
  snapshotOf,
} from './support/untouched.js';

const RUNS = scaled(200, 20_000);
const HEAVY_RUNS = scaled(4, 60);
/** A full-profile property runs for minutes, past vitest's 30 s default. */
const PROPERTY_TIMEOUT_MS = scaled(30_000, 3_600_000);
const casesRun: Record<string, number> = {};
const plantedFound: Record<string, number> = {};
let frozenInputs = 0;

/** Counts the cases a property ran, for the figures file. */
function count(property: string): void {
  casesRun[property] = (casesRun[property] ?? 0) + 1;
}

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const prototypesBefore = builtInPrototypesShape();
afterAll(() => {
  expect(builtInPrototypesShape()).toBe(prototypesBefore);
  const total = Object.values(casesRun).reduce((sum, runs) => sum + runs, 0);
  recordFigures('extraction-fuzz', {
    numRunsPerProperty: RUNS,
    heavyRunsPerProperty: HEAVY_RUNS,
    casesPerProperty: casesRun,
    totalCases: total,
    plantedContextsFound: plantedFound,
    frozenInputs,
    prototypesUnchanged: builtInPrototypesShape() === prototypesBefore,
  });
});

const INSPECTORS = [
  inspectSqsRecord,
  inspectSnsRecord,
  inspectKinesisRecord,
  inspectEventBridgeEvent,
  inspectDynamoDbRecord,
] as const;

const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_16 = /^[0-9a-f]{16}$/;

/** A context found is a valid one; none found is ROOT_CONTEXT with carrier `none`. */
function expectValidOrAbsent(found: RecordContext): void {
  const { spanContext } = found;
  if (spanContext === undefined) {
    expect(found.carrier).toBe('none');
    expect(trace.getSpanContext(found.context)).toBeUndefined();
    return;
  }
  expect(spanContext.traceId).toMatch(HEX_32);
  expect(spanContext.spanId).toMatch(HEX_16);
  expect(spanContext.traceId).not.toMatch(/^0+$/);
  expect(spanContext.spanId).not.toMatch(/^0+$/);
  expect(trace.getSpanContext(found.context)).toBe(spanContext);
}

function expectIds(spanContext: SpanContext | undefined, ids: SpanIds | undefined): void {
  expect(spanContext && { traceId: spanContext.traceId, spanId: spanContext.spanId }).toEqual(ids);
}

function expectPayload(payload: RecordPayload, expected: string | Uint8Array): void {
  if (typeof expected === 'string') {
    expect(payload.text).toBe(expected);
    expect(Buffer.from(payload.bytes).equals(Buffer.from(expected, 'utf8'))).toBe(true);
  } else {
    expect(Buffer.from(payload.bytes).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  }
}

/** Every check of the suite on one generated record, frozen or not. */
function checkCase(property: string, recordCase: RecordCase, frozen: boolean): void {
  count(property);
  const snapshot = snapshotOf(recordCase.record);
  const record = frozen ? freezeDeep(recordCase.record) : recordCase.record;
  if (frozen) frozenInputs++;
  diagSpy.reset();
  for (const inspect of INSPECTORS) {
    const inspection = inspect(record, w3cPropagator);
    expectValidOrAbsent(inspection.context);
    expect(inspection.payload.bytes).toBeInstanceOf(Uint8Array);
    expect(typeof inspection.payload.text).toBe('string');
  }
  expect(recordSourceOf(record)).toBe(recordCase.source);
  const found = extractRecordContext(record);
  expectValidOrAbsent(found);
  expectPayload(recordPayload(record), recordCase.payload);
  if (recordCase.planted) {
    expectIds(found.spanContext, recordCase.planted);
    plantedFound[property] = (plantedFound[property] ?? 0) + 1;
  }
  // The safety net in inspectRecordOf was never needed: no inspector threw on plain data.
  expect(diagSpy.warnings.filter((warning) => warning.includes('could not read'))).toEqual([]);
  expect(firstDifference(record, snapshot)).toBeUndefined();
  expect(({} as Record<string, unknown>).traceparent).toBeUndefined();
}

describe('records of every source with garbage in every field', () => {
  it.each(Object.entries(recordCases))(
    '%s',
    (name, cases) => {
      fc.assert(
        fc.property(cases, fc.boolean(), (recordCase, frozen) => {
          checkCase(name, recordCase, frozen);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('traceparent near misses in every carrier', () => {
  const carriers: Record<string, (traceparent: string) => unknown> = {
    'SQS attribute': (traceparent) => ({
      eventSource: 'aws:sqs',
      body: '{}',
      messageAttributes: { traceparent: { dataType: 'String', stringValue: traceparent } },
    }),
    'SNS attribute': (traceparent) => ({
      EventSource: 'aws:sns',
      Sns: {
        Message: 'm',
        MessageAttributes: { traceparent: { Type: 'String', Value: traceparent } },
      },
    }),
    'SNS envelope in SQS': (traceparent) => ({
      eventSource: 'aws:sqs',
      body: JSON.stringify({
        Type: 'Notification',
        TopicArn: 'arn:aws:sns:us-east-2:123456789012:t',
        Message: '{"a":1}',
        MessageAttributes: { traceparent: { Type: 'String', Value: traceparent } },
      }),
    }),
    'Kinesis _otel': (traceparent) => ({
      eventSource: 'aws:kinesis',
      kinesis: {
        data: Buffer.from(JSON.stringify({ _otel: { traceparent }, a: 1 })).toString('base64'),
      },
    }),
    'binary envelope': (traceparent) => {
      const header = Buffer.from(JSON.stringify({ traceparent }));
      const frame = Buffer.from([
        0x00,
        0x6f,
        0x74,
        0x65,
        0x6c,
        0x01,
        header.length >>> 8,
        header.length & 0xff,
      ]);
      return {
        eventSource: 'aws:kinesis',
        kinesis: { data: Buffer.concat([frame, header, Buffer.from([1, 2])]).toString('base64') },
      };
    },
    'EventBridge detail': (traceparent) => ({
      'detail-type': 'x',
      source: 's',
      detail: { _otel: { traceparent }, a: 1 },
    }),
    'DynamoDB image': (traceparent) => ({
      eventSource: 'aws:dynamodb',
      dynamodb: { NewImage: { _otel: { M: { traceparent: { S: traceparent } } } } },
    }),
    'CloudEvent body': (traceparent) => ({
      eventSource: 'aws:sqs',
      body: JSON.stringify({ specversion: '1.0', traceparent, data: {} }),
    }),
  };

  it.each(Object.entries(carriers))(
    '%s: found exactly when W3C says it is valid',
    (name, build) => {
      fc.assert(
        fc.property(traceparentNearMiss, (traceparent) => {
          count(`traceparent in ${name}`);
          const record = freezeDeep(build(traceparent));
          const found = extractRecordContext(record);
          expectValidOrAbsent(found);
          expectIds(found.spanContext, traceparentOracle(traceparent));
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'a traceparent of any JSON type is read as absent unless it is a valid string',
    () => {
      fc.assert(
        fc.property(jsonish, (traceparent) => {
          count('traceparent of any type');
          for (const build of Object.values(carriers)) {
            const found = extractRecordContext(build(traceparent as string));
            expectValidOrAbsent(found);
            expectIds(found.spanContext, traceparentOracle(traceparent));
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('tracestate and baggage beyond the W3C limits', () => {
  it(
    'keep the span, drop what is over the limits',
    () => {
      fc.assert(
        fc.property(spanIds, tracestate, baggage, (ids, state, bag) => {
          count('tracestate and baggage');
          const record = {
            eventSource: 'aws:sqs',
            body: 'b',
            messageAttributes: {
              traceparent: { dataType: 'String', stringValue: traceparentOfIds(ids) },
              tracestate: { dataType: 'String', stringValue: state },
              baggage: { dataType: 'String', stringValue: bag },
            },
          };
          const found = extractRecordContext(freezeDeep(record));
          expectIds(found.spanContext, ids);
          const serialized = found.spanContext?.traceState?.serialize() ?? '';
          if (state.length > 512) expect(serialized).toBe('');
          expect(serialized.length).toBeLessThanOrEqual(512);
          expect(serialized === '' ? 0 : serialized.split(',').length).toBeLessThanOrEqual(32);
          const entries = propagation.getBaggage(found.context)?.getAllEntries() ?? [];
          if (bag.length > 8192) expect(entries).toEqual([]);
          expect(entries.length).toBeLessThanOrEqual(64);
          for (const [name] of entries) expect(name).not.toBe('');
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('X-Ray and Datadog near misses', () => {
  it(
    'AWSTraceHeader is read exactly when it names a complete, valid trace and parent',
    () => {
      const propagator = new XRayPropagator();
      fc.assert(
        fc.property(xrayNearMiss, ({ header, expected }) => {
          count('AWSTraceHeader');
          const found = extractRecordContext(
            freezeDeep({
              eventSource: 'aws:sqs',
              body: '',
              attributes: { AWSTraceHeader: header },
            }),
          );
          expectValidOrAbsent(found);
          expectIds(found.spanContext, expected);
          expectIds(parseXRayHeader(header), expected);
          const viaPropagator = propagator.extract(
            ROOT_CONTEXT,
            { 'x-amzn-trace-id': header },
            textMapGetter,
          );
          expectIds(trace.getSpanContext(viaPropagator), expected);
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    '_datadog headers of any shape give a valid context or none, in attributes and in JSON',
    () => {
      fc.assert(
        fc.property(fc.oneof(datadogHeaders, jsonishObject), (headers) => {
          count('_datadog');
          const text = JSON.stringify(headers);
          const direct = parseDatadogHeaders(headers);
          for (const record of [
            {
              eventSource: 'aws:sqs',
              body: '',
              messageAttributes: { _datadog: { dataType: 'String', stringValue: text } },
            },
            {
              eventSource: 'aws:sqs',
              body: '',
              messageAttributes: {
                _datadog: { dataType: 'Binary', binaryValue: Buffer.from(text).toString('base64') },
              },
            },
            { eventSource: 'aws:sqs', body: JSON.stringify({ _datadog: headers, a: 1 }) },
            { 'detail-type': 'x', source: 's', detail: { _datadog: headers } },
          ]) {
            const found = extractRecordContext(freezeDeep(record));
            expectValidOrAbsent(found);
            if (direct && !('traceparent' in headers)) {
              expectIds(found.spanContext, { traceId: direct.traceId, spanId: direct.spanId });
            }
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('the parsers and propagators on their own', () => {
  it(
    'never throw and answer a valid context or nothing, for any input',
    () => {
      const xray = new XRayPropagator();
      fc.assert(
        fc.property(
          fc.anything({
            withNullPrototype: true,
            withBigInt: true,
            withBoxedValues: true,
            withTypedArray: true,
          }),
          fc.string(),
          fc.uint8Array({ maxLength: 64 }),
          (value, text, bytes) => {
            count('parsers on anything');
            const valid = (spanContext: SpanContext | undefined): void => {
              if (spanContext === undefined) return;
              expect(spanContext.traceId).toMatch(HEX_32);
              expect(spanContext.spanId).toMatch(HEX_16);
            };
            valid(parseXRayHeader(text));
            valid(parseDatadogHeaders(value));
            unwrapBinaryEnvelope(bytes);
            for (const getter of [textMapGetter, messageAttributesGetter]) {
              const carrier = typeof value === 'object' && value !== null ? value : { value };
              valid(trace.getSpanContext(w3cPropagator.extract(ROOT_CONTEXT, carrier, getter)));
              valid(trace.getSpanContext(xray.extract(ROOT_CONTEXT, carrier, getter)));
            }
            recordSourceOf(value);
            expectValidOrAbsent(extractRecordContext(value));
            expect(typeof recordPayload(value).text).toBe('string');
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('deeply nested JSON in every position', () => {
  const depth = fc.integer({ min: 10_000, max: 100_000 });

  it(
    'is scanned without recursion and the context beside it is still found',
    () => {
      fc.assert(
        fc.property(spanIds, depth, (ids, levels) => {
          count('deep JSON');
          const deep = deepJsonText(levels);
          const member = JSON.stringify({ traceparent: traceparentOfIds(ids) });
          const deepObject = `{"_otel":${member},"deep":${deep}}`;
          const cases: [unknown, string | Uint8Array][] = [
            [{ eventSource: 'aws:sqs', body: deepObject }, `{"deep":${deep}}`],
            [{ EventSource: 'aws:sns', Sns: { Message: deepObject } }, `{"deep":${deep}}`],
            [
              {
                eventSource: 'aws:kinesis',
                kinesis: { data: Buffer.from(deepObject).toString('base64') },
              },
              Buffer.from(`{"deep":${deep}}`),
            ],
            [
              {
                eventSource: 'aws:sqs',
                body: `{"detail-type":"x","deep":${deep},"detail":${deepObject}}`,
              },
              `{"deep":${deep}}`,
            ],
            [
              // Lambda parses any depth, deeper than JSON.stringify serialises: written again
              // without recursion, to the same text.
              {
                'detail-type': 'x',
                source: 's',
                detail: {
                  _otel: { traceparent: traceparentOfIds(ids) },
                  deep: JSON.parse(deep) as unknown,
                },
              },
              `{"deep":${deep}}`,
            ],
          ];
          for (const [record, payload] of cases) {
            const snapshot = snapshotOf(record);
            const found = extractRecordContext(record);
            expectIds(found.spanContext, ids);
            expectPayload(recordPayload(record), payload);
            expect(firstDifference(record, snapshot)).toBeUndefined();
          }
          for (const deepCarrier of [
            { eventSource: 'aws:sqs', body: `{"_otel":${deep}}` },
            { eventSource: 'aws:sqs', body: `{"_datadog":${deep}}` },
            {
              eventSource: 'aws:sqs',
              body: '',
              messageAttributes: { _datadog: { dataType: 'String', stringValue: deep } },
            },
            { eventSource: 'aws:dynamodb', dynamodb: { NewImage: { _otel: { S: deep } } } },
          ]) {
            expectValidOrAbsent(extractRecordContext(deepCarrier));
          }
        }),
        { numRuns: HEAVY_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('very large strings', () => {
  it(
    'come back exactly, with the context found',
    () => {
      fc.assert(
        fc.property(
          spanIds,
          fc.integer({ min: 1 << 20, max: 4 << 20 }),
          fc.string({ minLength: 1, maxLength: 4 }),
          (ids, size, unit) => {
            count('large strings');
            const filler = unit.repeat(Math.ceil(size / unit.length));
            const producerJson = JSON.stringify({ filler });
            const carried = `{"_otel":${JSON.stringify({ traceparent: traceparentOfIds(ids) })},${producerJson.slice(1)}`;
            const records: [unknown, string | Uint8Array, SpanIds | undefined][] = [
              [{ eventSource: 'aws:sqs', body: carried }, producerJson, ids],
              [{ eventSource: 'aws:sqs', body: filler }, filler, undefined],
              [{ EventSource: 'aws:sns', Sns: { Message: carried } }, producerJson, ids],
              [
                {
                  eventSource: 'aws:kinesis',
                  kinesis: { data: Buffer.from(carried).toString('base64') },
                },
                Buffer.from(producerJson),
                ids,
              ],
              [
                {
                  eventSource: 'aws:sqs',
                  body: '',
                  messageAttributes: { traceparent: { dataType: 'String', stringValue: filler } },
                },
                '',
                undefined,
              ],
            ];
            for (const [record, payload, planted] of records) {
              const found = extractRecordContext(freezeDeep(record));
              expectIds(found.spanContext, planted);
              expectPayload(recordPayload(record), payload);
            }
          },
        ),
        { numRuns: HEAVY_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
