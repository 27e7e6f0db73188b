import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Socket } from 'node:net';

import { closeServer } from './front.js';

// The client connection preface (RFC 9113 §3.4). A client with prior knowledge that the
// server speaks HTTP/2 over cleartext, like the AWS SDK's NodeHttp2Handler with an http://
// endpoint, opens with it; an HTTP/1.1 request line never starts with "PRI ".
const HTTP2_PREFACE_START = Buffer.from('PRI ');

/** A server speaking HTTP/1.1 and cleartext HTTP/2 on one port. */
export interface DualProtocolServer {
  /** The listening socket; pass it to `listen`. */
  readonly server: net.Server;
  /** Stops accepting connections and ends the open ones. */
  close(): Promise<void>;
}

type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/**
 * Serves both protocols with one handler: each new connection goes to Node's HTTP/2 or
 * HTTP/1.1 server depending on how it opens. Node's HTTP/2 server offers HTTP/1.1 fallback
 * (`allowHTTP1`) only over TLS, hence the sniffing.
 *
 * @example
 * ```ts
 * const front = createDualProtocolServer((req, res) => { res.end('ok'); });
 * await listenOnLoopback(front.server, 0, 'Kinesis emulator');
 * ```
 */
export function createDualProtocolServer(handler: Handler): DualProtocolServer {
  const http1Server = http.createServer(handler);
  const http2Server = http2.createServer(handler);
  const sockets = new Set<Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A client that hangs up early is not the emulator's failure; Node's servers attach
    // their own error handling once they own the socket.
    socket.on('error', () => undefined);
    socket.once('data', (head: Buffer) => {
      socket.pause();
      socket.unshift(head);
      const length = Math.min(head.length, HTTP2_PREFACE_START.length);
      if (head.subarray(0, length).equals(HTTP2_PREFACE_START.subarray(0, length))) {
        // The HTTP/2 session reads what is already buffered itself; resuming here would
        // hand the preface to no one.
        http2Server.emit('connection', socket);
      } else {
        http1Server.emit('connection', socket);
        socket.resume();
      }
    });
  });

  return {
    server,
    async close() {
      const closed = closeServer(server);
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
