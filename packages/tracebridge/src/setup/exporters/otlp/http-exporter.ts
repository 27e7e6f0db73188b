import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { OtlpConfig } from '../../config/resolve.js';
import { TrackedExporter } from '../tracker.js';
import { toOtlpJson } from './json.js';
import { encodeTraceRequest } from './protobuf.js';

// Only the start of an error answer is quoted in the warning: collectors explain themselves
// in a line, while a proxy's HTML error page would flood the function's log.
const MAX_QUOTED_ERROR_CHARS = 512;

type Request = (
  url: URL,
  options: RequestOptions,
  callback: (response: IncomingMessage) => void,
) => ClientRequest;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * Sends spans to an OTLP/HTTP collector, protobuf- or JSON-encoded, with `node:http` or
 * `node:https`. Everything an export needs (the module, a keep-alive agent, the encoder, the
 * headers) is set up by the constructor, so the first export of a cold function pays for no
 * lazy loading; nothing touches the network before that export.
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
  private readonly agent: Agent;
  private readonly request: Request;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly encode: (spans: readonly ReadableSpan[]) => Uint8Array;
  private readonly compress: ((body: Uint8Array) => Uint8Array) | undefined;

  constructor(private readonly config: OtlpConfig) {
    super();
    // Loaded here, not imported: a function that exports over http never loads the TLS stack
    // (node:https costs ~3 ms at cold start), and one that does not gzip never loads zlib.
    const transport =
      config.url.protocol === 'https:'
        ? process.getBuiltinModule('node:https')
        : process.getBuiltinModule('node:http');
    // Keep-alive: one TCP connection serves every flush of the execution environment.
    this.agent = new transport.Agent({ keepAlive: true });
    this.request = transport.request;
    const json = config.protocol === 'http/json';
    this.encode = json
      ? (spans) => Buffer.from(JSON.stringify(toOtlpJson(spans)))
      : encodeTraceRequest;
    const gzip = config.compression === 'gzip';
    this.compress = gzip ? process.getBuiltinModule('node:zlib').gzipSync : undefined;
    this.headers = {
      ...config.headers,
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  protected release(): void {
    this.agent.destroy();
  }

  protected async send(spans: readonly ReadableSpan[]): Promise<void> {
    const encoded = this.encode(spans);
    const body = this.compress ? this.compress(encoded) : encoded;
    try {
      await this.post(body, false);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const hint =
        errorCode(cause) === 'ECONNREFUSED'
          ? ': is a collector listening there? OTEL_EXPORTER_OTLP_ENDPOINT sets where to send'
          : '';
      throw new Error(
        `OTLP export of ${spans.length} span(s) to ${this.config.url.href} failed: ${reason}${hint}`,
        { cause },
      );
    }
  }

  private post(body: Uint8Array, isRetry: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = this.request(
        this.config.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, 'content-length': String(body.length) },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            response.resume();
            response.on('end', resolve);
          } else {
            readQuote(response).then((quote) => {
              reject(new Error(`the collector answered ${status}${quote}`));
            }, reject);
          }
          response.on('error', reject);
          response.on('close', () => {
            if (!response.complete) reject(new Error('the connection closed mid-answer'));
          });
        },
      );
      const timer = setTimeout(() => {
        request.destroy(new Error(`no answer within ${this.config.timeoutMs} ms`));
      }, this.config.timeoutMs);
      timer.unref();
      request.on('close', () => {
        clearTimeout(timer);
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        // A kept-alive connection the collector closed while Lambda had the process frozen
        // fails on first use; Node's documentation advises one retry on a fresh connection.
        if (!isRetry && request.reusedSocket && errorCode(error) === 'ECONNRESET') {
          this.post(body, true).then(resolve, reject);
        } else {
          reject(error);
        }
      });
      request.end(body);
    });
  }
}

/** `: <first bytes of the body>`, or nothing for an empty body. */
function readQuote(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let quoted = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (quoted.length < MAX_QUOTED_ERROR_CHARS) quoted += chunk;
    });
    response.on('end', () => {
      const text = quoted.slice(0, MAX_QUOTED_ERROR_CHARS).trim();
      resolve(text === '' ? '' : `: ${text}`);
    });
    response.on('error', reject);
  });
}
