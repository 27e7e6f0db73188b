// The bodies the collector holds at once, across connections, gzip bodies counted decompressed
// too: past maxBytesInFlight an export is answered 503 with Retry-After, which OTLP exporters
// retry, and nothing of it is buffered; one that alone would pass it is a 413, since no retry
// mends it; the budget is given back when an export is decoded, refused or cut off.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type RunningCollector, startCollector } from './server.js';
import { exportOf, otlpSpan, traceIdOf } from './test-support/requests.js';

const MAX_BYTES_IN_FLIGHT = 100_000;
const HELD_BODY_BYTES = 80_000;
const SENT_FIRST_BYTES = 60_000;

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector({
    port: 0,
    xrayPort: null,
    maxBytesInFlight: MAX_BYTES_IN_FLIGHT,
  });
});

afterAll(async () => {
  await collector.close();
});

/** A valid OTLP/JSON export of one span, padded with leading whitespace to `bytes`. */
function paddedExport(marker: number, bytes: number): string {
  const json = JSON.stringify(exportOf('padded', [otlpSpan({ trace: marker, span: 1 })]));
  return `${' '.repeat(bytes - json.length)}${json}`;
}

function post(body: string): Promise<Response> {
  return fetch(`${collector.endpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

/** Posts `body` gzipped: padding compresses to almost nothing, so the wire body is small. */
function postGzip(body: string): Promise<Response> {
  return fetch(`${collector.endpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: new Uint8Array(gzipSync(body)),
  });
}

const bytesInFlight = () => collector.stats().otlpHttp.bytesInFlight;

/** Polls until `condition()` holds, failing with vitest's own message after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error(`still waiting: ${bytesInFlight()} bytes in flight`);
    },
    { timeout: 5_000, interval: 5 },
  );
}

/** Starts an export on a raw connection and sends the first `sent` bytes of its body. */
async function startHeldExport(body: string, sent: number): Promise<Socket> {
  const { port } = collector;
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  socket.write(body.slice(0, sent));
  return socket;
}

it('answers 503 with Retry-After while other bodies hold the budget, and takes the export once they are done', async () => {
  const heldBody = paddedExport(1, HELD_BODY_BYTES);
  const held = await startHeldExport(heldBody, SENT_FIRST_BYTES);
  await until(() => bytesInFlight() >= SENT_FIRST_BYTES);
  const answer = once(held, 'data');

  const refused = await post(paddedExport(2, 50_000));

  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.text()).toMatch(/maxBytesInFlight/);
  expect(bytesInFlight()).toBe(SENT_FIRST_BYTES);

  held.write(heldBody.slice(SENT_FIRST_BYTES));
  const [heldAnswer] = (await answer) as [Buffer];
  expect(heldAnswer.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
  held.destroy();
  expect(bytesInFlight()).toBe(0);

  const retried = await post(paddedExport(2, 50_000));
  expect(retried.status).toBe(200);
  expect(collector.store.getTrace(traceIdOf(2))).toBeDefined();
});

it('gives back what a client held when it goes away mid-body', async () => {
  const held = await startHeldExport(paddedExport(3, HELD_BODY_BYTES), SENT_FIRST_BYTES);
  await until(() => bytesInFlight() >= SENT_FIRST_BYTES);

  held.destroy();
  await until(() => bytesInFlight() === 0);

  expect((await post(paddedExport(4, 90_000))).status).toBe(200);
});

it('counts a gzip body decompressed, so a small body that inflates past the budget waits its turn', async () => {
  const inflated = paddedExport(5, 50_000);
  expect(gzipSync(inflated).length).toBeLessThan(1_000);
  const heldBody = paddedExport(6, HELD_BODY_BYTES);
  const held = await startHeldExport(heldBody, SENT_FIRST_BYTES);
  await until(() => bytesInFlight() >= SENT_FIRST_BYTES);
  const answer = once(held, 'data');

  const refused = await postGzip(inflated);

  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.text()).toMatch(
    new RegExp(`holds ${SENT_FIRST_BYTES} bytes of other exports.*maxBytesInFlight`),
  );
  expect(bytesInFlight()).toBe(SENT_FIRST_BYTES);
  expect(collector.store.getTrace(traceIdOf(5))).toBeUndefined();

  held.write(heldBody.slice(SENT_FIRST_BYTES));
  await answer;
  held.destroy();
  expect(bytesInFlight()).toBe(0);

  const retried = await postGzip(inflated);
  expect(retried.status).toBe(200);
  expect(collector.store.getTrace(traceIdOf(5))).toBeDefined();
  expect(bytesInFlight()).toBe(0);
});

it('answers 413, not a 503 to retry forever, for an export that alone needs more than the budget', async () => {
  const overBudget = paddedExport(7, MAX_BYTES_IN_FLIGHT + 20_000);

  const answers = [await post(overBudget), await postGzip(overBudget)];

  for (const answer of answers) {
    expect(answer.status).toBe(413);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(await answer.text()).toMatch(/needs more than .* 100000 bytes in flight/);
  }
  expect(bytesInFlight()).toBe(0);
  expect(collector.store.getTrace(traceIdOf(7))).toBeUndefined();
  expect((await postGzip(paddedExport(8, 40_000))).status).toBe(200);
});

it('stores every one of many small gzip exports sent at once, the ones refused on their retry', async () => {
  // Each is under 1 KB on the wire and 40 KB inflated: together 8 × 40 KB against 100 KB.
  const markers = Array.from({ length: 8 }, (_, index) => 20 + index);
  const bodies = markers.map((marker) => paddedExport(marker, 40_000));

  const answers = await Promise.all(bodies.map((body) => postGzip(body)));

  expect(bytesInFlight()).toBe(0);
  const refused = bodies.filter((_, index) => answers[index]?.status === 503);
  for (const [index, answer] of answers.entries()) {
    expect([200, 503]).toContain(answer.status);
    expect(collector.store.getTrace(traceIdOf(20 + index)) !== undefined).toBe(
      answer.status === 200,
    );
  }
  for (const body of refused) expect((await postGzip(body)).status).toBe(200);
  for (const marker of markers) expect(collector.store.getTrace(traceIdOf(marker))).toBeDefined();
});

it('refuses a start-up setting of zero', async () => {
  await expect(startCollector({ port: 0, xrayPort: null, maxBytesInFlight: 0 })).rejects.toThrow(
    /maxBytesInFlight/,
  );
});
