// The collector against clients that hold connections instead of sending requests: slowloris
// (headers a byte at a time), bodies that stall or trickle, connections that say nothing, and
// more connections than the collector takes. The server's timeouts must cut every one of them
// while other clients' exports still go through, and the connection cap must turn the surplus
// away on arrival. The collector runs in its own process, with a request timeout of 2 s.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import { type CollectorProcess, startCollectorProcess } from './support/collector-process.js';
import {
  createClient,
  expectAcceptsOfficialExport,
  officialSpans,
  PROTOBUF,
  protobufOf,
} from './support/otlp-client.js';

const REQUEST_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = scaled(32, 256);
/** Connections left free for the exports that must go through meanwhile. */
const SPARE_CONNECTIONS = 8;
/** Connections above the cap, all to be turned away. */
const EXTRA_CONNECTIONS = scaled(16, 200);
/** How often a trickling client sends its next byte: well inside any idle timeout. */
const TRICKLE_MS = 200;
/** A generous bound for the server to cut a connection (the timeout is 2 s). */
const WAIT = { timeout: 20_000, interval: 100 };

const slowKinds = [
  'silent',
  'trickled headers',
  'stalled body',
  'trickled body',
  'declared length over the limit, trickled',
] as const;
type SlowKind = (typeof slowKinds)[number];

const HEAD =
  'POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n';

const figures = {
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  maxConnections: MAX_CONNECTIONS,
  slow: {} as Record<string, { opened: number; cutByServer: number; firstAnswer: string[] }>,
  exportsAcceptedWhileHeld: 0,
  cap: {} as Record<string, number>,
  concurrentExports: {} as Record<string, number>,
  collectorExit: null as unknown,
};

let collector: CollectorProcess;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  collector = await startCollectorProcess({
    port: 0,
    xrayPort: null,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxConnections: MAX_CONNECTIONS,
  });
  client = createClient(collector.endpoint);
});

afterAll(async () => {
  client.reset();
  figures.collectorExit = collector.exit();
  await collector.close();
  recordFigures('collector-slow-clients', figures);
});

interface HeldConnection {
  readonly socket: Socket;
  /** Resolves with what the server sent, once the connection has ended. */
  readonly closed: Promise<string>;
}

/** Opens a connection that behaves like `kind` until the server ends it. */
function hold(kind: SlowKind | 'idle'): HeldConnection {
  const socket = connect(collector.port, '127.0.0.1');
  let received = '';
  let trickle: NodeJS.Timeout | undefined;
  const every = (write: () => string): void => {
    trickle = setInterval(() => {
      socket.write(write());
    }, TRICKLE_MS);
  };
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  // The server resets some connections it cuts; the test reads only what arrived before.
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => {
      clearInterval(trickle);
      resolve(received);
    });
  });
  socket.on('connect', () => {
    if (kind === 'trickled headers') {
      socket.write(HEAD);
      every(() => 'X');
    } else if (kind === 'stalled body') {
      socket.write(`${HEAD}Content-Length: 1000\r\n\r\n${'x'.repeat(10)}`);
    } else if (kind === 'trickled body') {
      socket.write(`${HEAD}Transfer-Encoding: chunked\r\n\r\n`);
      every(() => '1\r\nx\r\n');
    } else if (kind === 'declared length over the limit, trickled') {
      socket.write(`${HEAD}Content-Length: ${2 ** 40}\r\n\r\n`);
      every(() => 'x');
    }
  });
  return { socket, closed };
}

/** The status line of what a held connection received, or '(nothing)'. */
function statusOf(received: string): string {
  return /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? '(nothing)';
}

describe('slow clients', () => {
  it('are cut by the timeouts while other clients export', async () => {
    const perKind = Math.floor((MAX_CONNECTIONS - SPARE_CONNECTIONS) / slowKinds.length);
    const held = slowKinds.flatMap((kind) =>
      Array.from({ length: perKind }, () => ({ kind, connection: hold(kind) })),
    );
    const answers = held.map(async ({ kind, connection }) => ({
      kind,
      status: statusOf(await connection.closed),
    }));

    // While every slow connection is held: exports from someone else still land.
    for (let i = 0; i < 3; i++) {
      await expectAcceptsOfficialExport(client, `while-held-${i}`);
      figures.exportsAcceptedWhileHeld++;
    }

    const cut = await vi.waitFor(() => Promise.all(answers), WAIT);
    for (const kind of slowKinds) {
      const statuses = cut.filter((answer) => answer.kind === kind).map((a) => a.status);
      figures.slow[kind] = {
        opened: perKind,
        cutByServer: statuses.length,
        firstAnswer: [...new Set(statuses)],
      };
      // 408 for a request that did not arrive in time; the oversized one had its 413 at once.
      const expected = kind === 'declared length over the limit, trickled' ? '413' : '408';
      expect(statuses, kind).toEqual(Array.from({ length: perKind }, () => expected));
    }
    expect(collector.exit(), collector.stderr()).toBeNull();
    await expectAcceptsOfficialExport(client, 'after-slow-clients');
  });
});

describe('more connections than the cap', () => {
  it('turns the surplus away on arrival, and serves again once the idle ones are cut', async () => {
    // The client's own kept-alive connections would count against the cap.
    client.reset();
    const before = (await collector.stats()).connections.dropped;
    const held = Array.from({ length: MAX_CONNECTIONS + EXTRA_CONNECTIONS }, () => hold('idle'));
    const outcomes = await vi.waitFor(
      () => Promise.all(held.map(async ({ closed }) => statusOf(await closed))),
      WAIT,
    );
    const dropped = (await collector.stats()).connections.dropped - before;
    const turnedAway = outcomes.filter((status) => status === '(nothing)').length;
    const timedOut = outcomes.filter((status) => status === '408').length;

    figures.cap = {
      opened: held.length,
      droppedByServer: dropped,
      closedWithoutAnswer: turnedAway,
      cutWith408: timedOut,
    };
    expect(dropped).toBeGreaterThanOrEqual(EXTRA_CONNECTIONS);
    expect(turnedAway).toBe(dropped);
    expect(timedOut).toBe(held.length - dropped);
    expect(timedOut).toBeLessThanOrEqual(MAX_CONNECTIONS);
    await expectAcceptsOfficialExport(client, 'after-cap');
  });

  it('serves as many concurrent exports as the cap leaves room for', async () => {
    client.reset();
    const concurrent = MAX_CONNECTIONS - SPARE_CONNECTIONS;
    const exports = Array.from({ length: concurrent }, (_, i) =>
      officialSpans(`concurrent-${i}`, 2, 3),
    );
    const parallel = createClient(collector.endpoint, concurrent);
    const answers = await Promise.all(
      exports.map((spans) => parallel.request(protobufOf(spans), PROTOBUF)),
    );
    parallel.reset();

    expect(answers.map((answer) => answer.status)).toEqual(exports.map(() => 200));
    const stats = await collector.stats();
    figures.concurrentExports = {
      sent: concurrent,
      accepted: answers.length,
      spansStored: stats.store.spansStored,
      dropped: stats.connections.dropped,
    };
    for (const spans of exports) {
      const traceId = spans[0]?.spanContext().traceId ?? '';
      const detail = await client.request(
        undefined,
        {},
        {
          method: 'GET',
          path: `/api/traces/${traceId}`,
        },
      );
      expect(detail.status).toBe(200);
    }
  });
});
