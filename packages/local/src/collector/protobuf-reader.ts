// A minimal protobuf wire-format reader: the handful of primitives OTLP messages use, with
// bounds checks, so a malformed body from a misbehaving client becomes a decode error
// (an HTTP 400 for the collector), never a crash. Sub-messages are counted against one
// budget per top-level message, so a body cannot decode to more objects than the collector holds.

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

/**
 * Reads one message (or one length-delimited sub-message) field by field.
 *
 * @example
 * const reader = new ProtobufReader(bytes);
 * while (!reader.done) {
 *   const tag = reader.tag();
 *   if (tag.field === 1 && tag.wireType === WireType.LengthDelimited) name = reader.string();
 *   else reader.skip(tag.wireType);
 * }
 */
export class ProtobufReader {
  // A Buffer over the same memory (no copy), shared with the sub-messages' readers: it decodes
  // text and hex without copying each field first.
  private readonly bytes: Buffer;
  // Made on first use: only spans and links have fixed-width fields, and there is a reader per
  // attribute and per value, for which making one cost more than all the rest of the reader.
  private view: DataView | undefined;
  private pos: number;

  constructor(
    bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
    private readonly budget = messageBudget(),
  ) {
    this.bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  tag(): { readonly field: number; readonly wireType: number } {
    const value = this.varint();
    const field = Math.floor(value / 8);
    if (field === 0) throw new ProtobufDecodeError(`field number 0 at byte ${this.pos}`);
    return { field, wireType: value % 8 };
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

  fixed32(): number {
    return this.dataView().getUint32(this.advance(4), true);
  }

  fixed64(): bigint {
    return this.dataView().getBigUint64(this.advance(8), true);
  }

  double(): number {
    return this.dataView().getFloat64(this.advance(8), true);
  }

  bytesField(): Uint8Array {
    const length = this.varint();
    const start = this.advance(length);
    return this.bytes.subarray(start, start + length);
  }

  /** A length-delimited field as UTF-8 text; invalid sequences become U+FFFD. */
  string(): string {
    const length = this.varint();
    const start = this.advance(length);
    return this.bytes.toString('utf8', start, start + length);
  }

  /** A length-delimited field (an id) as lowercase hex. */
  hex(): string {
    const length = this.varint();
    const start = this.advance(length);
    return this.bytes.toString('hex', start, start + length);
  }

  /**
   * A reader over the length-delimited sub-message at the current position.
   *
   * @throws {ExportTooLargeError} past MAX_MESSAGES_PER_EXPORT sub-messages in all.
   */
  message(): ProtobufReader {
    const length = this.varint();
    const start = this.advance(length);
    this.budget.spend(1);
    return new ProtobufReader(this.bytes, start, start + length, this.budget);
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

  private dataView(): DataView {
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view;
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
