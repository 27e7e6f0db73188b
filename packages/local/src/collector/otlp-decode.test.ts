import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeExportTraceServiceRequest } from './otlp-decode.js';
import { parseOtlpJson } from './otlp-json.js';
import { ProtobufDecodeError } from './protobuf-reader.js';

const REMOTE_PARENT = {
  traceId: '5759e988bd862e3fe1be46a994272793',
  spanId: '53995c3f42cd8ad8',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

function sampleSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'faas.max_memory': 134217728 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('scope-a', '1.2.3');
  const parent = tracer.startSpan(
    'parent',
    {
      kind: SpanKind.SERVER,
      startTime: [1_700_000_000, 123_456_789],
      attributes: {
        text: 'héllo ✓',
        flag: false,
        small: 7,
        negative: -5,
        huge: 2 ** 60,
        ratio: 1.5,
        names: ['a', 'b'],
        holes: ['x', null, 'y'],
      },
    },
    trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT),
  );
  const child = tracer.startSpan(
    'child',
    {
      kind: SpanKind.CONSUMER,
      links: [{ context: REMOTE_PARENT, attributes: { 'link.kind': 'message' } }],
    },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  child.addEvent('retry', { attempt: 2 }, [1_700_000_001, 5]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  child.end([1_700_000_002, 0]);
  parent.end([1_700_000_003, 999_999_999]);
  provider.getTracer('scope-b').startSpan('other').end();
  return exporter.getFinishedSpans();
}

describe('decodeExportTraceServiceRequest', () => {
  it('reads what the official OpenTelemetry serializer writes', () => {
    const spans = sampleSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    if (!bytes) throw new Error('the official serializer returned nothing');

    const request = decodeExportTraceServiceRequest(bytes);

    const [resourceSpans] = request.resourceSpans;
    expect(request.resourceSpans).toHaveLength(1);
    expect(resourceSpans?.resource.attributes).toContainEqual({
      key: 'faas.max_memory',
      value: { intValue: '134217728' },
    });
    expect(resourceSpans?.scopeSpans.map((scope) => scope.scope.name)).toEqual([
      'scope-a',
      'scope-b',
    ]);
    const spansA = resourceSpans?.scopeSpans[0];
    expect(spansA?.scope.version).toBe('1.2.3');
    const child = spansA?.spans.find((span) => span.name === 'child');
    const parent = spansA?.spans.find((span) => span.name === 'parent');
    expect(parent).toMatchObject({
      traceId: REMOTE_PARENT.traceId,
      parentSpanId: REMOTE_PARENT.spanId,
      kind: 2,
      flags: 0x301,
      startTimeUnixNano: '1700000000123456789',
      endTimeUnixNano: '1700000003999999999',
      status: { code: 0, message: '' },
    });
    expect(parent?.attributes).toEqual([
      { key: 'text', value: { stringValue: 'héllo ✓' } },
      { key: 'flag', value: { boolValue: false } },
      { key: 'small', value: { intValue: '7' } },
      { key: 'negative', value: { intValue: '-5' } },
      { key: 'huge', value: { intValue: '1152921504606846976' } },
      { key: 'ratio', value: { doubleValue: 1.5 } },
      {
        key: 'names',
        value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
      },
      {
        key: 'holes',
        value: { arrayValue: { values: [{ stringValue: 'x' }, {}, { stringValue: 'y' }] } },
      },
    ]);
    expect(child).toMatchObject({
      parentSpanId: parent?.spanId,
      kind: 5,
      flags: 0x101,
      status: { code: 2, message: 'boom' },
      events: [
        {
          name: 'retry',
          timeUnixNano: '1700000001000000005',
          attributes: [{ key: 'attempt', value: { intValue: '2' } }],
        },
      ],
      links: [
        {
          traceId: REMOTE_PARENT.traceId,
          spanId: REMOTE_PARENT.spanId,
          flags: 0x301,
          attributes: [{ key: 'link.kind', value: { stringValue: 'message' } }],
        },
      ],
    });
  });

  it('skips fields it does not know, at any depth', () => {
    const unknownFixed32 = [0x95, 0x03, 1, 2, 3, 4]; // field 50, wire type 5
    const span = [0x2a, 0x01, 0x78, ...unknownFixed32]; // name "x"
    const scopeSpans = [0x12, span.length, ...span];
    const resourceSpans = [0x12, scopeSpans.length, ...scopeSpans];
    const unknownVarint = [0xf8, 0x06, 0x01]; // field 111, wire type 0
    const bytes = new Uint8Array([0x0a, resourceSpans.length, ...resourceSpans, ...unknownVarint]);

    const request = decodeExportTraceServiceRequest(bytes);

    expect(request.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe('x');
  });

  it('reads a body inside a larger buffer, and turns invalid UTF-8 into U+FFFD', () => {
    const name = [0x61, 0xff, 0x62]; // "a", a byte no UTF-8 sequence starts with, "b"
    const spanId = [0x12, 0x08, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03];
    const span = [0x2a, name.length, ...name, ...spanId];
    const scopeSpans = [0x12, span.length, ...span];
    const resourceSpans = [0x12, scopeSpans.length, ...scopeSpans];
    const body = [0x0a, resourceSpans.length, ...resourceSpans];
    const padded = Buffer.from([0xff, 0xff, ...body, 0xff]);

    for (const bytes of [new Uint8Array(body), padded.subarray(2, 2 + body.length)]) {
      const decoded = decodeExportTraceServiceRequest(bytes).resourceSpans[0]?.scopeSpans[0];
      expect(decoded?.spans[0]).toMatchObject({ name: 'a\ufffdb', spanId: 'deadbeef00010203' });
    }
  });

  it('rejects truncated and malformed bodies with a decode error', () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(sampleSpans());
    if (!bytes) throw new Error('the official serializer returned nothing');

    expect(() => decodeExportTraceServiceRequest(bytes.subarray(0, bytes.length - 3))).toThrow(
      ProtobufDecodeError,
    );
    // Field 1 (resource_spans) as a varint instead of a sub-message.
    expect(() => decodeExportTraceServiceRequest(new Uint8Array([0x08, 0x01]))).toThrow(
      ProtobufDecodeError,
    );
  });
});

describe('decodeExportTraceServiceRequest on a batch', () => {
  it('decodes spans that repeat keys, values and ids as the JSON serializer describes them', () => {
    // A consumer's batch: message spans sharing keys and most values, each linking to one
    // invocation span that links back to each message; decoded twice, so that the second
    // pass meets the text and ids the first one left behind.
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'orders-consumer' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('tracebridge', '0.1.0');
    const invocation = tracer.startSpan('orders-consumer', { kind: SpanKind.SERVER });
    const messages = Array.from({ length: 40 }, (_, index) => {
      const message = tracer.startSpan('process orders', {
        kind: SpanKind.SERVER,
        attributes: {
          'messaging.system': 'aws_sqs',
          'messaging.message.id': `message-${index}`,
          'tracebridge.message.wait_ms': index * 1_000_003,
          'order.total': -index - 0.5,
          'order.lines': -index,
          'order.id': `order-${index % 7}`,
          'order.note': 'ünïcode ✓'.repeat(index % 3),
        },
        links: [{ context: invocation.spanContext() }],
      });
      message.end();
      return message;
    });
    for (const message of messages) invocation.addLink({ context: message.spanContext() });
    invocation.end();
    const spans = exporter.getFinishedSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    const json = JsonTraceSerializer.serializeRequest(spans);
    if (!bytes || !json) throw new Error('the official serializers returned nothing');

    const fromJson = parseOtlpJson(JSON.parse(new TextDecoder().decode(json)));

    expect(decodeExportTraceServiceRequest(bytes)).toEqual(fromJson);
    expect(decodeExportTraceServiceRequest(bytes)).toEqual(fromJson);
  });
});

describe('parseOtlpJson', () => {
  it("reads the official JSON serializer's output into the same model as the protobuf", () => {
    const spans = sampleSpans();
    const json = JsonTraceSerializer.serializeRequest(spans);
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    if (!json || !bytes) throw new Error('the official serializers returned nothing');

    const fromJson = parseOtlpJson(JSON.parse(new TextDecoder().decode(json)));

    expect(fromJson).toEqual(decodeExportTraceServiceRequest(bytes));
  });
});
