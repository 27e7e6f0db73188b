import type { Socket } from 'node:net';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { asError } from '../../../propagation/diag.js';
import type { OtlpConfig } from '../../config/resolve.js';
import { TrackedExporter } from '../tracker.js';
import { type HttpClient, httpClient } from './http-client.js';
import { toOtlpJson } from './json.js';
import { encodeTraceRequest } from './protobuf.js';

// The OTLP/HTTP defaults when the URL names no port (http and https).
const HTTP_PORT = 80;
const HTTPS_PORT = 443;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * Sends spans to an OTLP/HTTP collector, protobuf- or JSON-encoded, over HTTP/1.1 on kept-alive
 * `node:net` (http) or `node:tls` (https) connections. Everything an export needs (the module,
 * the encoder, the request head) is set up by the constructor, so the first export of a cold
 * function pays for no lazy loading; nothing touches the network before that export.
 *
 * @example
 * ```ts
 * const exporter = new OtlpHttpExporter({
 *   url: new URL('http://localhost:4318/v1/traces'),
 *   protocol: 'http/protobuf',
 *   headers: {},
 *   compression: 'none',
 *   timeoutMs: 10_000,
 * });
 * ```
 */
export class OtlpHttpExporter extends TrackedExporter {
  readonly #client: HttpClient;
  readonly #encode: (spans: readonly ReadableSpan[]) => Uint8Array;
  readonly #compress: ((body: Uint8Array) => Uint8Array) | undefined;

  readonly #config: OtlpConfig;

  constructor(config: OtlpConfig) {
    super();
    this.#config = config;
    const { url } = config;
    const json = config.protocol === 'http/json';
    this.#encode = json
      ? (spans) => Buffer.from(JSON.stringify(toOtlpJson(spans)))
      : encodeTraceRequest;
    // Loaded here, not imported: a function that does not gzip never loads zlib.
    const gzip = config.compression === 'gzip';
    this.#compress = gzip ? process.getBuiltinModule('node:zlib').gzipSync : undefined;
    this.#client = httpClient(
      connectTo(url),
      url,
      {
        ...config.headers,
        'content-type': json ? 'application/json' : 'application/x-protobuf',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
      config.timeoutMs,
    );
  }

  protected release(): void {
    this.#client.close();
  }

  protected async send(spans: readonly ReadableSpan[]): Promise<void> {
    const encoded = this.#encode(spans);
    const body = this.#compress ? this.#compress(encoded) : encoded;
    let status: number;
    let quote: string;
    try {
      ({ status, quote } = await this.#client.post(body));
    } catch (cause) {
      const reason = asError(cause).message;
      const hint =
        errorCode(cause) === 'ECONNREFUSED'
          ? ': is a collector listening there? OTEL_EXPORTER_OTLP_ENDPOINT sets where to send'
          : '';
      throw new Error(
        `OTLP export of ${spans.length} span(s) to ${this.#config.url.href} failed: ${reason}${hint}`,
        { cause },
      );
    }
    if (status < 200 || status >= 300) {
      const text = quote.trim();
      throw new Error(
        `OTLP export of ${spans.length} span(s) to ${this.#config.url.href} failed: the collector answered ${status}${text === '' ? '' : `: ${text}`}`,
      );
    }
  }
}

/**
 * Connections to the collector: node:net for http, node:tls (certificates checked against
 * Node.js's CA store and NODE_EXTRA_CA_CERTS) for https, loaded here rather than imported so
 * that a function exporting over http never loads the TLS stack.
 */
function connectTo(url: URL): () => Socket {
  // URL keeps an IPv6 host in brackets; sockets take it bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'https:') {
    const tls = process.getBuiltinModule('node:tls');
    const port = Number(url.port || HTTPS_PORT);
    // SNI takes host names only (RFC 6066), never an address.
    const servername = process.getBuiltinModule('node:net').isIP(host) === 0 ? host : undefined;
    return () => tls.connect({ host, port, servername });
  }
  const net = process.getBuiltinModule('node:net');
  const port = Number(url.port || HTTP_PORT);
  return () => net.connect({ host, port });
}
