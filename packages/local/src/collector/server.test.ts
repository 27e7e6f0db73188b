// The OTLP/HTTP receiver against real exporters: tracebridge's own (protobuf, JSON, gzip,
// driven through initTracing as a function would) and OpenTelemetry's official ones.

import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initTracing } from '../../../tracebridge/src/setup/index.js';
import { resetTracing } from '../../../tracebridge/src/setup/test-support/reset.js';
import { type RunningCollector, startCollector } from './server.js';
import { exportOf, otlpSpan, traceIdOf } from './test-support/requests.js';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, xrayPort: null });
});

afterAll(async () => {
  await collector.close();
});

afterEach(() => {
  resetTracing();
});

/** Ends a parent span with a child linked to `linkTo`, and returns the parent's trace id. */
function endLinkedPair(name: string): string {
  const tracer = trace.getTracer('collector-test');
  return tracer.startActiveSpan(`${name} parent`, { kind: SpanKind.SERVER }, (parent) => {
    const child = tracer.startSpan(`${name} child`, {
      kind: SpanKind.PRODUCER,
      links: [{ context: parent.spanContext(), attributes: { why: 'test' } }],
    });
    child.end();
    parent.end();
    return parent.spanContext().traceId;
  });
}

function officialSpans(service: string): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('official');
  const root = tracer.startSpan('official root');
  tracer.startSpan('official child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  root.end();
  return exporter.getFinishedSpans();
}

describe("tracebridge's OTLP exporter", () => {
  it.each([
    { protocol: 'http/protobuf', compression: 'none', contentType: 'application/x-protobuf' },
    { protocol: 'http/json', compression: 'none', contentType: 'application/json' },
    { protocol: 'http/protobuf', compression: 'gzip', contentType: 'application/x-protobuf' },
    { protocol: 'http/json', compression: 'gzip', contentType: 'application/json' },
  ])('delivers spans over $protocol with compression $compression', async (setting) => {
    const tracing = initTracing({
      logLevel: 'none',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: setting.protocol,
        OTEL_EXPORTER_OTLP_COMPRESSION: setting.compression,
        OTEL_SERVICE_NAME: 'orders',
      },
    });
    const traceId = endLinkedPair(`${setting.protocol} ${setting.compression}`);

    await expect(tracing.forceFlush(5_000)).resolves.toEqual({ ok: true, timedOut: false });

    const stored = collector.store.getTrace(traceId);
    expect(stored?.summary).toMatchObject({ rootService: 'orders', spanCount: 2, hasRoot: true });
    const [parent, child] = stored?.spans ?? [];
    expect(parent).toMatchObject({ kind: 'server', depth: 0 });
    expect(child).toMatchObject({ kind: 'producer', depth: 1, parentSpanId: parent?.spanId });
    expect(child?.links[0]).toMatchObject({
      spanId: parent?.spanId,
      spanInStore: true,
      attributes: { why: 'test' },
    });
    expect(parent?.resource.attributes['service.name']).toBe('orders');
  });
});

describe("OpenTelemetry's official exporters and serializers", () => {
  it.each([CompressionAlgorithm.NONE, CompressionAlgorithm.GZIP])(
    'accepts @opentelemetry/exporter-trace-otlp-proto with compression %s',
    async (compression) => {
      const exporter = new OTLPTraceExporter({
        url: `${collector.endpoint}/v1/traces`,
        compression,
      });
      const spans = officialSpans(`official-${compression}`);

      const result = await new Promise((resolve) => {
        exporter.export(spans, resolve);
      });

      expect(result).toMatchObject({ code: 0 });
      const traceId = spans[0]?.spanContext().traceId ?? '';
      expect(collector.store.getTrace(traceId)?.summary).toMatchObject({
        rootName: 'official root',
        rootService: `official-${compression}`,
        spanCount: 2,
      });
      await exporter.shutdown();
    },
  );

  it('answers a protobuf export with an empty protobuf response', async () => {
    const body = ProtobufTraceSerializer.serializeRequest(officialSpans('proto-plain'));

    const response = await fetch(`${collector.endpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      // Copied into a plain ArrayBuffer, the only kind the DOM's BodyInit takes.
      body: body && new Uint8Array(body),
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers a JSON export, gzipped or not, with an empty JSON response', async () => {
    const json = JsonTraceSerializer.serializeRequest(officialSpans('json-official'));
    if (!json) throw new Error('the serializer returned nothing');

    for (const gzip of [false, true]) {
      const response = await fetch(`${collector.endpoint}/v1/traces`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        },
        body: gzip ? new Uint8Array(gzipSync(json)) : new Uint8Array(json),
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({});
    }
    expect(collector.store.listTraces({ service: 'json-official' }).traces).toHaveLength(1);
  });

  it('reports spans with invalid ids as a partial success', async () => {
    const request = exportOf('partial', [
      otlpSpan({ trace: 900, span: 1 }),
      { ...otlpSpan({ trace: 900, span: 2 }), spanId: 'zz' },
    ]);

    const response = await fetch(`${collector.endpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: expect.stringContaining('valid trace id') as unknown,
      },
    });
    expect(collector.store.getTrace(traceIdOf(900))?.spans).toHaveLength(1);
  });
});
