// A client for the hostile-input suites: raw HTTP requests over one keep-alive agent (so a
// phase's leftovers can be closed before the next), OTLP exports built by OpenTelemetry's own
// SDK and serializer, and the few protobuf bytes the suites forge by hand.

import http from 'node:http';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { varint } from '../../../src/collector/otlp-http.js';
import { fieldNumber, ProtobufReader } from '../../../src/collector/protobuf-reader.js';

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

export const PROTOBUF = { 'content-type': 'application/x-protobuf' } as const;
export const JSON_TYPE = { 'content-type': 'application/json' } as const;

/** Requests through one agent of up to `maxSockets` connections, which `reset` closes. */
export function createClient(
  endpoint: string,
  maxSockets = 16,
): {
  request(
    body: Uint8Array | string | undefined,
    headers: Readonly<Record<string, string>>,
    options?: { readonly method?: string; readonly path?: string },
  ): Promise<Answer>;
  reset(): void;
} {
  let agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    request(body, headers, { method = 'POST', path = '/v1/traces' } = {}) {
      return new Promise((resolve, reject) => {
        const request = http.request(
          `${endpoint}${path}`,
          { method, headers, agent },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              resolve({
                status: response.statusCode ?? 0,
                contentType: response.headers['content-type'] ?? '',
                body: Buffer.concat(chunks),
              });
            });
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      });
    },
    reset() {
      agent.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets });
    },
  };
}

/** The message of a 4xx answer: a google.rpc.Status in protobuf (field 2), or JSON. */
export function messageOf(answer: Answer): string {
  if (answer.contentType.startsWith('application/json')) {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { message?: string; error?: string };
    return parsed.message ?? parsed.error ?? '';
  }
  const reader = new ProtobufReader(answer.body);
  expect(fieldNumber(reader.fieldTag())).toBe(2);
  return reader.string();
}

/** Finished spans from the official SDK: one trace of `spansPerTrace` spans per trace asked. */
export function officialSpans(service: string, traces = 1, spansPerTrace = 2): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('collector-hostile');
  for (let t = 0; t < traces; t++) {
    const root = tracer.startSpan(`${service} root`, {
      kind: SpanKind.SERVER,
      attributes: { 'messaging.system': 'aws_sqs', attempt: t, ok: true, ratio: 0.5 },
    });
    root.addEvent('received', { size: 42 });
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (let s = 1; s < spansPerTrace; s++) {
      tracer
        .startSpan(
          `${service} child ${s}`,
          {
            kind: SpanKind.PRODUCER,
            links: [{ context: root.spanContext(), attributes: { why: 'batch' } }],
            attributes: { tags: ['a', 'b'] },
          },
          parent,
        )
        .end();
    }
    root.end();
  }
  return exporter.getFinishedSpans();
}

/** The protobuf body the official serializer makes for `spans`. */
export function protobufOf(spans: ReadableSpan[]): Uint8Array {
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('the serializer returned nothing');
  return body;
}

/**
 * Posts an official protobuf export and checks, through the read API, that the collector
 * stored both its spans: whatever came before, it still serves.
 */
export async function expectAcceptsOfficialExport(
  client: ReturnType<typeof createClient>,
  service: string,
): Promise<void> {
  const spans = officialSpans(service);
  const answer = await client.request(protobufOf(spans), PROTOBUF);
  expect(answer.status).toBe(200);
  const traceId = spans[0]?.spanContext().traceId ?? '';
  const detail = await client.request(
    undefined,
    {},
    { method: 'GET', path: `/api/traces/${traceId}` },
  );
  expect(detail.status).toBe(200);
  const parsed = JSON.parse(detail.body.toString('utf8')) as {
    summary: { rootService: string; spanCount: number };
  };
  expect(parsed.summary).toMatchObject({ rootService: service, spanCount: 2 });
}

/** A length-delimited field (wire type 2). */
export function field(fieldNumber: number, content: Uint8Array): Buffer {
  return Buffer.concat([varint(fieldNumber * 8 + 2), varint(content.length), content]);
}

/** An ExportTraceServiceRequest of one resource and one scope around these encoded spans. */
export function requestAround(encodedSpans: Uint8Array): Buffer {
  return field(1, field(2, encodedSpans));
}
