import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHex, decodeText } from './decoded-text.js';
import { ProtobufReader } from './protobuf-reader.js';

const UINT64_MAX = 2n ** 64n - 1n;

function fixed64Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}

function varintBytes(value: bigint): Uint8Array {
  // int64 on the wire: two's complement in 64 bits, 7 bits a byte.
  let rest = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return new Uint8Array(bytes);
}

describe('ProtobufReader numbers as decimal text', () => {
  it('writes every fixed64 exactly as BigInt does', () => {
    const edges = [0n, 1n, 999_999_999n, 1_000_000_000n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n];
    const nanos = [1_700_000_000_123_456_789n, 1_795_512_950_668_498_530n, UINT64_MAX];
    for (const value of [...edges, ...nanos]) {
      expect(new ProtobufReader(fixed64Bytes(value)).fixed64Decimal()).toBe(value.toString());
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: UINT64_MAX }), (value) => {
        expect(new ProtobufReader(fixed64Bytes(value)).fixed64Decimal()).toBe(value.toString());
      }),
    );
  });

  it('writes every int64 exactly, the short ones without BigInt and the rest with it', () => {
    const edges = [0n, 1n, -1n, 2n ** 49n - 1n, 2n ** 49n, 2n ** 63n - 1n, -(2n ** 63n)];
    for (const value of edges) {
      expect(new ProtobufReader(varintBytes(value)).int64Decimal()).toBe(value.toString());
    }
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const reader = new ProtobufReader(varintBytes(value));
        expect(reader.int64Decimal()).toBe(value.toString());
        expect(reader.done).toBe(true);
      }),
    );
  });

  it('rejects an int64 cut short inside its varint', () => {
    expect(() => new ProtobufReader(new Uint8Array([0x80, 0x80])).int64Decimal()).toThrow(
      /ends inside a varint|truncated/,
    );
  });
});

describe('decodeText and decodeHex', () => {
  it('give what Buffer decoding gives, for any bytes, however often they repeat', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 20 }), (fields) => {
        // Twice over, so the second round meets the strings the first one left in the table.
        for (const bytes of [...fields, ...fields]) {
          const buffer = Buffer.from(bytes);
          expect(decodeText(buffer, 0, buffer.length)).toBe(buffer.toString('utf8'));
          expect(decodeHex(buffer, 0, buffer.length)).toBe(buffer.toString('hex'));
        }
      }),
    );
  });

  it('never takes text made from other bytes for these ones', () => {
    // "éé" is C3 A9 C3 A9 in UTF-8, two characters U+00E9; E9 E9 is not UTF-8 at all.
    const utf8 = Buffer.from('éé');
    const notUtf8 = Buffer.from([0xe9, 0xe9]);
    for (let round = 0; round < 2; round++) {
      expect(decodeText(utf8, 0, utf8.length)).toBe('éé');
      expect(decodeText(notUtf8, 0, notUtf8.length)).toBe('\ufffd\ufffd');
    }
  });

  it('returns the same string for text and ids that repeat, from any offset', () => {
    const body = Buffer.from('..service.name..service.name');
    expect(decodeText(body, 2, 14)).toBe('service.name');
    expect(decodeText(body, 16, 28)).toBe(decodeText(body, 2, 14));
    const ids = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    expect(decodeHex(ids, 0, 8)).toBe('0123456789abcdef');
    expect(decodeHex(ids, 8, 16)).toBe('0123456789abcdef');
    expect(decodeHex(ids, 0, 16)).toBe('0123456789abcdef0123456789abcdef');
  });
});
