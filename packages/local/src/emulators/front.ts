import http from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Server } from 'node:net';

import { EmulatorStartError } from './errors.js';
import type { RunningEmulator } from './running-emulator.js';
import { LOOPBACK_HOST } from '../loopback.js';

const MAX_PORT = 65_535; // TCP port numbers are 16 bits

// Meaningful for one connection only (RFC 9110 §7.6.1, RFC 9113 §8.2.2); content-length
// is dropped too because the fronts may rewrite bodies and set it again.
const CONNECTION_HEADERS = new Set([
  'connection',
  'content-length',
  'http2-settings',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** An emulator behind a front: where it listens and the connections reused to reach it. */
export interface Upstream {
  readonly port: number;
  readonly agent: http.Agent;
}

/** A request the front has read completely, over HTTP/1.1 or HTTP/2. */
export interface FrontRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A complete response, from the upstream emulator or made by the front. */
export interface Reply {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

// What node:http and node:http2 requests and responses have in common.
interface IncomingCall extends AsyncIterable<Uint8Array> {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}
interface OutgoingCall {
  readonly headersSent: boolean;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  end(body: Buffer): unknown;
}

/** A listening socket and how to stop it, ending the connections it holds. */
export interface FrontServer {
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Reads a request, lets `handle` answer it and writes the answer. A failure becomes a 502
 * reply, unless the answer had already begun.
 *
 * @example
 * ```ts
 * http.createServer((req, res) => void answer(req, res, (request) => forward(upstream, request)));
 * ```
 */
export async function answer(
  incoming: IncomingCall,
  res: OutgoingCall,
  handle: (request: FrontRequest) => Promise<Reply>,
): Promise<void> {
  try {
    sendReply(res, await handle(await readRequest(incoming)));
  } catch (error) {
    if (!res.headersSent) sendReply(res, frontFailure(error));
  }
}

/**
 * Puts a front on 127.0.0.1 before its upstream emulator and returns the running emulator.
 * If the port cannot be bound, the upstream is stopped and the {@link EmulatorStartError}
 * thrown; `close()` stops the front, then the upstream, once.
 *
 * @example
 * ```ts
 * return openFront(front, options.port ?? 0, 'SQS emulator', stopUpstream);
 * ```
 */
export async function openFront(
  front: FrontServer,
  port: number,
  what: string,
  stopUpstream: () => Promise<void>,
): Promise<RunningEmulator> {
  let boundPort: number;
  try {
    boundPort = await listenOnLoopback(front.server, port, what);
  } catch (error) {
    await stopUpstream();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK_HOST}:${boundPort}`,
    close() {
      closing ??= (async () => {
        await front.close();
        await stopUpstream();
      })();
      return closing;
    },
  };
}

/**
 * The connections a front keeps open to its upstream emulator on 127.0.0.1.
 *
 * @example
 * ```ts
 * const upstream = connectUpstream(await listenOnLoopback(kinesaliteServer, 0, 'kinesalite server'));
 * ```
 */
export function connectUpstream(port: number): Upstream {
  return { port, agent: new http.Agent({ keepAlive: true }) };
}

// Reads a request to its end.
async function readRequest(incoming: IncomingCall): Promise<FrontRequest> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of incoming) chunks.push(chunk);
  return {
    method: incoming.method ?? 'POST',
    path: incoming.url ?? '/',
    headers: incoming.headers,
    body: Buffer.concat(chunks),
  };
}

/**
 * Sends a request to the upstream emulator over HTTP/1.1 and reads its whole response.
 * The Host header travels unchanged: fauxqs builds queue URLs from it, and they must name
 * the front.
 *
 * @example
 * ```ts
 * const reply = await forward(upstream, { ...request, body: Buffer.from('{}') });
 * ```
 */
export function forward(upstream: Upstream, request: FrontRequest): Promise<Reply> {
  const headers: OutgoingHttpHeaders = withoutConnectionHeaders(request.headers);
  const authority = request.headers[':authority'];
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  headers['content-length'] = request.body.length;
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: LOOPBACK_HOST,
        port: upstream.port,
        method: request.method,
        path: request.path,
        headers,
        agent: upstream.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

// Writes a reply to the client, over HTTP/1.1 or HTTP/2.
function sendReply(res: OutgoingCall, reply: Reply): void {
  const headers = withoutConnectionHeaders(reply.headers);
  headers['content-length'] = reply.body.length;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

// The reply for a request the front could not complete, so the client sees an HTTP error
// (which the AWS SDK retries) instead of a dropped connection.
function frontFailure(error: unknown): Reply {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    status: 502,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(`tracebridge emulator front: ${reason}`),
  };
}

/**
 * Checks a port option before anything starts.
 *
 * @example
 * ```ts
 * assertPort(options.port ?? 0, 'SQS emulator');
 * ```
 */
export function assertPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new EmulatorStartError(
      `The ${what} port must be an integer from 0 to ${MAX_PORT} (0 picks a free port), got ${String(port)}.`,
    );
  }
}

/**
 * Listens on 127.0.0.1 and resolves with the bound port; a failure (port in use, no
 * permission) becomes an {@link EmulatorStartError}.
 *
 * @example
 * ```ts
 * const port = await listenOnLoopback(server, 0, 'SQS emulator');
 * ```
 */
export function listenOnLoopback(server: Server, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (cause: Error): void => {
      reject(
        new EmulatorStartError(
          `Could not start the ${what} on ${LOOPBACK_HOST}:${port}: ${cause.message}. ` +
            'Pass another port, or 0 to let the system pick a free one.',
          { cause },
        ),
      );
    };
    server.once('error', fail);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', fail);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * Stops a server from accepting connections and waits until it has.
 *
 * @example
 * ```ts
 * await closeServer(server);
 * ```
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      if (error === undefined) resolve();
      else reject(error);
    });
  });
}

function withoutConnectionHeaders(
  headers: IncomingHttpHeaders | OutgoingHttpHeaders,
): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith(':') || CONNECTION_HEADERS.has(lower)) continue;
    kept[lower] = value;
  }
  return kept;
}
