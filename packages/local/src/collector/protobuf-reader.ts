// A minimal protobuf wire-format reader: the handful of primitives OTLP messages use, with
// bounds checks, so a malformed body from a misbehaving client becomes a decode error
// (an HTTP 400 for the collector), never a crash. Sub-messages are counted against one
// budget per top-level message, so a body cannot decode to more objects than the collector holds.

import { decodeHex, decodeText } from './decoded-text.js';
import { messageBudget } from './export-limits.js';

/** Thrown for bytes that are not a well-formed protobuf message. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** Protobuf wire types (the low three bits of a field tag). */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  Fixed32: 5,
} as const;

// A varint carries 7 bits per byte, so a 64-bit value takes at most 10 bytes (protobuf
// encoding spec).
const MAX_VARINT_BYTES = 10;
const NANOS_PER_SECOND = 1e9;
const NANOS_DIGITS = 9;

/**
 * The field number of a tag from {@link ProtobufReader.fieldTag}.
 *
 * @example
 * fieldNumber(0x0a); // 1 (field 1, length-delimited)
 */
export function fieldNumber(tag: number): number {
  // Division, not a shift: a tag can be wider than 32 bits.
  return Math.floor(tag / 8);
}

/**
 * The wire type of a tag from {@link ProtobufReader.fieldTag}.
 *
 * @example
 * wireTypeOf(0x0a) === WireType.LengthDelimited; // true
 */
export function wireTypeOf(tag: number): number {
  return tag % 8;
}

/**
 * Reads one message field by field. A sub-message is read in place, between `enter()` and
 * `leave()`, and the decoders read tags as plain numbers (`fieldTag()`): decoding a span makes
 * no object per field or per attribute beyond what it returns.
 *
 * @example
 * const reader = new ProtobufReader(bytes);
 * while (!reader.done) {
 *   const tag = reader.fieldTag();
 *   if (fieldNumber(tag) === 1 && wireTypeOf(tag) === WireType.LengthDelimited) name = reader.string();
 *   else reader.skip(wireTypeOf(tag));
 * }
 */
export class ProtobufReader {
  // A Buffer over the same memory (no copy): it decodes text and hex without copying each
  // field first.
  private readonly bytes: Buffer;
  private pos = 0;
  // Where the message being read ends; `enter()` narrows it to a sub-message.
  private end: number;
  private readonly budget = messageBudget();

  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /**
   * The next field's tag as the number on the wire, `field * 8 + wireType`: split it with
   * {@link fieldNumber} and {@link wireTypeOf}.
   */
  fieldTag(): number {
    const tag = this.varint();
    if (tag < 8) throw new ProtobufDecodeError(`field number 0 at byte ${this.pos}`);
    return tag;
  }

  /** A varint as a number: exact for the lengths, enums and counts OTLP uses. */
  varint(): number {
    // Tags, lengths and most values fit in one byte.
    const first = this.pos < this.end ? this.bytes[this.pos] : undefined;
    if (first !== undefined && first < 0x80) {
      this.pos++;
      return first;
    }
    let value = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) return value;
    }
    throw new ProtobufDecodeError(`varint longer than ${MAX_VARINT_BYTES} bytes`);
  }

  /** A varint as a signed 64-bit integer (protobuf int64). */
  int64(): bigint {
    let value = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.byte();
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) return BigInt.asIntN(64, value);
    }
    throw new ProtobufDecodeError(`varint longer than ${MAX_VARINT_BYTES} bytes`);
  }

  /**
   * A protobuf int64 as decimal text, exactly. A non-negative value up to 2^53 - 1, nearly every
   * attribute an SDK writes, is read as a number by `varint`, exact at that size; a varint sum
   * beyond it may have rounded, but never below 2^53, so larger and negative ones (ten bytes on
   * the wire) are read again through BigInt.
   */
  int64Decimal(): string {
    const start = this.pos;
    const value = this.varint();
    if (value <= Number.MAX_SAFE_INTEGER) return String(value);
    this.pos = start;
    return this.int64().toString();
  }

  fixed32(): number {
    return this.bytes.readUInt32LE(this.advance(4));
  }

  /**
   * A fixed64 as decimal text, exactly (OTLP's nanosecond timestamps), without a BigInt: the
   * value is divided by 10^9 in 16-bit steps, each exact as a double, and the seconds and the
   * nanoseconds within them written side by side.
   */
  fixed64Decimal(): string {
    const low = this.fixed32();
    const high = this.fixed32();
    // high * 2^16 + the top half of low: below 2^48.
    const upper = high * 0x10000 + (low >>> 16);
    const upperSeconds = Math.floor(upper / NANOS_PER_SECOND);
    // (upper mod 10^9) * 2^16 + the bottom half of low: below 2^46.
    const lower = (upper - upperSeconds * NANOS_PER_SECOND) * 0x10000 + (low & 0xffff);
    const lowerSeconds = Math.floor(lower / NANOS_PER_SECOND);
    const seconds = upperSeconds * 0x10000 + lowerSeconds;
    const nanos = lower - lowerSeconds * NANOS_PER_SECOND;
    if (seconds === 0) return String(nanos);
    return String(seconds) + String(nanos).padStart(NANOS_DIGITS, '0');
  }

  double(): number {
    return this.bytes.readDoubleLE(this.advance(8));
  }

  /** A length-delimited field's bytes: a view of the export, not a copy. */
  bytesField(): Buffer {
    const length = this.varint();
    const start = this.advance(length);
    return this.bytes.subarray(start, start + length);
  }

  /** A length-delimited field as UTF-8 text; invalid sequences become U+FFFD. */
  string(): string {
    const length = this.varint();
    const start = this.advance(length);
    return decodeText(this.bytes, start, start + length);
  }

  /** A length-delimited field (an id) as lowercase hex. */
  hex(): string {
    const length = this.varint();
    const start = this.advance(length);
    return decodeHex(this.bytes, start, start + length);
  }

  /**
   * Narrows this reader to the length-delimited sub-message at the current position, which it
   * then reads until `done`; returns the end to hand back to {@link leave} afterwards.
   *
   * @throws {ExportTooLargeError} past MAX_MESSAGES_PER_EXPORT sub-messages in all.
   */
  enter(): number {
    const length = this.varint();
    const start = this.advance(length);
    this.budget.spend(1);
    this.pos = start;
    const outerEnd = this.end;
    this.end = start + length;
    return outerEnd;
  }

  /** Goes back to the message around the sub-message read since `enter()`. */
  leave(outerEnd: number): void {
    this.pos = this.end;
    this.end = outerEnd;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.LengthDelimited:
        this.advance(this.varint());
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private byte(): number {
    const byte = this.bytes[this.advance(1)];
    if (byte === undefined) throw new ProtobufDecodeError('message ends inside a varint');
    return byte;
  }

  /** Moves past `length` bytes and returns where they start. */
  private advance(length: number): number {
    const start = this.pos;
    if (start + length > this.end) {
      throw new ProtobufDecodeError(
        `message truncated: ${length} bytes needed at byte ${start}, ${this.end - start} left`,
      );
    }
    this.pos = start + length;
    return start;
  }
}
