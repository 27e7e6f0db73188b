// A stand-in for the X-Ray daemon's UDP port, for functions that export with tracebridge's
// `xray` exporter (or AWS's ADOT ones). Each datagram is a JSON header line, then `T1S`
// (sampled) or `T1U` (unsampled) and the base64 of an OTLP protobuf ExportTraceServiceRequest.
// Unsampled (T1U) spans are stored like sampled ones; their flags tell them apart. X-Ray
// segment documents, the daemon's other format, are not OTLP and are counted as malformed.
// Nothing a datagram holds can stop the listener.

import { LOOPBACK_HOST } from '../loopback.js';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { CollectorStartError } from './errors.js';
import { OtlpContentType, type ReceivedExport } from './otlp-http.js';
import { decodeExportTraceServiceRequest } from './otlp-decode.js';

/** The X-Ray daemon's port (`AWS_XRAY_DAEMON_ADDRESS` defaults to 127.0.0.1:2000). */
export const DEFAULT_XRAY_PORT = 2000;
const SPAN_PREFIXES = ['T1S', 'T1U'] as const;
// Enough of a wrong header line to recognise what sent it.
const MAX_QUOTED_HEADER_CHARS = 80;
// RFC 4648 base64 in whole 4-character blocks, the only form the exporters send.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Thrown by `parseXRayDatagram` for a datagram that does not carry OTLP spans.
 *
 * @example
 * ```ts
 * try {
 *   store.add(parseXRayDatagram(datagram).request);
 * } catch (error) {
 *   if (!(error instanceof XRayDatagramError)) throw error;
 * }
 * ```
 */
export class XRayDatagramError extends Error {
  override readonly name = 'XRayDatagramError';
}

export interface XRayListenerOptions {
  /** UDP port; 0 picks a free one. Default {@link DEFAULT_XRAY_PORT}. */
  readonly port?: number;
  /** Default 127.0.0.1; anything else lets other machines send spans. */
  readonly host?: string;
  /** Called with each well-formed datagram's export. */
  readonly onExport: (received: ReceivedExport) => void;
}

export interface XRayListenerStats {
  readonly datagramsReceived: number;
  readonly datagramsAccepted: number;
  readonly datagramsMalformed: number;
  readonly lastError: string | null;
}

export interface RunningXRayListener {
  /** `host:port`, for `AWS_XRAY_DAEMON_ADDRESS`. */
  readonly address: string;
  readonly port: number;
  stats(): XRayListenerStats;
  /** Stops listening and frees the port; later calls return the same promise. */
  close(): Promise<void>;
}

/**
 * Reads one X-Ray daemon datagram of OTLP spans.
 *
 * @throws {XRayDatagramError} when the datagram is anything else.
 * @example
 * const { request } = parseXRayDatagram(datagram);
 */
export function parseXRayDatagram(datagram: Uint8Array): ReceivedExport {
  const text = Buffer.from(datagram).toString('latin1');
  const newline = text.indexOf('\n');
  if (newline < 0) throw new XRayDatagramError('no header line');
  const header = parseHeader(text.slice(0, newline));
  if (header?.format !== 'json' || header.version !== 1) {
    throw new XRayDatagramError(
      `the header is not {"format":"json","version":1}: ${text.slice(0, Math.min(newline, MAX_QUOTED_HEADER_CHARS))}`,
    );
  }
  const payload = text.slice(newline + 1).trimEnd();
  const prefix = SPAN_PREFIXES.find((candidate) => payload.startsWith(candidate));
  if (!prefix) {
    throw new XRayDatagramError(
      'the body does not start with T1S or T1U (OTLP spans); X-Ray segment documents are not supported',
    );
  }
  const base64 = payload.slice(prefix.length);
  if (!BASE64.test(base64)) throw new XRayDatagramError(`the body after ${prefix} is not base64`);
  const body = Buffer.from(base64, 'base64');
  try {
    const request = decodeExportTraceServiceRequest(body);
    return { request, body, contentType: OtlpContentType.Protobuf };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new XRayDatagramError(`the spans do not decode: ${reason}`, { cause });
  }
}

function parseHeader(line: string): { format?: unknown; version?: unknown } | undefined {
  try {
    const header: unknown = JSON.parse(line);
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Listens for X-Ray daemon datagrams on UDP.
 *
 * @throws {CollectorStartError} when the port cannot be bound.
 * @example
 * const listener = await startXRayListener({ port: 0, onExport: ({ request }) => store.add(request) });
 * process.env.AWS_XRAY_DAEMON_ADDRESS = listener.address;
 */
export async function startXRayListener(
  options: XRayListenerOptions,
): Promise<RunningXRayListener> {
  const { port = DEFAULT_XRAY_PORT, host = LOOPBACK_HOST, onExport } = options;
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const counts = { datagramsReceived: 0, datagramsAccepted: 0, datagramsMalformed: 0 };
  let lastError: string | null = null;

  socket.on('message', (datagram) => {
    counts.datagramsReceived++;
    try {
      onExport(parseXRayDatagram(datagram));
      counts.datagramsAccepted++;
    } catch (error) {
      counts.datagramsMalformed++;
      lastError = error instanceof Error ? error.message : String(error);
    }
  });

  try {
    socket.bind(port, host);
    await once(socket, 'listening');
  } catch (cause) {
    try {
      socket.close();
    } catch {
      // already closed by the failed bind
    }
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CollectorStartError(
      `the X-Ray daemon listener cannot use UDP ${host}:${port} (${reason}): stop what uses it or choose another port`,
      { cause },
    );
  }
  // Past binding, socket errors concern single datagrams; the listener keeps going.
  socket.on('error', (error) => {
    lastError = error.message;
  });

  const bound = socket.address().port;
  let closing: Promise<void> | undefined;
  return {
    address: `${host}:${bound}`,
    port: bound,
    stats: () => ({ ...counts, lastError }),
    close() {
      closing ??= new Promise((resolve) => {
        socket.close(() => {
          resolve();
        });
      });
      return closing;
    },
  };
}
