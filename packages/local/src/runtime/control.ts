import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_HOST } from '../loopback.js';
import type { FunctionInvoker } from '../model.js';

/** Port `tracebridge invoke` reaches a running `tracebridge local` on, next to OTLP's 4318. */
export const DEFAULT_CONTROL_PORT = 4319;

/** Largest event accepted: Lambda's synchronous invocation payload limit, 6 MB. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

const INVOKE_PATH = /^\/invoke\/([A-Za-z0-9_.-]{1,140})$/;

/** The control endpoint of a running local runtime. */
export interface ControlServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

/**
 * Serves `POST /invoke/<function>` with the event as the JSON body, on 127.0.0.1 only, so that
 * `tracebridge invoke` can call a function of the runtime another terminal runs.
 *
 * @example
 * ```ts
 * const control = await startControlServer(runtime.functions, 4319);
 * // curl -X POST http://127.0.0.1:4319/invoke/ProducerFunction -d '{}'
 * ```
 */
export async function startControlServer(
  invoker: FunctionInvoker,
  port = DEFAULT_CONTROL_PORT,
): Promise<ControlServer> {
  const server: Server = createServer((request, response) => {
    const match = INVOKE_PATH.exec(request.url ?? '');
    if (request.method !== 'POST' || !match?.[1]) {
      reply(response, 404, { error: 'POST /invoke/<function> is the only route' });
      return;
    }
    const functionName = match[1];
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_EVENT_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_EVENT_BYTES) {
        reply(response, 413, {
          error: `the event is larger than Lambda's ${MAX_EVENT_BYTES} bytes`,
        });
        return;
      }
      let event: unknown;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch (error) {
        reply(response, 400, { error: `the event is not JSON: ${String(error)}` });
        return;
      }
      invoker.invoke(functionName, event).then(
        (result) => {
          reply(response, 200, result);
        },
        (error: unknown) => {
          reply(response, 404, { error: error instanceof Error ? error.message : String(error) });
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK_HOST, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOOPBACK_HOST}:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
