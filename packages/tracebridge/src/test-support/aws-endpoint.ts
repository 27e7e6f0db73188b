import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a recording endpoint received it. */
export interface RecordedRequest {
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** What the endpoint answers for one request. */
export interface CannedResponse {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

/** A loopback HTTP server speaking just enough of the AWS JSON protocols to answer SDK calls. */
export interface RecordingEndpoint {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts an AWS JSON 1.0/1.1 endpoint on 127.0.0.1 that records each request and answers with
 * `respond(target, body)`. Used where no emulator exists (EventBridge) or where a test needs to
 * see the exact HTTP request the SDK sent (headers set in the finalize step).
 */
export async function startRecordingEndpoint(
  respond: (target: string, body: Record<string, unknown>) => CannedResponse,
): Promise<RecordingEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      requests.push({ target, headers: request.headers, body });
      const answer = respond(target, body);
      response.writeHead(answer.status ?? 200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': `request-${requests.length}`,
        ...answer.headers,
      });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
