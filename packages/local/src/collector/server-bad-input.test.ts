// The receiver against bodies no exporter should send: every one gets the 4xx the OTLP
// specification calls for, with a message, and the collector keeps serving afterwards.

import http from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeTraceRequest } from '../../../tracebridge/src/setup/exporters/otlp/protobuf.js';
import { bulkySpans } from '../../../tracebridge/src/setup/test-support/spans.js';
import { MAX_BODY_BYTES } from './otlp-http.js';
import { fieldNumber, ProtobufReader, WireType, wireTypeOf } from './protobuf-reader.js';
import { type RunningCollector, startCollector } from './server.js';
import { exportOf, otlpSpan, traceIdOf } from './test-support/requests.js';

let collector: RunningCollector;
let url: string;

beforeAll(async () => {
  collector = await startCollector({ port: 0, xrayPort: null });
  url = `${collector.endpoint}/v1/traces`;
});

afterAll(async () => {
  await collector.close();
});

function post(body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  // Copied into a plain ArrayBuffer: the DOM's BodyInit (in the program for the viewer)
  // takes no view over a SharedArrayBuffer.
  const sent = typeof body === 'string' ? body : new Uint8Array(body);
  return fetch(url, { method: 'POST', headers, body: sent });
}

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** A valid export still goes through: the collector survived what came before. */
async function expectStillServing(marker: number): Promise<void> {
  const response = await post(
    JSON.stringify(exportOf('survivor', [otlpSpan({ trace: marker, span: 1 })])),
    JSON_TYPE,
  );
  expect(response.status).toBe(200);
  expect(collector.store.getTrace(traceIdOf(marker))).toBeDefined();
}

/** The message of a protobuf google.rpc.Status (field 2). */
function statusMessage(bytes: ArrayBuffer): string {
  const reader = new ProtobufReader(new Uint8Array(bytes));
  const tag = reader.fieldTag();
  expect({ field: fieldNumber(tag), wireType: wireTypeOf(tag) }).toEqual({
    field: 2,
    wireType: WireType.LengthDelimited,
  });
  return reader.string();
}

describe('bodies that do not decode', () => {
  it('answers a truncated protobuf body 400 with a protobuf Status naming the problem', async () => {
    const body = encodeTraceRequest(bulkySpans(3, 50));

    const response = await post(body.subarray(0, body.length - 7), PROTOBUF);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(statusMessage(await response.arrayBuffer())).toMatch(
      /^the body is not an OTLP protobuf ExportTraceServiceRequest: message truncated/,
    );
    await expectStillServing(1001);
  });

  it('answers garbage JSON and JSON of the wrong shape 400 with a JSON Status', async () => {
    for (const [body, reason] of [
      ['{"resourceSpans": [', /not an OTLP JSON ExportTraceServiceRequest: .*JSON/],
      ['{"resourceSpans": {"oops": 1}}', /resourceSpans is not an array/],
      [
        '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}',
        /startTimeUnixNano is not an integer/,
      ],
    ] as const) {
      const response = await post(body, JSON_TYPE);

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/json');
      const { message } = (await response.json()) as { message: string };
      expect(message).toMatch(reason);
    }
    await expectStillServing(1002);
  });

  it('answers values nested deep enough to exhaust the stack 400', async () => {
    const depth = 200_000;
    const value = `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}`;
    const span = `{"traceId":"${traceIdOf(1)}","spanId":"5a000000000000aa","attributes":[{"key":"k","value":${value}}]}`;
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`;

    const response = await post(body, JSON_TYPE);

    expect(response.status).toBe(400);
    await expectStillServing(1003);
  });

  it('answers a body that claims gzip but is not 400', async () => {
    const response = await post('plain text', { ...JSON_TYPE, 'content-encoding': 'gzip' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: expect.stringMatching(/not valid gzip/) as unknown,
    });
  });
});

describe('bodies over the limit', () => {
  const limit = new RegExp(`larger than the collector's limit of ${MAX_BODY_BYTES} bytes`);

  it('answers a gzip bomb 413 without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * MAX_BODY_BYTES));
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES / 100);

    const response = await post(bomb, { ...PROTOBUF, 'content-encoding': 'gzip' });

    expect(response.status).toBe(413);
    expect(statusMessage(await response.arrayBuffer())).toMatch(/the decompressed body is larger/);
    await expectStillServing(1004);
  });

  it('answers a body over the limit 413, whether its length is declared or streamed', async () => {
    const oversized = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);

    const declared = await post(oversized, JSON_TYPE);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { message: string }).message).toMatch(limit);

    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(url, { method: 'POST', headers: JSON_TYPE }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
        });
      });
      request.on('error', reject);
      // No Content-Length: the body arrives chunked and the limit is found while reading.
      for (let sent = 0; sent <= MAX_BODY_BYTES; sent += 1024 * 1024) {
        request.write(Buffer.alloc(1024 * 1024, 0x20));
      }
      request.end();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body).toMatch(limit);
    await expectStillServing(1005);
  });
});

describe('requests that are not OTLP exports', () => {
  it('answers other content types and encodings 415', async () => {
    const wrongType = await post('a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toEqual({
      message: expect.stringMatching(
        /application\/x-www-form-urlencoded is not supported: send application\/x-protobuf or application\/json/,
      ) as unknown,
    });

    const wrongEncoding = await post('{}', { ...JSON_TYPE, 'content-encoding': 'br' });
    expect(wrongEncoding.status).toBe(415);
    await expectStillServing(1006);
  });

  it('answers other methods 405 and other paths 404', async () => {
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    const elsewhere = await fetch(`${collector.endpoint}/v1/metrics`, { method: 'POST', body: '' });
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({
      error: expect.stringMatching(/nothing at \/v1\/metrics/) as unknown,
    });
  });

  it('counts what it turned down', () => {
    expect(collector.stats().otlpHttp.exportsRejected).toBeGreaterThanOrEqual(9);
  });
});

describe('clients that misbehave', () => {
  it('survives a client that disconnects in the middle of its body', async () => {
    const before = collector.stats().otlpHttp.exportsRejected;
    // Headers and a tenth of the promised body, then the end of the connection.
    const socket = connect(collector.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.end(
      `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`,
    );

    await vi.waitFor(() => {
      expect(collector.stats().otlpHttp.exportsRejected).toBe(before + 1);
    });
    expect(collector.stats().otlpHttp.lastError).toMatch(
      /closed the connection before the body ended/,
    );
    await expectStillServing(1007);
  });
});
