// A minimal protobuf wire-format writer: exactly the primitives an OTLP trace request needs.
// Nested messages reserve one length byte and shift their content in the rare case the
// length needs more, so everything is written in one pass into one growing buffer.

import { hexDigitValue } from '../../hex.js';

/** Protobuf wire types (the low three bits of a field tag). */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  Fixed32: 5,
} as const;

// A span with a few attributes encodes to a few hundred bytes; 4 KiB holds a small batch
// without growing, and the buffer doubles from there.
const INITIAL_CAPACITY = 4096;
// Varints carry 7 bits per byte: 5 bytes for 32-bit values, 10 for 64-bit ones (protobuf spec).
const MAX_VARINT32_BYTES = 5;
const MAX_VARINT64_BYTES = 10;
// UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
const MAX_UTF8_BYTES_PER_UNIT = 3;
const ASCII_LIMIT = 0x80;
const MAX_UINT32 = 0xffff_ffff;

const utf8 = new TextEncoder();

function varintSize(value: number): number {
  let size = 1;
  while (value >= ASCII_LIMIT) {
    value = Math.floor(value / ASCII_LIMIT);
    size++;
  }
  return size;
}

/**
 * Writes protobuf fields into a buffer that grows as needed.
 *
 * @example
 * const writer = new ProtobufWriter();
 * writer.tag(1, WireType.LengthDelimited);
 * writer.string('hello');
 * const bytes = writer.finish();
 */
export class ProtobufWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buffer = new Uint8Array(capacity);
    this.view = new DataView(this.buffer.buffer);
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.pos);
  }

  tag(field: number, wireType: number): void {
    this.uint32(field * 8 + wireType);
  }

  uint32(value: number): void {
    this.ensure(MAX_VARINT32_BYTES);
    while (value >= ASCII_LIMIT) {
      this.buffer[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buffer[this.pos++] = value;
  }

  /** A signed 64-bit integer (protobuf int64: negative values take ten bytes). */
  int64(value: number): void {
    if (value >= 0 && value <= MAX_UINT32) {
      this.uint32(value);
      return;
    }
    this.ensure(MAX_VARINT64_BYTES);
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.buffer[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.pos++] = Number(rest);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value, true);
    this.pos += 4;
  }

  fixed64(value: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, value, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): void {
    this.ensure(MAX_VARINT32_BYTES + value.length * MAX_UTF8_BYTES_PER_UNIT);
    const start = this.begin();
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= ASCII_LIMIT) {
        pos += utf8.encodeInto(value.slice(i), buffer.subarray(pos)).written;
        break;
      }
      buffer[pos++] = code;
    }
    this.pos = pos;
    this.end(start);
  }

  /** Length-delimited bytes given as hex (trace and span ids). */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.uint32(length);
    this.ensure(length);
    for (let i = 0; i < length; i++) {
      this.buffer[this.pos++] =
        (hexDigitValue(hex.charCodeAt(2 * i)) << 4) | hexDigitValue(hex.charCodeAt(2 * i + 1));
    }
  }

  /** Starts a length-delimited sub-message; pass the result to `end`. */
  begin(): number {
    this.ensure(1);
    this.pos++;
    return this.pos;
  }

  /** Ends the sub-message started at `start`, writing its length in front of it. */
  end(start: number): void {
    const length = this.pos - start;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.ensure(extra);
      this.buffer.copyWithin(start + extra, start, this.pos);
      this.pos += extra;
    }
    let at = start - 1;
    let rest = length;
    while (rest >= ASCII_LIMIT) {
      this.buffer[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[at] = rest;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.pos + extra));
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
