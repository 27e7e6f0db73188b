import { encodeUtf8, parseJsonObject } from './json-text.js';
import { MAX_BINARY_ENVELOPE_HEADER_BYTES } from './limits.js';
import type { TextMap } from './propagator.js';

/**
 * Framed envelope for binary payloads (opt-in):
 *
 * ```
 * 0x00 'o' 't' 'e' 'l'   magic: a NUL first, so no JSON or text payload can start this way
 * 0x01                   format version
 * uint16 big-endian      length N of the header
 * N bytes                header: the text map as UTF-8 JSON, e.g. {"traceparent":"00-…"}
 * …                      the producer's payload, unchanged
 * ```
 */
const MAGIC = Uint8Array.of(0x00, 0x6f, 0x74, 0x65, 0x6c);
const FORMAT_VERSION = 0x01;
const HEADER_LENGTH_BYTES = 2;
const PREAMBLE_BYTES = MAGIC.length + 1 + HEADER_LENGTH_BYTES;

/**
 * Wraps binary data in the tracebridge envelope carrying `textMap`. Returns `undefined` when the
 * header would not fit the envelope's 16-bit length field (it never does for W3C fields).
 *
 * @example
 * ```ts
 * import { context, propagation } from '@opentelemetry/api';
 * import { wrapBinaryEnvelope } from 'tracebridge';
 *
 * const textMap: Record<string, string> = {};
 * propagation.inject(context.active(), textMap);
 * const data = wrapBinaryEnvelope(avroBytes, textMap) ?? avroBytes;
 * ```
 */
export function wrapBinaryEnvelope(payload: Uint8Array, textMap: TextMap): Uint8Array | undefined {
  const header = encodeUtf8(JSON.stringify(textMap));
  if (header.length > MAX_BINARY_ENVELOPE_HEADER_BYTES) return undefined;
  const framed = new Uint8Array(PREAMBLE_BYTES + header.length + payload.length);
  framed.set(MAGIC, 0);
  framed[MAGIC.length] = FORMAT_VERSION;
  framed[MAGIC.length + 1] = header.length >>> 8;
  framed[MAGIC.length + 2] = header.length & 0xff;
  framed.set(header, PREAMBLE_BYTES);
  framed.set(payload, PREAMBLE_BYTES + header.length);
  return framed;
}

/**
 * Reads the tracebridge binary envelope. Returns the header's text map and the payload without
 * the frame, or `undefined` when `data` is not a well-formed envelope (then it is the payload).
 *
 * @example
 * ```ts
 * import { unwrapBinaryEnvelope } from 'tracebridge';
 *
 * const unwrapped = unwrapBinaryEnvelope(bytes);
 * const payload = unwrapped?.payload ?? bytes;
 * ```
 */
export function unwrapBinaryEnvelope(
  data: Uint8Array,
): { carrier: Record<string, unknown>; payload: Uint8Array } | undefined {
  if (data.length < PREAMBLE_BYTES) return undefined;
  for (let index = 0; index < MAGIC.length; index++) {
    if (data[index] !== MAGIC[index]) return undefined;
  }
  if (data[MAGIC.length] !== FORMAT_VERSION) return undefined;
  const headerLength = ((data[MAGIC.length + 1] ?? 0) << 8) | (data[MAGIC.length + 2] ?? 0);
  const payloadStart = PREAMBLE_BYTES + headerLength;
  if (headerLength > MAX_BINARY_ENVELOPE_HEADER_BYTES || payloadStart > data.length) {
    return undefined;
  }
  const carrier = parseJsonObject(data.subarray(PREAMBLE_BYTES, payloadStart));
  return carrier && { carrier, payload: data.subarray(payloadStart) };
}
