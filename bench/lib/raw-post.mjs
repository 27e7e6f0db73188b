// The floor under any exporter: an OTLP POST written by hand on one node:net connection, with a
// body of a given size and no spans to end or encode. The flush child and the cold-start fixture
// both measure against it.
import net from 'node:net';

/**
 * A function that POSTs `bodyBytes` bytes to `${endpoint}/v1/traces` over one keep-alive
 * connection, opened by the first call, and resolves once the receiver's whole answer is in.
 */
export function rawPoster(endpoint, bodyBytes) {
  const url = new URL(`${endpoint}/v1/traces`);
  const body = Buffer.alloc(bodyBytes, 0x2a);
  const head = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/x-protobuf\r\ncontent-length: ${body.length}\r\n\r\n`;
  let socket;
  let answered;
  let received = '';
  return () =>
    new Promise((resolve, reject) => {
      if (!socket) {
        socket = net.connect(Number(url.port), url.hostname);
        socket.setNoDelay(true);
        socket.on('data', (chunk) => {
          received += chunk.toString('latin1');
          // The receiver answers chunked: the answer ends with the empty last chunk.
          if (received.endsWith('\r\n0\r\n\r\n')) {
            received = '';
            answered();
          }
        });
        socket.on('error', (error) => answered(error));
      }
      answered = (error) => (error ? reject(error) : resolve());
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    });
}
