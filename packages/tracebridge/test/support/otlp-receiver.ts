import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  decodeExportTraceServiceRequest,
  type OtlpExportTraceServiceRequest,
  parseOtlpJson,
} from '@tracebridge/local/collector';

export interface ReceivedExport {
  readonly headers: IncomingHttpHeaders;
  readonly request: OtlpExportTraceServiceRequest;
}

export interface ReceiverBehaviour {
  /** Wait this long before answering; Infinity never answers. */
  delayMs?: number;
  status?: number;
  body?: string;
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
  spanNames(): string[];
  close(): Promise<void>;
}

function decode(headers: IncomingHttpHeaders, raw: Buffer): OtlpExportTraceServiceRequest {
  const body = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  return headers['content-type'] === 'application/json'
    ? parseOtlpJson(JSON.parse(body.toString('utf8')))
    : decodeExportTraceServiceRequest(body);
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  let behaviour: ReceiverBehaviour = {};
  let answered = 0;
  let connections = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces' && request.method === 'POST') {
        exports.push({
          headers: request.headers,
          request: decode(request.headers, Buffer.concat(chunks)),
        });
      }
      const { delayMs = 0, status = 200, body = '' } = behaviour;
      if (delayMs === Infinity) return;
      setTimeout(() => {
        answered++;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      }, delayMs);
    });
  });
  server.on('connection', () => {
    connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports,
    answered: () => answered,
    connections: () => connections,
    behave: (next) => {
      behaviour = next;
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
