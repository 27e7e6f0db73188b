import { propagation } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { extractFrozen, NEW_TRACE, spyOnDiag } from '../test-support/guards.js';
import {
  kinesisRecord,
  numberedSpanContext,
  snsNotificationBody,
  snsRecord,
  sqsAttribute,
  sqsBinaryAttribute,
  sqsRecord,
  traceparentOf,
} from '../test-support/records.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const span = numberedSpanContext(40);
const TRACEPARENT = traceparentOf(span);

describe('malformed and oversized W3C fields', () => {
  it.each([
    ['version ff', `ff-${span.traceId}-${span.spanId}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${span.spanId}-01`],
    ['an all-zero span id', `00-${span.traceId}-${'0'.repeat(16)}-01`],
    ['upper-case hex', TRACEPARENT.toUpperCase()],
    ['version 00 with an extra field', `${TRACEPARENT}-extra`],
    ['a short trace id', `00-${span.traceId.slice(1)}-${span.spanId}-01`],
    ['a 10 KB string', 'a'.repeat(10_240)],
    [
      'a 10 KB string after a valid prefix',
      `01-${span.traceId}-${span.spanId}-01-${'a'.repeat(10_240)}`,
    ],
    ['an empty string', ''],
    ['a B3 header', `${span.traceId}-${span.spanId}-1`],
  ])(
    'starts a new trace for a traceparent with %s, in attributes and in _otel',
    (_name, traceparent) => {
      const fromAttribute = extractFrozen(
        sqsRecord({
          body: 'keep me',
          messageAttributes: { traceparent: sqsAttribute(traceparent) },
        }),
      );
      expect(fromAttribute.extracted).toMatchObject(NEW_TRACE);
      expect(fromAttribute.payload.text).toBe('keep me');
      const fromJson = extractFrozen(
        kinesisRecord(JSON.stringify({ _otel: { traceparent }, a: 1 })),
      );
      expect(fromJson.extracted).toMatchObject(NEW_TRACE);
      expect(fromJson.payload.text).toBe('{"a":1}');
      expect(diagSpy.warnings.length).toBeLessThanOrEqual(1);
    },
  );

  it('drops a tracestate over 512 characters and keeps the span', () => {
    const tracestate = Array.from({ length: 30 }, (_, n) => `vendor${n}=${'x'.repeat(20)}`).join(
      ',',
    );
    expect(tracestate.length).toBeGreaterThan(512);
    const { extracted } = extractFrozen(
      sqsRecord({
        messageAttributes: {
          traceparent: sqsAttribute(TRACEPARENT),
          tracestate: sqsAttribute(tracestate),
        },
      }),
    );
    expect(extracted.spanContext?.spanId).toBe(span.spanId);
    expect(extracted.spanContext?.traceState?.serialize() ?? '').toBe('');
  });

  it('keeps at most 32 tracestate members', () => {
    const tracestate = Array.from({ length: 40 }, (_, n) => `v${n}=1`).join(',');
    const { extracted } = extractFrozen(
      sqsRecord({
        messageAttributes: {
          traceparent: sqsAttribute(TRACEPARENT),
          tracestate: sqsAttribute(tracestate),
        },
      }),
    );
    expect(extracted.spanContext?.spanId).toBe(span.spanId);
    expect(
      (extracted.spanContext?.traceState?.serialize() ?? '').split(',').length,
    ).toBeLessThanOrEqual(32);
  });

  it('drops baggage over 8,192 bytes and keeps the span', () => {
    const baggage = `big=${'x'.repeat(8200)}`;
    const { extracted } = extractFrozen(
      sqsRecord({
        messageAttributes: {
          traceparent: sqsAttribute(TRACEPARENT),
          baggage: sqsAttribute(baggage),
        },
      }),
    );
    expect(extracted.spanContext?.spanId).toBe(span.spanId);
    expect(propagation.getBaggage(extracted.context)?.getEntry('big')).toBeUndefined();
  });
});

describe('attributes of the wrong type', () => {
  it.each([
    ['a Number attribute', sqsAttribute(TRACEPARENT, 'Number')],
    ['a Binary attribute', sqsBinaryAttribute(TRACEPARENT)],
    [
      'no stringValue',
      { dataType: 'String', stringListValues: [TRACEPARENT], binaryListValues: [] },
    ],
    [
      'a stringValue that is an object',
      { dataType: 'String', stringValue: { value: TRACEPARENT } },
    ],
    ['a stringValue that is a list', { dataType: 'String', stringValue: [TRACEPARENT] }],
    ['the bare string', TRACEPARENT],
    ['null', null],
  ])('starts a new trace for a traceparent attribute that is %s', (_name, attribute) => {
    const { extracted, payload } = extractFrozen(
      sqsRecord({ body: 'b', messageAttributes: { traceparent: attribute } as never }),
    );
    expect(extracted).toMatchObject(NEW_TRACE);
    expect(payload.text).toBe('b');
  });

  it.each([
    ['a string', 'x'],
    ['an array', [sqsAttribute(TRACEPARENT)]],
    ['null', null],
  ])('starts a new trace when messageAttributes is %s', (_name, messageAttributes) => {
    expect(extractFrozen(sqsRecord({ messageAttributes } as never)).extracted).toMatchObject(
      NEW_TRACE,
    );
  });

  it('starts a new trace for an SNS attribute holding an object', () => {
    const record = snsRecord({
      Sns: { MessageAttributes: { traceparent: { Type: 'String', Value: { v: 1 } } as never } },
    });
    expect(extractFrozen(record).extracted).toMatchObject(NEW_TRACE);
  });
});

describe('JSON payloads that carry no context of ours', () => {
  it.each([
    ['_otel as a string', `{"_otel":"${TRACEPARENT}","a":1}`],
    ['_otel as an array', `{"_otel":["${TRACEPARENT}"],"a":1}`],
    ['_otel as a number', '{"_otel":1,"a":1}'],
    ['_otel as null', '{"_otel":null,"a":1}'],
    ['_otel nested deep', `{"_otel":{"traceparent":{"value":{"value":"${TRACEPARENT}"}}},"a":1}`],
    ['_otel deeper than the scanner goes', `{"_otel":${'['.repeat(600)}${']'.repeat(600)}}`],
    ['truncated JSON', `{"a":{"_otel":{"traceparent":"${TRACEPARENT}"}},"b":`],
    ['a truncated _otel', `{"_otel":{"traceparent":"${TRACEPARENT}"`],
    ['a JSON array', `[{"_otel":{"traceparent":"${TRACEPARENT}"}}]`],
    ['a JSON string', JSON.stringify(`{"_otel":{"traceparent":"${TRACEPARENT}"}}`)],
    ['a JSON number', '12345678901234567890123'],
    ['JSON null', 'null'],
    ['an empty body', ''],
  ])('keeps %s exactly and starts a new trace', (_name, text) => {
    for (const record of [
      sqsRecord({ body: text }),
      kinesisRecord(text),
      snsRecord({ Sns: { Message: text } }),
      sqsRecord({ body: snsNotificationBody({ Message: text }) }),
    ]) {
      const { extracted, payload } = extractFrozen(record);
      expect(extracted).toMatchObject(NEW_TRACE);
      expect(payload.text).toBe(text);
    }
  });

  it('reads a leading _otel text map even when the rest is truncated: only the member is checked', () => {
    const { extracted, payload } = extractFrozen(
      sqsRecord({ body: `{"_otel":{"traceparent":"${TRACEPARENT}"},"a":` }),
    );
    expect(extracted).toMatchObject({
      carrier: 'json-payload',
      spanContext: { spanId: span.spanId },
    });
    expect(payload.text).toBe('{"a":');
  });

  it('keeps Kinesis data that is not valid base64 or not UTF-8', () => {
    const garbage = extractFrozen(kinesisRecord('', { kinesis: { data: '%%%not base64' } }));
    expect(garbage.extracted).toMatchObject(NEW_TRACE);
    const bytes = Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d);
    expect([...extractFrozen(kinesisRecord(bytes)).payload.bytes]).toEqual([...bytes]);
  });
});
