// The HTTP client against real servers on 127.0.0.1: node:http's, and raw TCP servers that
// answer the way a collector or a proxy in front of one sometimes does.

import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpClient, httpClient } from './http-client.js';

const servers: Array<HttpServer | Server> = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(
    servers.splice(0).map(async (server) => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }),
  );
});

async function listen(server: HttpServer | Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function clientFor(port: number, timeoutMs = 2_000): HttpClient {
  const client = httpClient(
    () => connect({ host: '127.0.0.1', port }),
    new URL(`http://127.0.0.1:${port}/v1/traces?tenant=a`),
    { 'x-api-key': 's3cret' },
    timeoutMs,
  );
  clients.push(client);
  return client;
}

/** A raw TCP server: `answer` gets each connection's number and every request's bytes. */
async function rawServer(answer: (socket: Socket, connection: number) => void): Promise<number> {
  let connections = 0;
  return listen(
    createServer((socket) => {
      connections++;
      const connection = connections;
      socket.on('data', () => {
        answer(socket, connection);
      });
    }),
  );
}

describe('httpClient', () => {
  it('posts the body with its headers and keeps one connection for successive requests', async () => {
    const received: Array<{ url?: string; key?: string | string[]; body: string }> = [];
    let connections = 0;
    const server = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          url: request.url,
          key: request.headers['x-api-key'],
          body: Buffer.concat(chunks).toString(),
        });
        // Odd answers chunked, even ones with a length: both leave the connection reusable.
        if (received.length % 2 === 1) response.write('accepted');
        response.end();
      });
    });
    server.on('connection', () => connections++);
    const client = clientFor(await listen(server));

    for (const body of ['one', 'two', 'three']) {
      await expect(client.post(Buffer.from(body))).resolves.toMatchObject({ status: 200 });
    }

    expect(received).toEqual(
      ['one', 'two', 'three'].map((body) => ({ url: '/v1/traces?tenant=a', key: 's3cret', body })),
    );
    expect(connections).toBe(1);
  });

  it('sends again on a new connection when a kept-alive one was closed meanwhile', async () => {
    let answeredFirst = false;
    const port = await rawServer((socket, connection) => {
      if (connection === 1 && answeredFirst) {
        // The second request on the first connection: the server had given up on it.
        socket.destroy();
        return;
      }
      answeredFirst = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const client = clientFor(port);

    await expect(client.post(Buffer.from('first'))).resolves.toMatchObject({ status: 200 });
    await expect(client.post(Buffer.from('second'))).resolves.toMatchObject({ status: 200 });
  });

  it('fails like node:http when a new connection closes before any answer', async () => {
    const port = await rawServer((socket) => {
      socket.destroy();
    });

    await expect(clientFor(port).post(Buffer.from('lost'))).rejects.toThrow('socket hang up');
  });

  it('reads an answer whose end is the connection closing, then opens a new connection', async () => {
    let connections = 0;
    const port = await rawServer((socket, connection) => {
      connections = connection;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\noverloaded');
    });
    const client = clientFor(port);

    await expect(client.post(Buffer.from('a'))).resolves.toEqual({
      status: 503,
      quote: 'overloaded',
      reusable: false,
    });
    await expect(client.post(Buffer.from('b'))).resolves.toMatchObject({ status: 503 });
    expect(connections).toBe(2);
  });

  it('gives up after its timeout and closes that connection', async () => {
    let closedByClient: Promise<unknown> | undefined;
    const port = await rawServer((socket) => {
      closedByClient ??= once(socket, 'close');
    });

    await expect(clientFor(port, 100).post(Buffer.from('slow'))).rejects.toThrow(
      'no answer within 100 ms',
    );
    await expect(closedByClient).resolves.toBeDefined();
  });

  it('fails with the connection error when nothing listens', async () => {
    const port = await listen(createServer());
    const [server] = servers.splice(0);
    server?.close();
    await once(server as Server, 'close');

    await expect(clientFor(port).post(Buffer.from('x'))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
