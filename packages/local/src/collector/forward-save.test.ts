// Forwarding to another OTLP receiver (a second collector stands in for Jaeger), saving to
// OTLP/JSON Lines and loading back, and the start-up errors that name what to change.

import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { encodeTraceRequest } from '../../../tracebridge/src/setup/exporters/otlp/protobuf.js';
import { initTracing } from '../../../tracebridge/src/setup/index.js';
import { bulkySpans } from '../../../tracebridge/src/setup/test-support/spans.js';
import { resetTracing } from '../../../tracebridge/src/setup/test-support/reset.js';
import { CollectorStartError, SavedTracesError } from './errors.js';
import { loadSavedTraces, toOtlpJsonLine } from './save.js';
import { type RunningCollector, startCollector } from './server.js';
import { createTraceStore, type TraceStore } from './store.js';
import { exportOf, otlpSpan, traceIdOf } from './test-support/requests.js';

const directory = mkdtempSync(join(tmpdir(), 'tracebridge-collector-'));
const running: RunningCollector[] = [];

async function collectorWith(
  options: Parameters<typeof startCollector>[0],
): Promise<RunningCollector> {
  const collector = await startCollector({ port: 0, xrayPort: null, ...options });
  running.push(collector);
  return collector;
}

afterEach(() => {
  resetTracing();
});

afterAll(async () => {
  await Promise.all(running.map((collector) => collector.close()));
  rmSync(directory, { recursive: true, force: true });
});

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Sends one export of each kind: tracebridge protobuf, OTLP/JSON, X-Ray datagram. */
async function sendOneOfEach(collector: RunningCollector): Promise<string[]> {
  const tracing = initTracing({
    logLevel: 'none',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SERVICE_NAME: 'orders' },
  });
  const span = trace.getTracer('forward-test').startSpan('from tracebridge');
  span.end();
  await expect(tracing.forceFlush(5_000)).resolves.toMatchObject({ ok: true });

  const json = exportOf('json-sender', [
    otlpSpan({
      trace: 500,
      span: 1,
      attributes: [
        { key: 'ratio', value: { doubleValue: Number.POSITIVE_INFINITY } },
        { key: 'big', value: { intValue: '9223372036854775807' } },
      ],
    }),
  ]);
  const response = await fetch(`${collector.endpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // proto3 JSON: a non-finite double travels as a string.
    body: toOtlpJsonLine(json),
  });
  expect(response.status).toBe(200);

  const [udp] = bulkySpans(1, 10);
  const base64 = Buffer.from(encodeTraceRequest(udp ? [udp] : [])).toString('base64');
  const [host, port] = (collector.xrayAddress ?? '').split(':');
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.send(`{"format":"json","version":1}\nT1S${base64}`, Number(port), host, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
  socket.close();
  const traceIds = [span.spanContext().traceId, traceIdOf(500), udp?.spanContext().traceId ?? ''];
  await collector.store.waitFor(() => traceIds.every((id) => collector.store.getTrace(id)));
  return traceIds;
}

describe('forward', () => {
  it('re-sends every export, from HTTP and UDP alike, to another OTLP receiver', async () => {
    const backend = await collectorWith({});
    const collector = await collectorWith({ xrayPort: 0, forward: backend.endpoint });

    const traceIds = await sendOneOfEach(collector);

    await backend.store.waitFor(() => traceIds.every((id) => backend.store.getTrace(id)));
    expect(backend.store.getTrace(traceIds[0] ?? '')?.summary.rootService).toBe('orders');
    expect(backend.store.getTrace(traceIdOf(500))?.spans[0]?.attributes).toEqual({
      ratio: 'Infinity',
      big: '9223372036854775807',
    });
    // The backend stores an export before its answer reaches the forwarder.
    await vi.waitFor(() => {
      expect(collector.stats().forward).toMatchObject({
        target: `${backend.endpoint}/v1/traces`,
        sent: 3,
        failed: 0,
        dropped: 0,
      });
    });
  });

  it('counts failures, whether nothing listens or the backend refuses, and keeps ingesting', async () => {
    const backend = await collectorWith({});
    const nowhere = await collectorWith({ forward: `http://127.0.0.1:${await freePort()}` });
    const refused = await collectorWith({ forward: `${backend.endpoint}/v1/logs` });

    for (const collector of [nowhere, refused]) {
      const response = await fetch(`${collector.endpoint}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(exportOf('svc', [otlpSpan({ trace: 600, span: 1 })])),
      });
      expect(response.status).toBe(200);
      expect(collector.store.getTrace(traceIdOf(600))).toBeDefined();
    }

    await vi.waitFor(() => {
      expect(nowhere.stats().forward?.failed).toBe(1);
      expect(refused.stats().forward?.failed).toBe(1);
    });
    expect(nowhere.stats().forward?.lastError).toMatch(/ECONNREFUSED/);
    expect(refused.stats().forward?.lastError).toMatch(/the backend answered 404/);
  });
});

describe('save and load', () => {
  function withoutArrival(store: TraceStore, traceId: string): unknown {
    const detail = store.getTrace(traceId);
    return {
      ...detail,
      summary: { ...detail?.summary, lastReceivedMs: 0 },
      spans: detail?.spans.map((span) => ({ ...span, receivedMs: 0 })),
    };
  }

  it('writes one OTLP/JSON line per export that loads back into the same traces', async () => {
    const path = join(directory, 'run.jsonl');
    const collector = await collectorWith({ xrayPort: 0, save: path });
    const traceIds = await sendOneOfEach(collector);
    await collector.close();

    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const store = createTraceStore();
    await expect(loadSavedTraces(path, store)).resolves.toEqual({ exports: 3, spans: 3 });

    for (const traceId of traceIds) {
      expect(withoutArrival(store, traceId)).toEqual(withoutArrival(collector.store, traceId));
    }
    expect(collector.stats().save).toMatchObject({ written: 3, failed: 0, lastError: null });
  });

  it('names the file and line that is not an OTLP/JSON export', async () => {
    const path = join(directory, 'broken.jsonl');
    const good = JSON.stringify(exportOf('svc', [otlpSpan({ trace: 700, span: 1 })]));
    writeFileSync(path, `${good}\n{"resourceSpans": 7}\n`);
    const store = createTraceStore();

    const loading = loadSavedTraces(path, store);

    await expect(loading).rejects.toThrow(SavedTracesError);
    await expect(loading).rejects.toThrow(`${path} line 2 is not an OTLP/JSON trace export`);
    expect(store.getTrace(traceIdOf(700))).toBeDefined();
    await expect(loadSavedTraces(join(directory, 'missing.jsonl'), store)).rejects.toThrow(
      /cannot read saved traces from .*missing\.jsonl: ENOENT/,
    );
  });
});

describe('start-up errors', () => {
  it('names the option to change', async () => {
    await expect(
      startCollector({ port: 0, xrayPort: null, save: join(directory, 'no/such/dir/x') }),
    ).rejects.toThrow(/--save .* cannot be opened for writing/);
    await expect(
      startCollector({ port: 0, xrayPort: null, forward: 'ftp://example.com' }),
    ).rejects.toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    await expect(startCollector({ port: 70_000 })).rejects.toThrow(CollectorStartError);
  });

  it('refuses a port in use, and a forward to itself', async () => {
    const first = await collectorWith({});
    const taken = startCollector({ port: first.port, xrayPort: null });
    await expect(taken).rejects.toThrow(CollectorStartError);
    await expect(taken).rejects.toMatchObject({ cause: { code: 'EADDRINUSE' } });

    const port = await freePort();
    await expect(
      startCollector({ port, xrayPort: null, forward: `http://localhost:${port}` }),
    ).rejects.toThrow(/is this collector itself/);
    // The refused collector let its port go.
    await collectorWith({ port });
  });
});
