import type { Socket } from 'node:dgram';
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { asError } from '../../propagation/diag.js';
import { encodeTraceRequest } from './otlp/protobuf.js';
import { TrackedExporter } from './tracker.js';

// The X-Ray daemon's OTLP-over-UDP format, as AWS's ADOT exporters send it: a JSON header
// line, then T1S (sampled) or T1U (unsampled) spans, then a base64 ExportTraceServiceRequest.
const DATAGRAM_HEADER = '{"format":"json","version":1}\n';
const SAMPLED_PREFIX = 'T1S';
const UNSAMPLED_PREFIX = 'T1U';
// The largest UDP payload over IPv4: 65,535 - 8 (UDP header) - 20 (IP header) bytes, which
// also keeps every datagram under the 64 KiB the daemon reads at a time.
export const MAX_DATAGRAM_BYTES = 65_507;
// Base64 turns every 3 bytes (or part thereof) into 4 characters (RFC 4648).
const BASE64_BLOCK_BYTES = 3;
const BASE64_BLOCK_CHARS = 4;

function datagramSize(prefix: string, bodyBytes: number): number {
  return (
    DATAGRAM_HEADER.length +
    prefix.length +
    Math.ceil(bodyBytes / BASE64_BLOCK_BYTES) * BASE64_BLOCK_CHARS
  );
}

/**
 * Packs spans into datagrams of at most {@link MAX_DATAGRAM_BYTES}: the batch is cut into as
 * many even slices as its size calls for, and any slice still too large is cut again. A
 * single span too large for a datagram cannot be sent and comes back in `tooLarge`.
 *
 * @example
 * const { datagrams, tooLarge } = packDatagrams(spans, 'T1S');
 */
export function packDatagrams(
  spans: readonly ReadableSpan[],
  prefix: string,
): { readonly datagrams: Buffer[]; readonly tooLarge: ReadableSpan[] } {
  const datagrams: Buffer[] = [];
  const tooLarge: ReadableSpan[] = [];
  const pack = (slice: readonly ReadableSpan[]): void => {
    const body = encodeTraceRequest(slice);
    const size = datagramSize(prefix, body.length);
    if (size <= MAX_DATAGRAM_BYTES) {
      const base64 = Buffer.from(body.buffer, body.byteOffset, body.length).toString('base64');
      datagrams.push(Buffer.from(DATAGRAM_HEADER + prefix + base64));
    } else if (slice.length === 1) {
      tooLarge.push(...slice);
    } else {
      const parts = Math.min(slice.length, Math.ceil(size / MAX_DATAGRAM_BYTES));
      const step = Math.ceil(slice.length / parts);
      for (let start = 0; start < slice.length; start += step)
        pack(slice.slice(start, start + step));
    }
  };
  if (spans.length > 0) pack(spans);
  return { datagrams, tooLarge };
}

/**
 * Sends spans straight to the X-Ray daemon over UDP (in Lambda, the daemon the service runs
 * next to every function when active tracing is on), so a function reaches X-Ray without a
 * collector. UDP has no acknowledgement: an export counts as done once the datagrams are
 * handed to the operating system.
 *
 * @example
 * ```ts
 * const exporter = new XRayDaemonExporter('127.0.0.1', 2000);
 * ```
 */
export class XRayDaemonExporter extends TrackedExporter {
  readonly #host: string;
  readonly #port: number;
  readonly #socket: Socket;

  constructor(host: string, port: number) {
    super();
    this.#host = host;
    this.#port = port;
    // Loaded here, not imported, so functions that do not export to X-Ray never load dgram.
    const dgram = process.getBuiltinModule('node:dgram');
    this.#socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    // The socket must not keep a finished process (a test, a script) alive.
    this.#socket.unref();
  }

  protected release(): void {
    this.#socket.close();
  }

  protected async send(spans: readonly ReadableSpan[]): Promise<void> {
    const isSampled = (span: ReadableSpan): boolean =>
      (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
    const sampled = packDatagrams(spans.filter(isSampled), SAMPLED_PREFIX);
    const unsampled = packDatagrams(
      spans.filter((span) => !isSampled(span)),
      UNSAMPLED_PREFIX,
    );
    const target = `the X-Ray daemon at ${this.#host}:${this.#port}`;
    try {
      // One at a time: a burst of 64 KiB datagrams can overflow the daemon's receive buffer.
      for (const datagram of [...sampled.datagrams, ...unsampled.datagrams]) {
        await this.#sendOne(datagram);
      }
    } catch (cause) {
      const reason = asError(cause).message;
      throw new Error(`X-Ray export of ${spans.length} span(s) to ${target} failed: ${reason}`, {
        cause,
      });
    }
    const tooLarge = [...sampled.tooLarge, ...unsampled.tooLarge];
    if (tooLarge.length > 0) {
      const names = tooLarge.map((span) => `"${span.name}"`).join(', ');
      throw new Error(
        `X-Ray export to ${target} dropped ${tooLarge.length} span(s) (${names}): each encodes to more than one ${MAX_DATAGRAM_BYTES}-byte datagram holds; record less in their attributes and events`,
      );
    }
  }

  #sendOne(datagram: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(datagram, this.#port, this.#host, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }
}
