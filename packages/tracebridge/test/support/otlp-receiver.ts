import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  decodeExportTraceServiceRequest,
  type OtlpExportTraceServiceRequest,
  parseOtlpJson,
} from '@tracebridge/local/collector';

export interface ReceivedExport {
  readonly headers: IncomingHttpHeaders;
  /** Names and values as they came, in order: repeated headers show here. */
  readonly rawHeaders: readonly string[];
  readonly request: OtlpExportTraceServiceRequest;
}

export interface ReceiverBehaviour {
  /** Wait this long before answering; Infinity never answers. */
  delayMs?: number;
  status?: number;
  body?: string;
  /** Drop the connection instead of answering, as a collector that crashes mid-request. */
  reset?: boolean;
}

/** A real OTLP/HTTP receiver on 127.0.0.1 that decodes what it gets (protobuf, JSON, gzip). */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly exports: ReceivedExport[];
  /** How many answers have been sent. */
  readonly answered: () => number;
  /** How many TCP connections clients opened. */
  readonly connections: () => number;
  behave(behaviour: ReceiverBehaviour): void;
  /** Closes the kept-alive connections no request is using, as a collector's idle timeout does. */
  dropIdleConnections(): void;
  spanNames(): string[];
  close(): Promise<void>;
}

function decode(headers: IncomingHttpHeaders, raw: Buffer): OtlpExportTraceServiceRequest {
  const body = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  return headers['content-type'] === 'application/json'
    ? parseOtlpJson(JSON.parse(body.toString('utf8')))
    : decodeExportTraceServiceRequest(body);
}

export interface ReceiverOptions {
  /** 0 (the default) for a free port; the port of a closed receiver brings its address back. */
  readonly port?: number;
  /** Serve https with this key and certificate chain (PEM); the endpoint then names `host`. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly host: string };
}

export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const { port = 0, tls } = options;
  const exports: ReceivedExport[] = [];
  let behaviour: ReceiverBehaviour = {};
  let answered = 0;
  let connections = 0;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces' && request.method === 'POST') {
        exports.push({
          headers: request.headers,
          rawHeaders: request.rawHeaders,
          request: decode(request.headers, Buffer.concat(chunks)),
        });
      }
      const { delayMs = 0, status = 200, body = '', reset = false } = behaviour;
      if (reset) {
        request.socket.destroy();
        return;
      }
      if (delayMs === Infinity) return;
      setTimeout(() => {
        answered++;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      }, delayMs);
    });
  };
  const server: Server =
    tls === undefined
      ? createServer(handle)
      : createTlsServer({ key: tls.key, cert: tls.cert }, handle);
  server.on(tls === undefined ? 'connection' : 'secureConnection', () => {
    connections++;
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return {
    endpoint: tls === undefined ? `http://127.0.0.1:${bound}` : `https://${tls.host}:${bound}`,
    exports,
    answered: () => answered,
    connections: () => connections,
    behave: (next) => {
      behaviour = next;
    },
    dropIdleConnections: () => {
      server.closeIdleConnections();
    },
    spanNames: () =>
      exports.flatMap(({ request }) =>
        request.resourceSpans.flatMap((resource) =>
          resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)),
        ),
      ),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (just released by a server of ours). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
