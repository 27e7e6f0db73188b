// Forwarding to a real OTLP/HTTP backend (Jaeger, an OpenTelemetry Collector), best effort:
// exports wait in a bounded queue and go out one at a time, in arrival order. A slow or
// absent backend costs queued exports, counted, never the local picture: ingestion only
// ever appends to the queue.

import http from 'node:http';
import https from 'node:https';
import { CollectorStartError } from './errors.js';
import type { OtlpContentType } from './otlp-http.js';

// Exports held while the backend is slow. A BatchSpanProcessor sends at most one export per
// function every 5 s (its default scheduledDelayMillis), so 100 covers seconds of a busy
// demo; the byte bound keeps 100 maximum-size bodies from holding 1.6 GiB.
export const FORWARD_QUEUE_MAX_EXPORTS = 100;
export const FORWARD_QUEUE_MAX_BYTES = 64 * 1024 * 1024;
// The OTLP exporters' own default timeout (OTEL_EXPORTER_OTLP_TIMEOUT, 10 s); also how long
// close() waits for the queue to drain before dropping what is left.
export const FORWARD_TIMEOUT_MS = 10_000;
// Enough of a backend's error answer to say what went wrong.
const MAX_QUOTED_ANSWER_CHARS = 200;

export interface ForwardStats {
  readonly target: string;
  readonly sent: number;
  /** Exports the backend refused or that could not reach it. */
  readonly failed: number;
  /** Exports never sent: the queue was full, or the collector closed before they went out. */
  readonly dropped: number;
  readonly queued: number;
  readonly lastError: string | null;
}

export interface Forwarder {
  enqueue(body: Uint8Array, contentType: OtlpContentType): void;
  stats(): ForwardStats;
  /** Waits up to {@link FORWARD_TIMEOUT_MS} for the queue, then drops the rest. */
  close(): Promise<void>;
}

/**
 * Where to forward to: a full URL, or a base URL to which `/v1/traces` is added, the way
 * `OTEL_EXPORTER_OTLP_ENDPOINT` works.
 *
 * @throws {CollectorStartError} for anything but an http(s) URL.
 * @example
 * forwardUrl('http://127.0.0.1:4318').href; // 'http://127.0.0.1:4318/v1/traces'
 */
export function forwardUrl(target: string | URL): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch (cause) {
    throw new CollectorStartError(
      `--forward ${String(target)} is not a URL: give the backend's OTLP/HTTP address, e.g. http://localhost:4318`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CollectorStartError(
      `--forward ${url.href} must be an http:// or https:// URL (OTLP/HTTP); OTLP/gRPC is not supported`,
    );
  }
  if (url.pathname === '/') url.pathname = '/v1/traces';
  return url;
}

/**
 * Starts forwarding to `target`.
 *
 * @example
 * const forwarder = createForwarder(forwardUrl('http://127.0.0.1:4318'));
 * forwarder.enqueue(body, OtlpContentType.Protobuf);
 * await forwarder.close();
 */
export function createForwarder(target: URL): Forwarder {
  const transport = target.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 1 });
  const queue: { body: Uint8Array; contentType: OtlpContentType }[] = [];
  const counts = { sent: 0, failed: 0, dropped: 0 };
  let queuedBytes = 0;
  let lastError: string | null = null;
  let draining: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const post = (body: Uint8Array, contentType: OtlpContentType): Promise<void> =>
    new Promise((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method: 'POST',
          agent,
          timeout: FORWARD_TIMEOUT_MS,
          headers: { 'content-type': contentType, 'content-length': body.length },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          let answer = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (answer.length < MAX_QUOTED_ANSWER_CHARS) answer += chunk;
          });
          response.on('end', () => {
            if (status >= 200 && status < 300) resolve();
            else {
              const quote = answer.slice(0, MAX_QUOTED_ANSWER_CHARS).trim();
              reject(new Error(`the backend answered ${status}${quote ? `: ${quote}` : ''}`));
            }
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => {
        request.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS} ms`));
      });
      request.on('error', reject);
      request.end(body);
    });

  const drain = async (): Promise<void> => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      queuedBytes -= item.body.length;
      try {
        await post(item.body, item.contentType);
        counts.sent++;
      } catch (error) {
        counts.failed++;
        lastError = `forwarding to ${target.href} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  };

  const kick = (): void => {
    if (draining) return;
    draining = drain().finally(() => {
      draining = undefined;
      // An export enqueued while the finished drain was settling still has to go out.
      if (queue.length > 0) kick();
    });
  };

  return {
    enqueue(body, contentType) {
      const full =
        queue.length >= FORWARD_QUEUE_MAX_EXPORTS ||
        queuedBytes + body.length > FORWARD_QUEUE_MAX_BYTES;
      if (closing || full) {
        counts.dropped++;
        if (full) {
          lastError = `forwarding to ${target.href} fell behind: the queue holds ${FORWARD_QUEUE_MAX_EXPORTS} exports or ${FORWARD_QUEUE_MAX_BYTES} bytes at most (FORWARD_QUEUE_MAX_EXPORTS, FORWARD_QUEUE_MAX_BYTES)`;
        }
        return;
      }
      queue.push({ body, contentType });
      queuedBytes += body.length;
      kick();
    },

    stats: () => ({ target: target.href, ...counts, queued: queue.length, lastError }),

    close() {
      closing ??= (async () => {
        if (draining) {
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, FORWARD_TIMEOUT_MS);
          });
          await Promise.race([draining, deadline]);
          clearTimeout(timer);
        }
        counts.dropped += queue.length;
        queue.length = 0;
        queuedBytes = 0;
        agent.destroy();
        await draining;
      })();
      return closing;
    },
  };
}
