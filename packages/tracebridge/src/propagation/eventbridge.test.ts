import { ROOT_CONTEXT } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { frozen, spyOnDiag } from '../test-support/guards.js';
import {
  contextWith,
  eventBridgeEvent,
  eventBridgeEventBody,
  eventBridgeEventFromPut,
  numberedSpanContext,
  otelMemberOf,
  remoteSpanContext,
  sqsRecord,
  sqsRecordFromPutEvents,
  traceparentOf,
  xrayHeaderOf,
} from '../test-support/records.js';
import {
  eventBridgeEntryByteLength,
  type EventBridgeEntryInput,
  injectEventBridgeEntry,
} from './eventbridge.js';
import { MAX_EVENTBRIDGE_PUT_EVENTS_BYTES } from './limits.js';
import { extractRecordContext, recordPayload } from './record.js';

const diagSpy = spyOnDiag();
beforeEach(() => {
  diagSpy.reset();
});

const span = remoteSpanContext();
const context = contextWith(span);
const MEMBER = otelMemberOf(span);
const entry = (Detail?: string): EventBridgeEntryInput => ({
  Source: 'com.example.orders',
  DetailType: 'OrderPlaced',
  Detail,
});

describe('injectEventBridgeEntry', () => {
  it('inserts _otel into the Detail textually and sets TraceHeader in X-Ray format', () => {
    expect(injectEventBridgeEntry(entry('{ "id" : 1 }'), context)).toEqual({
      ...entry(`{${MEMBER}, "id" : 1 }`),
      TraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
  });

  it.each([
    ['text', 'order placed'],
    ['a JSON array', '[{"id":1}]'],
    ['a JSON string', '"{}"'],
    ['truncated JSON', '{"id":1'],
    ['no Detail', undefined],
  ])('gives a Detail that is %s only the TraceHeader', (_name, detail) => {
    expect(injectEventBridgeEntry(entry(detail), context)).toEqual({
      ...entry(detail),
      TraceHeader: xrayHeaderOf(span),
    });
  });

  it('keeps a TraceHeader the user set', () => {
    const own = xrayHeaderOf(numberedSpanContext(1));
    const injected = injectEventBridgeEntry({ ...entry('{}'), TraceHeader: own }, context);
    expect(injected.TraceHeader).toBe(own);
    expect(injected.Detail).toBe(`{${MEMBER}}`);
  });

  it('returns the entry itself without a span', () => {
    const plain = entry('{}');
    expect(injectEventBridgeEntry(plain, ROOT_CONTEXT)).toBe(plain);
  });

  it('never mutates a frozen entry', () => {
    const { input, snapshot } = frozen({
      ...entry('{"a":1}'),
      Time: new Date(0),
      Resources: ['arn:x'],
    });
    const injected = injectEventBridgeEntry(input, context);
    expect(input).toEqual(snapshot);
    expect(injected.Detail).toBe(`{${MEMBER},"a":1}`);
  });
});

describe('the 256 KiB entry size', () => {
  it('is counted as AWS documents it: Time as 14 bytes, then UTF-8 bytes of the rest', () => {
    const counted = {
      Time: new Date(0),
      Source: 'com.example.orders',
      DetailType: 'Order placé',
      Detail: '{"a":"😀"}',
      Resources: ['arn:aws:s3:::b', 'é'],
      TraceHeader: 'not counted',
    };
    expect(eventBridgeEntryByteLength(counted)).toBe(14 + 18 + 12 + 12 + 14 + 2);
    expect(eventBridgeEntryByteLength({})).toBe(0);
  });

  /** A Detail that, once injected, makes the entry exactly `total` bytes. */
  function detailInjectedTo(total: number): string {
    const fixed = eventBridgeEntryByteLength(entry('{"pad":""}')) + MEMBER.length + 1;
    return `{"pad":"${'x'.repeat(total - fixed)}"}`;
  }

  it.each([
    ['exactly at the limit', 0, true],
    ['one byte over', 1, false],
  ])('with the injected entry %s: _otel inserted %s', (_name, offset, inserted) => {
    const original = entry(detailInjectedTo(MAX_EVENTBRIDGE_PUT_EVENTS_BYTES + offset));
    const injected = injectEventBridgeEntry(original, context);
    expect(injected.Detail !== original.Detail).toBe(inserted);
    expect(injected.TraceHeader).toBe(xrayHeaderOf(span));
    expect(eventBridgeEntryByteLength(injected)).toBeLessThanOrEqual(
      MAX_EVENTBRIDGE_PUT_EVENTS_BYTES,
    );
    expect(diagSpy.warnings).toHaveLength(inserted ? 0 : 1);
  });
});

describe('reading EventBridge events', () => {
  const detail = '{"id":12345678901234567890123,\t"items" : [ "😀", "e\u0301" ]}';
  const injected = injectEventBridgeEntry(entry(detail), context);

  it('reads an event delivered straight to Lambda; the payload is the detail without _otel', () => {
    const event = eventBridgeEventFromPut(injected);
    expect(extractRecordContext(event)).toMatchObject({
      carrier: 'json-payload',
      format: 'w3c',
      recordSource: 'aws.events',
      wrapped: undefined,
      spanContext: { traceId: span.traceId, spanId: span.spanId, isRemote: true },
    });
    expect(JSON.parse(recordPayload(event).text)).toEqual(JSON.parse(detail));
  });

  it('reads an event delivered through SQS; the payload is the detail text cut from the body', () => {
    const record = sqsRecordFromPutEvents(injected);
    expect(extractRecordContext(record)).toMatchObject({
      carrier: 'json-payload',
      recordSource: 'aws:sqs',
      wrapped: 'eventbridge',
      spanContext: { spanId: span.spanId },
    });
    expect(recordPayload(record).text).toBe(detail);
  });

  it('reads CloudEvents and _datadog keys of a detail too', () => {
    const other = numberedSpanContext(2);
    const cloudEvent = {
      specversion: '1.0',
      id: '1',
      source: 's',
      type: 't',
      traceparent: traceparentOf(other),
    };
    expect(extractRecordContext(eventBridgeEvent(cloudEvent))).toMatchObject({
      carrier: 'cloudevents',
      spanContext: { spanId: other.spanId },
    });
  });

  it.each([
    ['a string', '"hello"'],
    ['an array', '[1]'],
    ['a number', '5'],
    ['null', 'null'],
    ['an object of objects', '{"traceparent":{"deep":{"er":1}}}'],
  ])('keeps a user’s own _otel that is %s, and does not lose the context', (_name, own) => {
    const detailWithOwn = `{"_otel":${own},"a":1}`;
    const sent = injectEventBridgeEntry(entry(detailWithOwn), context);
    expect(sent.TraceHeader).toBe(xrayHeaderOf(span));
    const direct = eventBridgeEventFromPut(sent);
    expect(JSON.parse(recordPayload(direct).text)).toEqual(JSON.parse(detailWithOwn));
    expect(extractRecordContext(direct).spanContext?.spanId ?? span.spanId).toBe(span.spanId);
    expect(recordPayload(sqsRecordFromPutEvents(sent)).text).toBe(detailWithOwn);
  });

  it('starts a new trace for an event without context and keeps its detail', () => {
    const event = eventBridgeEvent({ a: [1, { b: null }] });
    expect(extractRecordContext(event)).toMatchObject({ carrier: 'none', context: ROOT_CONTEXT });
    expect(recordPayload(event).text).toBe('{"a":[1,{"b":null}]}');
    expect(recordPayload(eventBridgeEvent('text')).text).toBe('"text"');
  });
});

describe('details nested deeper than JSON.stringify goes', () => {
  const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;

  it('in an event delivered to Lambda: the context is read and the payload is whole', () => {
    const event = eventBridgeEvent({ _otel: { traceparent: traceparentOf(span) }, deep });
    expect(extractRecordContext(event).spanContext?.spanId).toBe(span.spanId);
    expect(recordPayload(event).text).toBe(`{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(diagSpy.warnings).toEqual([]);
  });

  it('in an SQS body: the detail is cut out whatever its depth', () => {
    const detail = `{${MEMBER},"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const record = sqsRecord({ body: eventBridgeEventBody(detail) });
    expect(extractRecordContext(record).spanContext?.spanId).toBe(span.spanId);
    expect(recordPayload(record).text).toBe(
      `{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
  });
});
