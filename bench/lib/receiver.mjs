// A loopback OTLP/HTTP receiver: accepts every POST with 200 and counts requests and bytes.
import { createServer } from 'node:http';

// An empty ExportTraceServiceResponse encodes to zero protobuf bytes.
const EMPTY_RESPONSE = Buffer.alloc(0);

/** Starts the receiver on 127.0.0.1 at a free port. */
export async function startReceiver() {
  const counts = { requests: 0, bytes: 0 };
  const server = createServer((request, response) => {
    request.on('data', (chunk) => {
      counts.bytes += chunk.length;
    });
    request.on('end', () => {
      counts.requests += 1;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end(EMPTY_RESPONSE);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
