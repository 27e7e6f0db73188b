// The collector against input no exporter should send, over and over, in a process of its own:
// bodies over the limit (declared, chunked, gzipped), protobuf and JSON that fast-check makes
// up or mangles, bodies that decode to millions of objects, wrong headers, X-Ray datagrams of
// garbage. After each phase an export from OpenTelemetry's own serializer must still land and
// show in the read API, and at the end the collector's heap must be where it was once its store
// filled up: hostile input neither ends the process nor leaves memory behind.
// (server-bad-input.test.ts covers each case once, in-process; this suite repeats and fuzzes.)

import dgram from 'node:dgram';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordFigures, scaled } from '../../../../scripts/reliability-profile.js';
import { MAX_MESSAGES_PER_EXPORT } from '../../src/collector/export-limits.js';
import { MAX_BODY_BYTES, varint } from '../../src/collector/otlp-http.js';
import { type CollectorProcess, startCollectorProcess } from './support/collector-process.js';
import {
  type Answer,
  createClient,
  expectAcceptsOfficialExport,
  field,
  JSON_TYPE,
  messageOf,
  officialSpans,
  PROTOBUF,
  protobufOf,
  requestAround,
} from './support/otlp-client.js';

/** fast-check runs per fuzzed property (each run is one request). */
const FUZZ_RUNS = scaled(150, 2_000);
/** Cheap hostile requests of the loop whose memory is measured, sent CONCURRENCY at a time. */
const HOSTILE_LOOP_REQUESTS = scaled(1_000, 20_000);
const CONCURRENCY = 8;
/** Rounds of the costly kinds (each inflates or decodes up to a limit), spread over the loop. */
const HEAVY_LOOP_REQUESTS = scaled(5, 100);
/** Valid spans flooded into a store bounded at MAX_SPANS. */
const FLOOD_EXPORTS = scaled(40, 400);
const FLOOD_TRACES_PER_EXPORT = 50;
const SPANS_PER_TRACE = 5;
const MAX_SPANS = 5_000;
/** Garbage datagrams sent to the X-Ray port. */
const DATAGRAMS = scaled(300, 5_000);
/** What hostile input may leave on the heap once the store is full (the bound). */
const HEAP_GROWTH_BOUND_BYTES = 30 * 1024 * 1024;
const WAIT = { timeout: 20_000, interval: 50 };

const figures = {
  requests: {} as Record<string, Record<string, number>>,
  flood: {} as Record<string, number>,
  xray: {} as Record<string, number>,
  memory: {} as Record<string, number>,
  collectorExit: null as unknown,
};

let collector: CollectorProcess;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  collector = await startCollectorProcess({
    port: 0,
    xrayPort: 0,
    store: { maxSpans: MAX_SPANS, maxTraces: MAX_SPANS },
  });
  client = createClient(collector.endpoint);
});

afterAll(async () => {
  client.reset();
  figures.collectorExit = collector.exit();
  await collector.close();
  recordFigures('collector-hostile', figures);
});

/** Sends one hostile request and counts its status under `kind`. */
async function hostile(
  kind: string,
  body: Uint8Array | string | undefined,
  headers: Readonly<Record<string, string>>,
): Promise<Answer> {
  const answer = await client.request(body, headers);
  const seen = (figures.requests[kind] ??= {});
  seen[answer.status] = (seen[answer.status] ?? 0) + 1;
  // Only a bug in the collector answers 5xx; every hostile body gets a 4xx with a message.
  expect(answer.status, `${kind}: ${answer.body.toString('utf8', 0, 200)}`).toBeLessThan(500);
  if (answer.status >= 400) expect(messageOf(answer)).not.toBe('');
  return answer;
}

function expectAlive(): void {
  expect(collector.exit(), collector.stderr()).toBeNull();
}

// One official export of several spans with attributes, events and links: one resource, so
// its encoding is a single top-level field and every proper prefix of it is truncated.
const validBody = Buffer.from(protobufOf(officialSpans('fuzz-base', 2, 3)));

/** `count` empty spans (`12 00` each): two bytes of protobuf, hundreds of bytes decoded. */
function emptySpans(count: number): Buffer {
  return requestAround(Buffer.alloc(2 * count, Buffer.from([0x12, 0x00])));
}

/** One span whose attribute value is an array in an array ... `depth` times. */
function nestedValue(depth: number): Buffer {
  // Each level is a prefix (AnyValue field 5 holding ArrayValue field 1 holding the next
  // AnyValue), so lengths are computed inside-out and the prefixes written outside-in.
  const innermost = field(1, Buffer.from('x'));
  const prefixes: Buffer[] = [];
  let length = innermost.length;
  for (let level = 0; level < depth; level++) {
    const array = Buffer.concat([varint(0x0a), varint(length)]);
    const arrayLength = array.length + length;
    const value = Buffer.concat([varint(0x2a), varint(arrayLength)]);
    prefixes.push(array, value);
    length = value.length + arrayLength;
  }
  const anyValue = Buffer.concat([...prefixes.reverse(), innermost]);
  const keyValue = Buffer.concat([field(1, Buffer.from('deep')), field(2, anyValue)]);
  const span = Buffer.concat([
    field(1, Buffer.alloc(16, 0x4d)),
    field(2, Buffer.alloc(8, 0x4d)),
    field(5, Buffer.from(`depth ${depth}`)),
    field(9, keyValue),
  ]);
  return requestAround(field(2, span));
}

describe('a store flooded with valid spans', () => {
  it('never holds more than its bound, evicting whole traces', async () => {
    const before = await collector.memory();
    figures.memory.heapUsedAtStart = before.usage.heapUsed;
    let sent = 0;
    let highest = 0;
    for (let i = 0; i < FLOOD_EXPORTS; i++) {
      const spans = officialSpans(`flood-${i % 7}`, FLOOD_TRACES_PER_EXPORT, SPANS_PER_TRACE);
      const answer = await client.request(protobufOf(spans), PROTOBUF);
      expect(answer.status).toBe(200);
      sent += spans.length;
      if (i % 10 === 9) highest = Math.max(highest, (await collector.stats()).store.spansStored);
    }
    const full = await collector.memory();
    const { store } = full.stats;

    expect(store.spansStored).toBeLessThanOrEqual(MAX_SPANS);
    expect(store.spansStored).toBeGreaterThan(MAX_SPANS - SPANS_PER_TRACE);
    expect(highest).toBeLessThanOrEqual(MAX_SPANS);
    expect(store.spansEvicted).toBe(sent - store.spansStored);
    expect(store.spansEvicted % SPANS_PER_TRACE).toBe(0);
    figures.flood = {
      spansSent: sent,
      exports: FLOOD_EXPORTS,
      maxSpans: MAX_SPANS,
      spansStored: store.spansStored,
      highestSpansStoredSampled: highest,
      spansEvicted: store.spansEvicted,
      tracesEvicted: store.tracesEvicted,
    };
    // The baseline for the end of the suite: the store is as full as it will get.
    figures.memory.heapUsedStoreFull = full.usage.heapUsed;
    figures.memory.rssStoreFull = full.usage.rss;
    figures.memory.arrayBuffersStoreFull = full.usage.arrayBuffers;
    figures.memory.heapBytesPerStoredSpan = Math.round(
      (full.usage.heapUsed - before.usage.heapUsed) / store.spansStored,
    );
    await expectAcceptsOfficialExport(client, 'after-flood');
  });
});

describe('bodies over the byte limit', () => {
  const limit = new RegExp(`larger than the collector's limit of ${MAX_BODY_BYTES} bytes`);

  it('answers a declared Content-Length over the limit 413 before the body is sent', async () => {
    for (let i = 0; i < scaled(5, 50); i++) {
      // Headers only: the answer must not wait for a body that never comes.
      const socket = connect(collector.port, '127.0.0.1');
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.includes('\r\n\r\n')) resolve(text);
        });
        socket.on('error', reject);
        socket.write(
          `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES * 64}\r\n\r\n`,
        );
      });
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      const seen = (figures.requests['declared length over the limit'] ??= {});
      seen[413] = (seen[413] ?? 0) + 1;
    }
    await expectAcceptsOfficialExport(client, 'after-declared-oversize');
  });

  it('reads a gzip body whose inflated size is exactly the limit, and refuses one byte more', async () => {
    const serialized = Buffer.from(
      JsonTraceSerializer.serializeRequest(officialSpans('at-limit')) ?? new Uint8Array(),
    );
    const padded = (size: number): Buffer =>
      Buffer.concat([serialized, Buffer.alloc(size - serialized.length, 0x20)]);
    const gzip = { ...JSON_TYPE, 'content-encoding': 'gzip' };

    const atLimit = await hostile(
      'gzip inflating to the limit',
      gzipSync(padded(MAX_BODY_BYTES)),
      gzip,
    );
    expect(atLimit.status).toBe(200);

    const over = await hostile(
      'gzip inflating past the limit',
      gzipSync(padded(MAX_BODY_BYTES + 1)),
      gzip,
    );
    expect(over.status).toBe(413);
    expect(messageOf(over)).toMatch(/the decompressed body is larger/);
    expect(messageOf(over)).toMatch(limit);
    await expectAcceptsOfficialExport(client, 'after-gzip-limit');
  });

  it('answers gzip bombs 413, single, multi-member, and gzip in gzip 400', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * MAX_BODY_BYTES));
    const member = gzipSync(Buffer.alloc(MAX_BODY_BYTES / 2 + 1));
    const multiMember = Buffer.concat([member, member, member]);
    const gzip = { ...PROTOBUF, 'content-encoding': 'gzip' };
    for (let i = 0; i < scaled(3, 30); i++) {
      expect((await hostile('gzip bomb', bomb, gzip)).status).toBe(413);
      expect((await hostile('gzip bomb of several members', multiMember, gzip)).status).toBe(413);
      const inner = await hostile('gzip in gzip', gzipSync(gzipSync(validBody)), gzip);
      expect(inner.status).toBe(400);
      const whole = gzipSync(validBody);
      const cut = await hostile('gzip cut short', whole.subarray(0, whole.length - 9), gzip);
      expect(cut.status).toBe(400);
      expect(messageOf(cut)).toMatch(/not valid gzip/);
    }
    await expectAcceptsOfficialExport(client, 'after-gzip-bombs');
  });
});

describe('bodies that decode to more than the collector holds', () => {
  // Before MAX_MESSAGES_PER_EXPORT, one of these (16 MiB of empty spans, or 16 KiB of them
  // gzipped) decoded to some 6 GB and ended the collector out of memory.
  const budget = new RegExp(`more than ${MAX_MESSAGES_PER_EXPORT} spans, attributes`);

  it('answers millions of empty spans, attributes or JSON objects 413', async () => {
    const spans = emptySpans(Math.floor((MAX_BODY_BYTES - 16) / 2));
    const attributes = requestAround(
      field(2, Buffer.alloc(2 * (MAX_MESSAGES_PER_EXPORT + 1), Buffer.from([0x4a, 0x00]))),
    );
    const jsonSpans = `{"resourceSpans":[{"scopeSpans":[{"spans":[${'{},'.repeat(MAX_MESSAGES_PER_EXPORT)}{}]}]}]}`;
    const cases = [
      ['protobuf of empty spans', spans, PROTOBUF],
      [
        'gzipped protobuf of empty spans',
        gzipSync(spans),
        { ...PROTOBUF, 'content-encoding': 'gzip' },
      ],
      ['protobuf of empty attributes', attributes, PROTOBUF],
      ['JSON of empty spans', jsonSpans, JSON_TYPE],
    ] as const;
    for (const [kind, body, headers] of cases) {
      const answer = await hostile(kind, body, headers);
      expect(answer.status, kind).toBe(413);
      expect(messageOf(answer)).toMatch(budget);
    }
    expectAlive();
    await expectAcceptsOfficialExport(client, 'after-amplification');
  });

  it('accepts an export of exactly as many messages as the budget allows', async () => {
    // One resource and one scope message around the spans.
    const answer = await hostile(
      'empty spans at the budget',
      emptySpans(MAX_MESSAGES_PER_EXPORT - 2),
      PROTOBUF,
    );
    expect(answer.status).toBe(200);
  });

  it('refuses a 64-bit integer of a million digits 400 without reading it', async () => {
    const span = `{"traceId":"${'ab'.repeat(16)}","spanId":"${'cd'.repeat(8)}","startTimeUnixNano":"${'9'.repeat(1_000_000)}"}`;
    const answer = await hostile(
      'JSON integer of a million digits',
      `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`,
      JSON_TYPE,
    );
    expect(answer.status).toBe(400);
    expect(messageOf(answer)).toMatch(/startTimeUnixNano is not an integer/);
  });

  it('cuts attribute values nested a thousand deep, and refuses a hundred thousand', async () => {
    const kept = await hostile('protobuf nested 1,000 deep', nestedValue(1_000), PROTOBUF);
    expect(kept.status).toBe(200);
    const detail = await client.request(
      undefined,
      {},
      {
        method: 'GET',
        path: `/api/traces/${'4d'.repeat(16)}`,
      },
    );
    expect(detail.status).toBe(200);
    expect(detail.body.toString('utf8')).toContain('[nested too deep]');

    const refused = await hostile('protobuf nested 100,000 deep', nestedValue(100_000), PROTOBUF);
    expect([400, 413]).toContain(refused.status);
    await expectAcceptsOfficialExport(client, 'after-nesting');
  });
});

describe('protobuf that fast-check makes up or mangles', () => {
  it('answers every proper prefix of a valid export 400, and the empty one 200', async () => {
    const step = scaled(Math.max(1, Math.floor(validBody.length / 300)), 1);
    for (let end = 0; end < validBody.length; end += step) {
      const answer = await hostile('valid export truncated', validBody.subarray(0, end), PROTOBUF);
      expect(answer.status, `truncated at ${end}`).toBe(end === 0 ? 200 : 400);
      if (end > 0) expect(messageOf(answer)).toMatch(/truncated|ends inside a varint/);
    }
    await expectAcceptsOfficialExport(client, 'after-truncation');
  });

  it('answers random bytes 200 (unknown fields, no spans) or 400, never worse', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_048 }), async (bytes) => {
        await hostile('random bytes as protobuf', bytes, PROTOBUF);
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
    await expectAcceptsOfficialExport(client, 'after-random-bytes');
  });

  it('answers a valid export with bytes overwritten 200 or 400', async () => {
    const edits = fc.array(
      fc.tuple(fc.nat(validBody.length - 1), fc.integer({ min: 0, max: 255 })),
      {
        minLength: 1,
        maxLength: 8,
      },
    );
    await fc.assert(
      fc.asyncProperty(edits, async (changes) => {
        const mangled = Buffer.from(validBody);
        for (const [at, byte] of changes) mangled[at] = byte;
        await hostile('valid export with bytes overwritten', mangled, PROTOBUF);
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
    await expectAcceptsOfficialExport(client, 'after-mangling');
  });

  it('answers span fields of every wire type, and huge lengths, 200 or 400', async () => {
    const spanField = fc.record({
      field: fc.integer({ min: 1, max: 20 }),
      wireType: fc.integer({ min: 0, max: 7 }),
      payload: fc.uint8Array({ maxLength: 24 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spanField, { maxLength: 6 }), async (fields) => {
        const span = Buffer.concat(
          fields.map((f) => Buffer.concat([varint(f.field * 8 + f.wireType), f.payload])),
        );
        await hostile('span fields of any wire type', requestAround(field(2, span)), PROTOBUF);
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
    // Length prefixes far past the body: 2^32, 2^53 and a varint that never ends.
    const huge = [
      Buffer.concat([Buffer.from([0x0a]), varint(2 ** 32), Buffer.alloc(8)]),
      Buffer.concat([Buffer.from([0x0a]), varint(2 ** 53), Buffer.alloc(8)]),
      Buffer.concat([Buffer.from([0x0a]), Buffer.alloc(12, 0xff)]),
    ];
    for (const body of huge) {
      const answer = await hostile('huge length prefix', body, PROTOBUF);
      expect(answer.status).toBe(400);
      expect(messageOf(answer)).toMatch(/truncated|varint longer/);
    }
    await expectAcceptsOfficialExport(client, 'after-wire-types');
  });
});

describe('JSON that fast-check makes up or mangles', () => {
  const validJson = JSON.parse(
    Buffer.from(
      JsonTraceSerializer.serializeRequest(officialSpans('json-base', 2, 3)) ?? [],
    ).toString(),
  ) as unknown;

  /** Every path to a value inside `value`. */
  function pathsOf(value: unknown, at: readonly (string | number)[] = []): (string | number)[][] {
    const here = [[...at]];
    if (Array.isArray(value))
      return [...here, ...value.flatMap((item, i) => pathsOf(item, [...at, i]))];
    if (typeof value === 'object' && value !== null) {
      return [
        ...here,
        ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...at, key])),
      ];
    }
    return here;
  }
  const paths = pathsOf(validJson).filter((path) => path.length > 0);

  it('answers text that is not JSON 400 with a message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        fc.pre(!isJson(text));
        const answer = await hostile('text that is not JSON', text, JSON_TYPE);
        expect(answer.status).toBe(400);
        expect(messageOf(answer)).toMatch(/not an OTLP JSON ExportTraceServiceRequest/);
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
  });

  it('answers any JSON value 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        await hostile('any JSON value', JSON.stringify(value), JSON_TYPE);
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
  });

  it('answers a valid export with one value replaced 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async (path, replacement) => {
        const copy = structuredClone(validJson) as Record<string | number, unknown>;
        let parent = copy;
        for (const key of path.slice(0, -1))
          parent = parent[key] as Record<string | number, unknown>;
        parent[path.at(-1) ?? 0] = replacement;
        await hostile('valid JSON export with a value replaced', JSON.stringify(copy), JSON_TYPE);
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
    await expectAcceptsOfficialExport(client, 'after-json-fuzz');
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('headers that do not describe an OTLP body', () => {
  it('answers other content types 415 and other encodings 415, naming the header', async () => {
    const cases: [string, Record<string, string>, number, RegExp][] = [
      ['no Content-Type', {}, 415, /Content-Type \(none\) is not supported/],
      ['text/plain', { 'content-type': 'text/plain' }, 415, /Content-Type text\/plain/],
      ['protobuf with grpc', { 'content-type': 'application/grpc' }, 415, /application\/grpc/],
      ['empty Content-Type', { 'content-type': '' }, 415, /is not supported/],
      ['deflate', { ...PROTOBUF, 'content-encoding': 'deflate' }, 415, /Content-Encoding deflate/],
      ['two codings', { ...PROTOBUF, 'content-encoding': 'gzip, gzip' }, 415, /gzip, gzip/],
      ['zstd', { ...PROTOBUF, 'content-encoding': 'zstd' }, 415, /zstd is not supported/],
    ];
    for (let round = 0; round < scaled(3, 30); round++) {
      for (const [kind, headers, status, message] of cases) {
        const answer = await hostile(`header: ${kind}`, validBody, headers);
        expect(answer.status, kind).toBe(status);
        expect(messageOf(answer)).toMatch(message);
      }
    }
    await expectAcceptsOfficialExport(client, 'after-headers');
  });

  it('answers a body in the other encoding than its Content-Type says 400', async () => {
    const json = Buffer.from(JsonTraceSerializer.serializeRequest(officialSpans('swapped')) ?? []);
    const asJson = await hostile('protobuf sent as JSON', validBody, JSON_TYPE);
    expect(asJson.status).toBe(400);
    expect(messageOf(asJson)).toMatch(/not an OTLP JSON/);
    const asProtobuf = await hostile('JSON sent as protobuf', json, PROTOBUF);
    // JSON text happens to be a protobuf of unknown fields at times; what decodes must not crash.
    expect([200, 400]).toContain(asProtobuf.status);
  });
});

describe('X-Ray daemon datagrams of garbage', () => {
  it(
    'counts every datagram and stores the well-formed one sent after them',
    async () => {
      const [host, port] = collector.xrayAddress.split(':');
      const socket = dgram.createSocket('udp4');
      const send = (datagram: Uint8Array): Promise<void> =>
        new Promise((resolve, reject) => {
          socket.send(datagram, Number(port), host, (error) => {
            if (error) reject(error);
            else resolve();
          });
        });
      const start = (await collector.stats()).xray;
      const header = '{"format":"json","version":1}\n';
      const datagram = fc.oneof(
        fc.uint8Array({ maxLength: 1_400 }),
        fc
          .uint8Array({ maxLength: 1_000 })
          .map((bytes) => Buffer.from(`${header}T1S${Buffer.from(bytes).toString('base64')}`)),
        fc
          .nat(validBody.length - 1)
          .map((end) =>
            Buffer.from(`${header}T1U${validBody.subarray(0, end).toString('base64')}`),
          ),
        fc.string({ maxLength: 200 }).map((text) => Buffer.from(`${header}${text}`)),
        fc.constant(Buffer.from(`${header}T1S${emptySpans(20_000).toString('base64')}`)),
        fc.constant(Buffer.alloc(60_000, 0x7b)),
      );
      const datagrams = fc.sample(datagram, { numRuns: DATAGRAMS, seed: 7 });
      let sent = 0;
      let unconfirmed = 0;
      for (const bytes of datagrams) {
        await send(bytes);
        sent++;
        unconfirmed += bytes.length;
        // Loopback UDP drops what the receive buffer cannot hold: let the collector catch up.
        if (unconfirmed > 32_768 || sent === datagrams.length) {
          await vi.waitFor(async () => {
            const xray = (await collector.stats()).xray;
            expect(xray?.datagramsReceived).toBe((start?.datagramsReceived ?? 0) + sent);
          }, WAIT);
          unconfirmed = 0;
        }
      }
      const valid = officialSpans('xray-after-garbage');
      await send(Buffer.from(`${header}T1S${Buffer.from(protobufOf(valid)).toString('base64')}`));
      socket.close();

      const traceId = valid[0]?.spanContext().traceId ?? '';
      await vi.waitFor(async () => {
        const detail = await client.request(
          undefined,
          {},
          { method: 'GET', path: `/api/traces/${traceId}` },
        );
        expect(detail.status).toBe(200);
      }, WAIT);
      const end = (await collector.stats()).xray;
      const received = (end?.datagramsReceived ?? 0) - (start?.datagramsReceived ?? 0);
      const accepted = (end?.datagramsAccepted ?? 0) - (start?.datagramsAccepted ?? 0);
      const malformed = (end?.datagramsMalformed ?? 0) - (start?.datagramsMalformed ?? 0);
      expect(received).toBe(sent + 1);
      expect(accepted + malformed).toBe(received);
      figures.xray = { garbageSent: sent, received, accepted, malformed };
      expectAlive();
    },
    scaled(60_000, 600_000),
  );
});

describe('memory after thousands of hostile requests', () => {
  it(
    'stays within 30 MB of where the full store left it',
    async () => {
      const gzip = { ...PROTOBUF, 'content-encoding': 'gzip' };
      const valid = protobufOf(officialSpans('loop-valid', 1, 2));
      // Cheap requests, sent CONCURRENCY at a time, and the costly ones (each inflates or
      // decodes up to a limit) in between.
      const light: readonly HostileKind[] = [
        [
          'truncated protobuf',
          (i) => validBody.subarray(0, 1 + (i % (validBody.length - 1))),
          PROTOBUF,
        ],
        ['garbage JSON', (i) => `{"resourceSpans":[{"scopeSpans":${i}`, JSON_TYPE],
        ['wrong content type', () => validBody, { 'content-type': 'text/plain' }],
        ['unsupported encoding', () => validBody, { ...PROTOBUF, 'content-encoding': 'br' }],
        ['valid export', () => valid, PROTOBUF],
      ];
      const bomb = gzipSync(Buffer.alloc(2 * MAX_BODY_BYTES));
      const flood = gzipSync(emptySpans(MAX_MESSAGES_PER_EXPORT + 10));
      const nested = nestedValue(20_000);
      const heavy: readonly HostileKind[] = [
        ['gzip bomb', () => bomb, gzip],
        ['empty spans past the budget', () => flood, gzip],
        ['nested 20,000 deep', () => nested, PROTOBUF],
      ];
      const statuses = new Set<number>();
      const send = async ([kind, body, headers]: HostileKind, i: number): Promise<void> => {
        statuses.add((await hostile(`loop: ${kind}`, body(i), headers)).status);
      };
      const heavyEvery = Math.floor(HOSTILE_LOOP_REQUESTS / HEAVY_LOOP_REQUESTS);
      for (let i = 0; i < HOSTILE_LOOP_REQUESTS; i += CONCURRENCY) {
        const batch = Array.from({ length: CONCURRENCY }, (_, j) => i + j);
        await Promise.all(batch.map((n) => send(pick(light, n), n)));
        if (Math.floor(i / heavyEvery) !== Math.floor((i + CONCURRENCY) / heavyEvery)) {
          for (const kind of heavy) await send(kind, i);
        }
      }
      expectAlive();
      await expectAcceptsOfficialExport(client, 'after-loop');
      client.reset();

      const after = await collector.memory();
      const growth = after.usage.heapUsed - (figures.memory.heapUsedStoreFull ?? 0);
      figures.memory = {
        ...figures.memory,
        hostileLoopLightRequests: HOSTILE_LOOP_REQUESTS,
        heapUsedAtEnd: after.usage.heapUsed,
        rssAtEnd: after.usage.rss,
        arrayBuffersAtEnd: after.usage.arrayBuffers,
        heapGrowthSinceStoreFull: growth,
      };
      expect(growth).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
      expect(after.usage.arrayBuffers - (figures.memory.arrayBuffersStoreFull ?? 0)).toBeLessThan(
        HEAP_GROWTH_BOUND_BYTES,
      );
      expect(after.stats.store.spansStored).toBeLessThanOrEqual(MAX_SPANS);
      expect([...statuses].sort()).toEqual([200, 400, 413, 415]);
    },
    scaled(120_000, 1_800_000),
  );
});

function pick<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

/** A name for the figures, the body of the i-th request of that kind, and its headers. */
type HostileKind = readonly [
  string,
  (i: number) => Uint8Array | string,
  Readonly<Record<string, string>>,
];
