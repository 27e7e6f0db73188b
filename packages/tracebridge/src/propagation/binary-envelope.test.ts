import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex } from '../test-support/guards.js';
import { unwrapBinaryEnvelope, wrapBinaryEnvelope } from './binary-envelope.js';
import { MAX_BINARY_ENVELOPE_HEADER_BYTES } from './limits.js';

const TRACEPARENT = '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01';
const PREAMBLE = '006f74656c01'; // NUL "otel" version 1

function frame(header: Uint8Array, payload: Uint8Array, version = 0x01): Uint8Array {
  return Uint8Array.of(
    0x00,
    0x6f,
    0x74,
    0x65,
    0x6c,
    version,
    header.length >>> 8,
    header.length & 0xff,
    ...header,
    ...payload,
  );
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('wrapBinaryEnvelope', () => {
  it('writes magic, version, big-endian header length, header JSON, then the payload', () => {
    const payload = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
    const header = utf8(JSON.stringify({ traceparent: TRACEPARENT }));
    const wrapped = wrapBinaryEnvelope(payload, { traceparent: TRACEPARENT })!;
    expect(hex(wrapped)).toBe(
      `${PREAMBLE}${header.length.toString(16).padStart(4, '0')}${hex(header)}deadbeef`,
    );
  });

  it('encodes a header longer than 255 bytes in both length bytes', () => {
    const textMap = { traceparent: TRACEPARENT, baggage: 'k='.padEnd(400, 'v') };
    const wrapped = wrapBinaryEnvelope(new Uint8Array(), textMap)!;
    const length = utf8(JSON.stringify(textMap)).length;
    expect([wrapped[6], wrapped[7]]).toEqual([length >>> 8, length & 0xff]);
    expect(unwrapBinaryEnvelope(wrapped)?.carrier).toEqual(textMap);
  });

  it('refuses a header above MAX_BINARY_ENVELOPE_HEADER_BYTES', () => {
    const tooBig = { x: 'a'.repeat(MAX_BINARY_ENVELOPE_HEADER_BYTES) };
    expect(wrapBinaryEnvelope(Uint8Array.of(1), tooBig)).toBeUndefined();
  });

  it('does not touch the payload it wraps', () => {
    const payload = Uint8Array.of(1, 2, 3);
    wrapBinaryEnvelope(payload, { traceparent: TRACEPARENT });
    expect([...payload]).toEqual([1, 2, 3]);
  });
});

describe('unwrapBinaryEnvelope', () => {
  it('gives back the carrier and the payload without the frame', () => {
    const payload = utf8('not json at all \u0000');
    const unwrapped = unwrapBinaryEnvelope(
      frame(utf8(`{"traceparent":"${TRACEPARENT}"}`), payload),
    )!;
    expect(unwrapped.carrier).toEqual({ traceparent: TRACEPARENT });
    expect(hex(unwrapped.payload)).toBe(hex(payload));
  });

  it('reads an envelope with an empty payload', () => {
    const unwrapped = unwrapBinaryEnvelope(frame(utf8('{}'), new Uint8Array()))!;
    expect(unwrapped.payload.length).toBe(0);
  });

  const header = utf8(`{"traceparent":"${TRACEPARENT}"}`);
  it.each([
    ['empty data', new Uint8Array()],
    ['data shorter than the preamble', Uint8Array.of(0x00, 0x6f, 0x74)],
    ['a wrong magic', Uint8Array.of(0x01, 0x6f, 0x74, 0x65, 0x6c, 0x01, 0x00, 0x02, 0x7b, 0x7d)],
    ['an unknown version', frame(header, Uint8Array.of(1), 0x02)],
    ['a header length past the end', frame(header, new Uint8Array()).subarray(0, 20)],
    ['a header that is not JSON', frame(utf8('{"traceparent":'), Uint8Array.of(1))],
    ['a header that is a JSON array', frame(utf8('["traceparent"]'), Uint8Array.of(1))],
    ['a header that is JSON null', frame(utf8('null'), Uint8Array.of(1))],
    ['a header that is not UTF-8', frame(Uint8Array.of(0x22, 0xff, 0x22), Uint8Array.of(1))],
    ['JSON data', utf8('{"a":1}')],
  ])('answers undefined for %s', (_name, data) => {
    expect(unwrapBinaryEnvelope(data)).toBeUndefined();
  });

  it('refuses a declared header length above MAX_BINARY_ENVELOPE_HEADER_BYTES', () => {
    const length = MAX_BINARY_ENVELOPE_HEADER_BYTES + 1;
    const data = new Uint8Array(8 + length);
    data.set([0x00, 0x6f, 0x74, 0x65, 0x6c, 0x01, length >>> 8, length & 0xff]);
    data.set(utf8('{}'), 8);
    expect(unwrapBinaryEnvelope(data)).toBeUndefined();
  });

  it('reads a header whose keys would pollute a prototype as plain data', () => {
    const unwrapped = unwrapBinaryEnvelope(
      frame(
        utf8('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
        Uint8Array.of(7),
      ),
    )!;
    expect(Object.hasOwn(unwrapped.carrier, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('envelope round trip (property)', () => {
  it('gives back arbitrary payloads and text maps exactly', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.dictionary(fc.string(), fc.string({ unit: 'grapheme' }), { maxKeys: 4 }),
        (payload, textMap) => {
          const unwrapped = unwrapBinaryEnvelope(wrapBinaryEnvelope(payload, textMap)!)!;
          expect(hex(unwrapped.payload)).toBe(hex(payload));
          expect(unwrapped.carrier).toEqual(textMap);
        },
      ),
      { numRuns: 300 },
    );
  });
});
