// The read API over real HTTP: what `tracebridge traces` and the viewer will call.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIST_LIMIT } from './api.js';
import { type RunningCollector, startCollector } from './server.js';
import type { TraceStoreStats } from './store.js';
import { exportOf, otlpSpan, spanIdOf, traceIdOf } from './test-support/requests.js';
import type { TraceDetail, TraceSummary } from './trace-view.js';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({ port: 0, xrayPort: null });
  const { store } = collector;
  store.add(
    exportOf('lambda', [otlpSpan({ trace: 2, span: 20, name: 'Invoke consumer', startMs: 20 })]),
  );
  store.add(exportOf('producer', [otlpSpan({ trace: 1, span: 10, name: 'produce', startMs: 5 })]));
  store.add(
    exportOf('consumer', [
      otlpSpan({
        trace: 1,
        span: 11,
        parent: 10,
        name: 'process orders',
        startMs: 6,
        attributes: [
          { key: 'order.id', value: { stringValue: 'Order-0007' } },
          { key: 'order.items', value: { intValue: '3' } },
        ],
        links: [{ trace: 2, span: 20 }],
      }),
    ]),
  );
});

afterAll(async () => {
  await collector.close();
});

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${collector.endpoint}${path}`);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: response.status, body: await response.json() };
}

describe('GET /api/traces', () => {
  it('lists summaries newest first', async () => {
    const { status, body } = await get('/api/traces');

    expect(status).toBe(200);
    const { traces, matched } = body as { traces: TraceSummary[]; matched: number };
    expect(matched).toBe(2);
    expect(traces.map((trace) => [trace.traceId, trace.rootName, trace.services])).toEqual([
      [traceIdOf(2), 'Invoke consumer', ['lambda']],
      [traceIdOf(1), 'produce', ['producer', 'consumer']],
    ]);
  });

  it('filters by service, name, trace id prefix and limit', async () => {
    const ids = async (query: string): Promise<string[]> =>
      ((await get(`/api/traces?${query}`)).body as { traces: TraceSummary[] }).traces.map(
        (trace) => trace.traceId,
      );

    expect(await ids('service=consumer')).toEqual([traceIdOf(1)]);
    expect(await ids('name=invoke')).toEqual([traceIdOf(2)]);
    expect(await ids(`traceId=${traceIdOf(1).slice(0, 31).toUpperCase()}`)).toEqual([traceIdOf(1)]);
    expect(await ids('limit=1')).toEqual([traceIdOf(2)]);
    expect(await ids('service=nobody')).toEqual([]);
  });

  it('filters by attribute: key=value exactly, or a value alone contained, ignoring case', async () => {
    const ids = async (attribute: string): Promise<string[]> => {
      const query = new URLSearchParams({ attribute }).toString();
      const { status, body } = await get(`/api/traces?${query}`);
      expect(status).toBe(200);
      return (body as { traces: TraceSummary[] }).traces.map((trace) => trace.traceId);
    };

    expect(await ids('order.id=Order-0007')).toEqual([traceIdOf(1)]);
    expect(await ids('order.id=order-0007')).toEqual([]);
    expect(await ids('order.items=3')).toEqual([traceIdOf(1)]);
    expect(await ids('order-0007')).toEqual([traceIdOf(1)]);
    expect(await ids('order-0008')).toEqual([]);
    // Split at the first "=": the value may hold one.
    expect(await ids('order.id=Order-0007=')).toEqual([]);
    // The "=" need not be encoded.
    expect((await get('/api/traces?attribute=order.id=Order-0007')).body).toMatchObject({
      matched: 1,
    });
  });

  it.each([
    ['color=red', /unknown parameter "color": use service, name, traceId, attribute, limit/],
    ['attribute=', /attribute must be 1 to 256 characters/],
    [`attribute=${'x'.repeat(257)}`, /attribute must be 1 to 256 characters/],
    ['attribute=%3Dorder-0007', /attribute "=order-0007" needs a key and a value: give key=value/],
    ['attribute=order.id%3D', /attribute "order.id=" needs a key and a value/],
    ['attribute=a&attribute=b', /parameter "attribute" is given twice/],
    ['limit=0', /limit "0" must be a whole number from 1 to 1000/],
    ['limit=ten', /limit "ten" must be a whole number/],
    [`limit=${MAX_LIST_LIMIT + 1}`, /must be a whole number from 1 to/],
    ['traceId=xyz', /traceId "xyz" is not a trace id prefix/],
    ['service=', /service must be 1 to 256 characters/],
    ['name=a&name=b', /parameter "name" is given twice/],
  ])('answers ?%s 400, naming the problem', async (query, message) => {
    const { status, body } = await get(`/api/traces?${query}`);

    expect(status).toBe(400);
    expect((body as { error: string }).error).toMatch(message);
  });
});

describe('GET /api/traces/:traceId', () => {
  it('returns the tree with links resolved both ways', async () => {
    const message = (await get(`/api/traces/${traceIdOf(1)}`)).body as TraceDetail;
    const invocation = (await get(`/api/traces/${traceIdOf(2).toUpperCase()}`)).body as TraceDetail;

    expect(message.spans.map((span) => [span.name, span.depth])).toEqual([
      ['produce', 0],
      ['process orders', 1],
    ]);
    expect(message.spans[1]?.links[0]).toMatchObject({
      traceId: traceIdOf(2),
      spanInStore: true,
      target: { name: 'Invoke consumer', service: 'lambda' },
    });
    expect(invocation.spans[0]?.linkedFrom).toEqual([
      expect.objectContaining({
        traceId: traceIdOf(1),
        spanId: spanIdOf(11),
        toSpanId: spanIdOf(20),
      }),
    ]);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const malformed = await get('/api/traces/1234');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: '"1234" is not a trace id: give 32 hex digits' });

    const unknown = await get(`/api/traces/${traceIdOf(77)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: `trace ${traceIdOf(77)} is not in the store` });
  });
});

describe('GET /api/stats', () => {
  it('reports the counters', async () => {
    const { status, body } = await get('/api/stats');

    expect(status).toBe(200);
    expect(body).toMatchObject({
      store: { spansStored: 3, tracesStored: 2 } satisfies Partial<TraceStoreStats>,
      otlpHttp: { exportsAccepted: 0, exportsRejected: 0 },
      xray: null,
      forward: null,
      save: null,
    });
  });

  it('takes no parameters', async () => {
    const { status, body } = await get('/api/stats?verbose=1');

    expect(status).toBe(400);
    expect(body).toEqual({ error: 'unknown parameter "verbose": it takes none' });
  });
});

describe('requests the API turns down', () => {
  it('answers other methods 405 and unknown paths 404', async () => {
    const post = await fetch(`${collector.endpoint}/api/traces`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');

    const unknown = await get('/api/spans');
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: string }).error).toMatch(/no API at \/api\/spans/);
  });

  it('answers 403 to a request addressed to another host name (DNS rebinding)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http
        .get(
          `${collector.endpoint}/api/traces`,
          { headers: { host: `attacker.example:${collector.port}` } },
          (response) => {
            response.resume();
            resolve(response.statusCode);
          },
        )
        .on('error', reject);
    });

    expect(status).toBe(403);
  });
});
