import { TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  kinesisRecord,
  snsAttribute,
  snsNotificationBody,
  snsRecord,
  sqsAttribute,
  sqsBinaryAttribute,
  sqsRecord,
  traceparentOf,
  numberedSpanContext,
} from '../test-support/records.js';
import { parseDatadogHeaders } from './datadog.js';
import { extractRecordContext } from './record.js';

const LOW_HEX = '1234567890abcdef';
const SPAN_HEX = '000000000000162e';
const HIGH_HEX = '6541e8b100000000';
const decimal = (hexId: string): string => BigInt(`0x${hexId}`).toString();

/** Datadog's headers for a 64-bit trace id, optionally with the upper half in `_dd.p.tid`. */
function datadogHeaders(
  options: { high?: string; priority?: string } = {},
): Record<string, string> {
  return {
    'x-datadog-trace-id': decimal(LOW_HEX),
    'x-datadog-parent-id': decimal(SPAN_HEX),
    'x-datadog-sampling-priority': options.priority ?? '1',
    ...(options.high !== undefined && {
      'x-datadog-tags': `_dd.p.dm=-1,_dd.p.tid=${options.high}`,
    }),
  };
}

describe('parseDatadogHeaders', () => {
  it('reads a 64-bit trace id into the lower half of the OpenTelemetry id', () => {
    expect(parseDatadogHeaders(datadogHeaders())).toEqual({
      traceId: `0000000000000000${LOW_HEX}`,
      spanId: SPAN_HEX,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('reads a 128-bit trace id with the upper half from _dd.p.tid', () => {
    expect(parseDatadogHeaders(datadogHeaders({ high: HIGH_HEX }))?.traceId).toBe(
      `${HIGH_HEX}${LOW_HEX}`,
    );
  });

  it('reads the largest unsigned 64-bit ids', () => {
    const max = '18446744073709551615';
    const spanContext = parseDatadogHeaders({
      'x-datadog-trace-id': max,
      'x-datadog-parent-id': max,
    });
    expect(spanContext?.traceId).toBe(`0000000000000000${'f'.repeat(16)}`);
    expect(spanContext?.spanId).toBe('f'.repeat(16));
  });

  it.each([
    ['2', TraceFlags.SAMPLED],
    ['1', TraceFlags.SAMPLED],
    ['0', TraceFlags.NONE],
    ['-1', TraceFlags.NONE],
    ['garbage', TraceFlags.NONE],
  ])('maps sampling priority %s', (priority, flags) => {
    expect(parseDatadogHeaders(datadogHeaders({ priority }))?.traceFlags).toBe(flags);
  });

  it('ignores a _dd.p.tid that is not 16 lower-case hex digits', () => {
    for (const high of ['6541E8B100000000', '6541e8b1', 'zzzzzzzzzzzzzzzz']) {
      expect(parseDatadogHeaders(datadogHeaders({ high }))?.traceId).toBe(
        `0000000000000000${LOW_HEX}`,
      );
    }
  });

  it.each([
    ['a zero trace id', { 'x-datadog-trace-id': '0', 'x-datadog-parent-id': '5' }],
    ['a zero parent id', { 'x-datadog-trace-id': '5', 'x-datadog-parent-id': '0' }],
    [
      'an id above 2^64 - 1',
      { 'x-datadog-trace-id': '18446744073709551616', 'x-datadog-parent-id': '5' },
    ],
    [
      'a 21-digit id',
      { 'x-datadog-trace-id': '000000000000000000001', 'x-datadog-parent-id': '5' },
    ],
    ['a hex id', { 'x-datadog-trace-id': 'abc', 'x-datadog-parent-id': '5' }],
    ['a negative id', { 'x-datadog-trace-id': '-5', 'x-datadog-parent-id': '5' }],
    ['numbers instead of strings', { 'x-datadog-trace-id': 5, 'x-datadog-parent-id': 5 }],
    ['no parent id', { 'x-datadog-trace-id': '5' }],
  ])('rejects %s', (_name, headers) => {
    expect(parseDatadogHeaders(headers)).toBeUndefined();
  });

  it('rejects non-objects and inherited fields', () => {
    for (const value of [
      null,
      undefined,
      'x',
      5,
      [datadogHeaders()],
      Object.create(datadogHeaders()),
    ]) {
      expect(parseDatadogHeaders(value)).toBeUndefined();
    }
  });
});

describe('_datadog in records', () => {
  const json = JSON.stringify(datadogHeaders({ high: HIGH_HEX }));
  const expected = { traceId: `${HIGH_HEX}${LOW_HEX}`, spanId: SPAN_HEX };

  it.each([
    ['an SQS String attribute', sqsRecord({ messageAttributes: { _datadog: sqsAttribute(json) } })],
    [
      'an SQS Binary attribute',
      sqsRecord({ messageAttributes: { _datadog: sqsBinaryAttribute(json) } }),
    ],
    [
      'a String attribute of an SNS envelope in SQS',
      sqsRecord({
        body: snsNotificationBody({ MessageAttributes: { _datadog: snsAttribute(json) } }),
      }),
    ],
    [
      'a Binary attribute of an SNS envelope in SQS',
      sqsRecord({
        body: snsNotificationBody({
          MessageAttributes: {
            _datadog: snsAttribute(Buffer.from(json).toString('base64'), 'Binary'),
          },
        }),
      }),
    ],
    [
      'an SNS record attribute',
      snsRecord({ Sns: { MessageAttributes: { _datadog: snsAttribute(json) } } }),
    ],
    ['a JSON key of an SQS body', sqsRecord({ body: `{"order":1,"_datadog":${json}}` })],
    ['a JSON key of Kinesis data', kinesisRecord(`{"_datadog":${json},"order":1}`)],
  ])('reads %s', (_name, record) => {
    const extracted = extractRecordContext(record);
    expect(extracted.carrier).toBe('datadog');
    expect(extracted.format).toBe('datadog');
    expect(extracted.spanContext).toMatchObject({ ...expected, isRemote: true });
  });

  it('lets the W3C fields dd-trace also writes into _datadog win', () => {
    const w3c = numberedSpanContext(3);
    const headers = { ...datadogHeaders(), traceparent: traceparentOf(w3c), tracestate: 'dd=s:1' };
    const record = sqsRecord({
      messageAttributes: { _datadog: sqsAttribute(JSON.stringify(headers)) },
    });
    const extracted = extractRecordContext(record);
    expect(extracted).toMatchObject({ carrier: 'datadog', format: 'w3c' });
    expect(extracted.spanContext).toMatchObject({ traceId: w3c.traceId, spanId: w3c.spanId });
    expect(extracted.spanContext?.traceState?.get('dd')).toBe('s:1');
  });

  it.each([
    ['text that is not JSON', sqsAttribute('{"x-datadog-trace-id":')],
    ['a JSON array', sqsAttribute('[1]')],
    ['a Number attribute', sqsAttribute(json, 'Number')],
    ['base64 of garbage', sqsBinaryAttribute(Uint8Array.of(0xff, 0x00))],
  ])('starts a new trace for a _datadog attribute holding %s', (_name, attribute) => {
    const extracted = extractRecordContext(
      sqsRecord({ messageAttributes: { _datadog: attribute } }),
    );
    expect(extracted).toMatchObject({ carrier: 'none', spanContext: undefined });
  });
});
