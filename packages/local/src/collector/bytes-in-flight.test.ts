// The bodies the collector holds at once, across connections: past maxBytesInFlight an export is
// answered 503 with Retry-After, which OTLP exporters retry, and nothing of it is buffered; the
// budget is given back when an export is decoded, refused or cut off.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

const bytesInFlight = () => collector.stats().otlpHttp.bytesInFlight;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Starts an export on a raw connection and sends the first `sent` bytes of its body. */
async function startHeldExport(body: string, sent: number): Promise<Socket> {
  const { port } = new URL(collector.endpoint);
  const socket = connect(Number(port), '127.0.0.1');
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

it('refuses a start-up setting of zero', async () => {
  await expect(startCollector({ port: 0, xrayPort: null, maxBytesInFlight: 0 })).rejects.toThrow(
    /maxBytesInFlight/,
  );
});
