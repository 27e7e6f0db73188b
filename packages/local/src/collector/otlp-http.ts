// The OTLP/HTTP side of the receiver: reading a POST /v1/traces body within its limits and
// answering in the request's own encoding, as the OTLP specification requires
// (opentelemetry.io/docs/specs/otlp/#otlphttp). Every way a body can be wrong becomes an
// OtlpRequestError carrying the HTTP status to answer with.

import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { ExportTooLargeError } from './export-limits.js';
import { decodeExportTraceServiceRequest } from './otlp-decode.js';
import { parseOtlpJson } from './otlp-json.js';
import type { OtlpExportTraceServiceRequest } from './otlp-types.js';

// Far above what one BatchSpanProcessor export (512 spans) encodes to, and below the
// OpenTelemetry Collector's 20 MiB default (confighttp), so a forwarding target accepts
// whatever this receiver accepts. It bounds the decompressed body too: gzip bombs stop here.
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The two OTLP/HTTP encodings. */
export const OtlpContentType = {
  Protobuf: 'application/x-protobuf',
  Json: 'application/json',
} as const;
export type OtlpContentType = (typeof OtlpContentType)[keyof typeof OtlpContentType];

// Four bodies at the per-request limit: every export a local run sends fits many times over,
// and the bodies held at once stay far below the 128 × MAX_BODY_BYTES the connection cap
// alone would allow.
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 4 * MAX_BODY_BYTES;
// What a 503 asks the exporter to wait (OTLP/HTTP honours Retry-After on retryable answers).
export const RETRY_AFTER_SECONDS = 1;

/** A request the receiver turns down, with the HTTP status that says why. */
export class OtlpRequestError extends Error {
  override readonly name = 'OtlpRequestError';

  constructor(
    readonly status: 400 | 413 | 415 | 503,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The bytes of export bodies the collector holds at once, across every connection: compressed
 * bodies as they arrive and their decompressed form as it is inflated, until each export is
 * decoded. A body that would take it past `limit` is refused instead of being kept.
 */
export interface BytesInFlight {
  readonly limit: number;
  /** Bytes held now. */
  held(): number;
  /** Holds `bytes` more if the limit allows, and says whether it did. */
  take(bytes: number): boolean;
  release(bytes: number): void;
}

/**
 * Makes the collector's budget of body bytes in flight.
 *
 * @example
 * const inFlight = bytesInFlight(DEFAULT_MAX_BYTES_IN_FLIGHT);
 * const received = await readOtlpExport(request, OtlpContentType.Protobuf, MAX_BODY_BYTES, inFlight);
 */
export function bytesInFlight(limit: number): BytesInFlight {
  let held = 0;
  return {
    limit,
    held: () => held,
    take(bytes) {
      if (held + bytes > limit) return false;
      held += bytes;
      return true;
    },
    release(bytes) {
      held -= bytes;
    },
  };
}

/** A decoded export, with its decompressed body for forwarding. */
export interface ReceivedExport {
  readonly request: OtlpExportTraceServiceRequest;
  readonly body: Uint8Array;
  readonly contentType: OtlpContentType;
}

/**
 * The OTLP encoding a Content-Type names, ignoring parameters such as `charset`; undefined
 * for any other type.
 *
 * @example
 * otlpContentType('application/json; charset=utf-8'); // 'application/json'
 */
export function otlpContentType(header: string | undefined): OtlpContentType | undefined {
  const type = header?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === OtlpContentType.Json) return OtlpContentType.Json;
  // `application/protobuf` is the registered name some clients use for the same encoding.
  if (type === OtlpContentType.Protobuf || type === 'application/protobuf') {
    return OtlpContentType.Protobuf;
  }
  return undefined;
}

/**
 * Reads and decodes an OTLP/HTTP trace export. Its body, and for gzip its decompressed form
 * too, count against `inFlight` from their first byte until the export is decoded.
 *
 * @throws {OtlpRequestError} 413 for a body over `maxBytes` (compressed or not), one that
 * decodes to more than MAX_MESSAGES_PER_EXPORT spans, attributes and values, or one that alone
 * needs more than all of `inFlight`; 415 for an encoding other than gzip; 400 for a body that
 * does not decode; 503 while other bodies hold the rest of `inFlight`.
 * @example
 * const inFlight = bytesInFlight(DEFAULT_MAX_BYTES_IN_FLIGHT);
 * const received = await readOtlpExport(request, OtlpContentType.Protobuf, MAX_BODY_BYTES, inFlight);
 */
export async function readOtlpExport(
  request: IncomingMessage,
  contentType: OtlpContentType,
  maxBytes: number,
  inFlight: BytesInFlight,
): Promise<ReceivedExport> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity') {
    throw new OtlpRequestError(
      415,
      `Content-Encoding ${encoding} is not supported: send gzip or none`,
    );
  }
  const raw = await readBody(request, maxBytes, inFlight);
  let held = raw.length;
  try {
    const body = encoding === 'gzip' ? await gunzipWithin(raw, maxBytes, inFlight) : raw;
    if (body !== raw) held += body.length;
    return { request: decode(body, contentType), body, contentType };
  } finally {
    inFlight.release(held);
  }
}

/**
 * Takes `bytes` more for an export that holds `ownBytes` already; the refusal when it cannot:
 * a 503 to retry while other exports hold the budget, a 413 when this export alone would pass
 * it, which no retry mends.
 */
function takeInFlight(
  inFlight: BytesInFlight,
  ownBytes: number,
  bytes: number,
): OtlpRequestError | undefined {
  if (inFlight.take(bytes)) return undefined;
  if (ownBytes + bytes > inFlight.limit) {
    return new OtlpRequestError(
      413,
      `the export needs more than the collector's limit of ${inFlight.limit} bytes in flight (maxBytesInFlight), counting its body and, for gzip, the body decompressed: export fewer spans per request`,
    );
  }
  return new OtlpRequestError(
    503,
    `the collector holds ${inFlight.held() - ownBytes} bytes of other exports, near its limit of ${inFlight.limit} bytes in flight (maxBytesInFlight): send this export again in ${RETRY_AFTER_SECONDS} s`,
  );
}

function tooLarge(what: string, maxBytes: number): OtlpRequestError {
  return new OtlpRequestError(
    413,
    `${what} is larger than the collector's limit of ${maxBytes} bytes (MAX_BODY_BYTES): export fewer spans per request`,
  );
}

/**
 * Chunks kept up to `maxBytes`, each taken from `inFlight` as it is kept, for an export that
 * holds `heldBefore` bytes there already; `what` names them in a 413.
 */
function heldChunks(
  what: string,
  maxBytes: number,
  inFlight: BytesInFlight,
  heldBefore: number,
): {
  /** Keeps `chunk`, or returns why it cannot. */
  keep(chunk: Buffer): OtlpRequestError | undefined;
  /** Drops every chunk kept and gives their bytes back. */
  drop(): void;
  /** The chunks as one buffer: the one chunk itself when there is only one. */
  join(): Buffer;
} {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    keep(chunk) {
      if (size + chunk.length > maxBytes) return tooLarge(what, maxBytes);
      const refusal = takeInFlight(inFlight, heldBefore + size, chunk.length);
      if (refusal) return refusal;
      size += chunk.length;
      chunks.push(chunk);
      return undefined;
    },
    drop() {
      chunks.length = 0;
      inFlight.release(size);
      size = 0;
    },
    join: () => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
  };
}

/**
 * Collects the body up to `maxBytes`, taking every byte it holds from `inFlight`: a body it
 * resolves with holds its length there, for the caller to release; on failure it releases what
 * it took itself. Past either limit it rejects at once and discards the rest as it comes, so the
 * client still reads the answer on a connection that stays usable.
 */
function readBody(
  request: IncomingMessage,
  maxBytes: number,
  inFlight: BytesInFlight,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    let discarding = declared > maxBytes;
    if (discarding) reject(tooLarge(`the body (${declared} bytes declared)`, maxBytes));
    const kept = heldChunks('the body', maxBytes, inFlight, 0);
    const discard = (error: OtlpRequestError): void => {
      discarding = true;
      kept.drop();
      reject(error);
    };
    request.on('data', (chunk: Buffer) => {
      if (discarding) return;
      const refusal = kept.keep(chunk);
      if (refusal) discard(refusal);
    });
    request.on('end', () => {
      // A body that came in one chunk (most, up to the 64 KiB of one socket read) is used as
      // it is: the socket hands each read a buffer of its own, so there is nothing to copy it from.
      resolve(kept.join());
    });
    // A client gone mid-body ('aborted'). After the whole body neither event changes anything:
    // the caller holds the body's bytes then.
    const cut = (cause?: Error): void => {
      if (request.complete) return;
      discard(
        new OtlpRequestError(400, 'the client closed the connection before the body ended', {
          cause,
        }),
      );
    };
    request.on('error', cut);
    request.on('close', () => {
      cut();
    });
  });
}

/**
 * Inflates `body`, taking each piece of output from `inFlight` as zlib makes it, so that many
 * small bodies that inflate to large ones are refused rather than held. The body resolved with
 * holds its length there, for the caller to release; on failure this releases what it took.
 * Joining the pieces briefly holds the output twice; that happens synchronously, one export at
 * a time, so it adds at most `maxBytes` to the budget.
 */
function gunzipWithin(body: Buffer, maxBytes: number, inFlight: BytesInFlight): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflate = createGunzip();
    const kept = heldChunks('the decompressed body', maxBytes, inFlight, body.length);
    let failed = false;
    const fail = (error: OtlpRequestError): void => {
      if (failed) return;
      failed = true;
      inflate.destroy();
      kept.drop();
      reject(error);
    };
    inflate.on('data', (chunk: Buffer) => {
      if (failed) return;
      const refusal = kept.keep(chunk);
      if (refusal) fail(refusal);
    });
    inflate.on('end', () => {
      if (!failed) resolve(kept.join());
    });
    inflate.on('error', (error) => {
      fail(
        new OtlpRequestError(400, `the body is not valid gzip: ${error.message}`, {
          cause: error,
        }),
      );
    });
    inflate.end(body);
  });
}

function decode(body: Uint8Array, contentType: OtlpContentType): OtlpExportTraceServiceRequest {
  try {
    if (contentType === OtlpContentType.Protobuf) return decodeExportTraceServiceRequest(body);
    // A view of the bytes, not a copy: the body can be 16 MiB.
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    return parseOtlpJson(JSON.parse(text) as unknown);
  } catch (cause) {
    if (cause instanceof ExportTooLargeError) {
      throw new OtlpRequestError(413, cause.message, { cause });
    }
    // Stack exhaustion on absurdly nested values lands here too, as a RangeError.
    const reason = cause instanceof Error ? cause.message : String(cause);
    const what = contentType === OtlpContentType.Protobuf ? 'protobuf' : 'JSON';
    throw new OtlpRequestError(
      400,
      `the body is not an OTLP ${what} ExportTraceServiceRequest: ${reason}`,
      { cause },
    );
  }
}

/**
 * Encodes an ExportTraceServiceResponse: empty, or with `partial_success` when spans were
 * rejected (trace_service.proto: field 1 partial_success { 1 rejected_spans, 2 error_message }).
 *
 * @example
 * response.end(encodeExportResponse(OtlpContentType.Json, 0, ''));
 */
export function encodeExportResponse(
  contentType: OtlpContentType,
  rejectedSpans: number,
  errorMessage: string,
): Uint8Array {
  if (contentType === OtlpContentType.Json) {
    const partial = { rejectedSpans: String(rejectedSpans), errorMessage };
    return Buffer.from(JSON.stringify(rejectedSpans > 0 ? { partialSuccess: partial } : {}));
  }
  if (rejectedSpans === 0) return new Uint8Array(0);
  const inner = Buffer.concat([
    Buffer.from([0x08]),
    varint(rejectedSpans),
    lengthDelimited(0x12, Buffer.from(errorMessage)),
  ]);
  return lengthDelimited(0x0a, inner);
}

/**
 * Encodes a google.rpc.Status carrying only `message` (field 2): the body OTLP/HTTP gives
 * every 4xx answer. The spec leaves `code` unused.
 *
 * @example
 * response.end(encodeStatus(OtlpContentType.Protobuf, 'the body is truncated'));
 */
export function encodeStatus(contentType: OtlpContentType, message: string): Uint8Array {
  if (contentType === OtlpContentType.Json) return Buffer.from(JSON.stringify({ message }));
  return lengthDelimited(0x12, Buffer.from(message));
}

function lengthDelimited(tag: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
}

/**
 * A protobuf varint of a non-negative integer up to 2^53, written without 32-bit bitwise
 * operations so that lengths past 2^32 encode too.
 *
 * @example
 * varint(300); // <Buffer ac 02>
 */
export function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
