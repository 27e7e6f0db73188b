import { describe, expect, it } from 'vitest';
import { answerReader, type HttpAnswer, MAX_QUOTED_BYTES } from './http-answer.js';

/** Feeds `text` in pieces of `size` bytes; returns the answer and the bytes it took to get it. */
function read(text: string, size = Infinity): { answer?: HttpAnswer; fedBytes: number } {
  const bytes = Buffer.from(text, 'latin1');
  const reader = answerReader();
  for (let at = 0; at < bytes.length; at += size) {
    const answer = reader.push(bytes.subarray(at, Math.min(at + size, bytes.length)));
    if (answer) return { answer, fedBytes: Math.min(at + size, bytes.length) };
  }
  return { fedBytes: bytes.length };
}

describe('answerReader', () => {
  it('reads a Content-Length answer, in one piece or byte by byte', () => {
    const text = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 13\r\n\r\nunknown field';
    for (const size of [Infinity, 1]) {
      expect(read(text, size).answer).toEqual({
        status: 400,
        quote: 'unknown field',
        reusable: true,
      });
    }
  });

  it('reads a chunked answer with extensions and trailers to its last byte', () => {
    const text =
      'HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;ext=1\r\nover-\r\n6\r\nloaded\r\n0\r\nx-trailer: 1\r\n\r\n';
    for (const size of [Infinity, 1, 7]) {
      const { answer, fedBytes } = read(text, size);
      expect(answer).toEqual({ status: 503, quote: 'over-loaded', reusable: true });
      expect(fedBytes).toBe(text.length);
    }
  });

  it('skips interim answers and takes bodiless statuses as complete', () => {
    const text =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n';
    expect(read(text).answer).toEqual({ status: 204, quote: '', reusable: true });
  });

  it('says the connection is spent when the server closes it or ends the body by closing', () => {
    expect(
      read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').answer,
    ).toMatchObject({ status: 200, reusable: false });
    expect(read('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').answer).toMatchObject({
      reusable: false,
    });

    const reader = answerReader();
    expect(reader.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\npartial'))).toBeUndefined();
    expect(reader.push(Buffer.from(' body'))).toBeUndefined();
    expect(reader.end()).toEqual({ status: 200, quote: 'partial body', reusable: false });
  });

  it('finds headers whatever their case, joins repeated ones, and reads the last line of the head', () => {
    const text =
      'HTTP/1.1 200 OK\r\nCONNECTION: keep-alive\r\nx-note: connection: close\r\n' +
      'Connection: Close\r\ncontent-LENGTH: 2\r\n\r\nok';
    expect(read(text).answer).toEqual({ status: 200, quote: 'ok', reusable: false });
    expect(read('HTTP/1.1 201 Created\r\nContent-Length:0\r\n\r\n').answer).toEqual({
      status: 201,
      quote: '',
      reusable: true,
    });
  });

  it('quotes only the start of a long body', () => {
    const body = 'x'.repeat(MAX_QUOTED_BYTES * 3);
    const text = `HTTP/1.1 500 Oops\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    expect(read(text, 100).answer?.quote).toBe('x'.repeat(MAX_QUOTED_BYTES));
  });

  it('does not reuse a connection that sent more than the answer', () => {
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA').answer).toMatchObject({
      reusable: false,
    });
  });

  it('rejects what is not HTTP/1.x and an unbounded head', () => {
    expect(() => read('SSH-2.0-OpenSSH_9.6\r\n\r\n')).toThrow(/not valid HTTP\/1\.1/);
    expect(() => read('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toThrow(/Content-Length/);
    expect(() => read(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}`)).toThrow(/oversized/);
  });
});
