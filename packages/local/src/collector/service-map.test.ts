// The service map: its sums over hand-made traces, and GET /api/service-map over HTTP with
// its parameters checked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from './server.js';
import { buildServiceMap, type ServiceMap } from './service-map.js';
import { createTraceStore, type TraceStore } from './store.js';
import { exportOf, otlpSpan } from './test-support/requests.js';

const PRODUCER = 4; // OTLP SpanKind
const SERVER = 2;
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A message trace (place order -> send -> process) and the consumer's invocation trace. */
function addMessage(store: TraceStore, trace: number, failed: boolean): void {
  const base = trace * 10;
  store.add(
    exportOf('producer', [
      otlpSpan({ trace, span: base, name: 'place order', durationMs: 50 }),
      otlpSpan({
        trace,
        span: base + 1,
        parent: base,
        name: 'send OrdersQueue',
        kind: PRODUCER,
        durationMs: 20,
        attributes: [
          text('messaging.system', 'aws_sqs'),
          text('messaging.destination.name', 'OrdersQueue'),
        ],
      }),
    ]),
  );
  store.add(
    exportOf('consumer', [
      otlpSpan({
        trace,
        span: base + 2,
        parent: base + 1,
        name: 'process OrdersQueue',
        kind: SERVER,
        startMs: 100,
        durationMs: 5,
        error: failed,
        attributes: [
          text('messaging.system', 'aws_sqs'),
          text('messaging.destination.name', 'OrdersQueue'),
          { key: 'tracebridge.message.wait_ms', value: { intValue: String(trace * 100) } },
        ],
        links: [{ trace: trace + 50, span: base + 5 }],
      }),
      otlpSpan({ trace: trace + 50, span: base + 5, name: 'Invoke consumer', kind: SERVER }),
    ]),
  );
}

describe('buildServiceMap', () => {
  it('routes producer spans through their queue, sums counts, errors and latency, and keeps links apart', () => {
    const store = createTraceStore();
    addMessage(store, 1, false);
    addMessage(store, 2, true);

    const map = buildServiceMap(store);

    expect(map.traces).toBe(4);
    expect(map.nodes).toEqual(
      expect.arrayContaining([
        { id: 'service:producer', name: 'producer', kind: 'service', spanCount: 4, errorCount: 0 },
        {
          id: 'destination:OrdersQueue',
          name: 'OrdersQueue',
          kind: 'queue',
          spanCount: 2,
          errorCount: 0,
        },
        { id: 'service:consumer', name: 'consumer', kind: 'service', spanCount: 4, errorCount: 1 },
      ]),
    );
    expect(map.nodes).toHaveLength(3);
    const edge = (from: string, to: string) =>
      map.edges.find((e) => e.from === from && e.to === to);
    expect(edge('service:producer', 'destination:OrdersQueue')).toEqual({
      from: 'service:producer',
      to: 'destination:OrdersQueue',
      kind: 'call',
      count: 2,
      errorCount: 0,
      errorRate: 0,
      meanLatencyMs: 20,
    });
    // Out of the queue: the consumers' recorded waits (100 and 200 ms), one of two failed.
    expect(edge('destination:OrdersQueue', 'service:consumer')).toMatchObject({
      kind: 'call',
      count: 2,
      errorCount: 1,
      errorRate: 0.5,
      meanLatencyMs: 150,
    });
    // The producer never calls the consumer directly: the queue stands between them.
    expect(edge('service:producer', 'service:consumer')).toBeUndefined();
    // Links within one service (consumer span -> its invocation) are no edge.
    expect(map.edges.filter((e) => e.kind === 'link')).toEqual([]);
  });

  it('draws a link to another service as a link edge, and a plain call between services', () => {
    const store = createTraceStore();
    store.add(exportOf('lambda', [otlpSpan({ trace: 2, span: 20, name: 'Invoke', kind: SERVER })]));
    store.add(
      exportOf('api', [otlpSpan({ trace: 1, span: 10, name: 'GET /orders', durationMs: 30 })]),
    );
    store.add(
      exportOf('orders', [
        otlpSpan({
          trace: 1,
          span: 11,
          parent: 10,
          durationMs: 8,
          links: [{ trace: 2, span: 20 }],
        }),
      ]),
    );

    const { edges } = buildServiceMap(store);

    expect(edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          from: 'service:api',
          to: 'service:orders',
          kind: 'call',
          meanLatencyMs: 8,
        }),
        expect.objectContaining({
          from: 'service:orders',
          to: 'service:lambda',
          kind: 'link',
          meanLatencyMs: null,
        }),
      ]),
    );
  });

  it('is empty for an empty store', () => {
    expect(buildServiceMap(createTraceStore())).toEqual({ nodes: [], edges: [], traces: 0 });
  });
});

describe('GET /api/service-map', () => {
  let collector: RunningCollector;

  beforeAll(async () => {
    collector = await startCollector({ port: 0, xrayPort: null });
    addMessage(collector.store, 1, false);
    addMessage(collector.store, 2, false);
  });

  afterAll(async () => {
    await collector.close();
  });

  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${collector.endpoint}${path}`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return { status: response.status, body: await response.json() };
  }

  it('answers the map of every trace, or of the traces a filter keeps', async () => {
    const all = await get('/api/service-map');
    expect(all.status).toBe(200);
    expect((all.body as ServiceMap).traces).toBe(4);

    const oneService = await get('/api/service-map?service=producer&limit=1');
    expect(oneService.status).toBe(200);
    expect((oneService.body as ServiceMap).traces).toBe(1);

    // The second message waited 200 ms: its trace alone, with only its invocation linked.
    const oneMessage = await get('/api/service-map?attribute=tracebridge.message.wait_ms%3D200');
    expect(oneMessage.status).toBe(200);
    expect(oneMessage.body).toMatchObject({
      traces: 1,
      edges: expect.arrayContaining([
        expect.objectContaining({ to: 'service:consumer', count: 1, meanLatencyMs: 200 }),
      ]) as unknown,
    });
  });

  it.each([
    ['limit=0', 'limit "0" must be a whole number from 1 to 1000'],
    ['limit=abc', 'limit "abc" must be a whole number from 1 to 1000'],
    ['traceId=xyz', 'traceId "xyz" is not a trace id prefix: give 1 to 32 hex digits'],
    ['service=', 'service must be 1 to 256 characters'],
    ['colour=red', 'unknown parameter "colour": use service, name, traceId, attribute, limit'],
    [
      'attribute==200',
      'attribute "=200" needs a key and a value: give key=value, or text without "=" to search every attribute\'s value',
    ],
    ['attribute=', 'attribute must be 1 to 256 characters'],
    ['limit=1&limit=2', 'parameter "limit" is given twice'],
  ])('refuses %s with a 400 that names the problem', async (query, error) => {
    expect(await get(`/api/service-map?${query}`)).toEqual({ status: 400, body: { error } });
  });

  it('answers GET only', async () => {
    const response = await fetch(`${collector.endpoint}/api/service-map`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});
