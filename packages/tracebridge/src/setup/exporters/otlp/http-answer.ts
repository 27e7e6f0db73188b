// Reads one HTTP/1.1 answer (RFC 9112) off a connection, as it arrives in chunks: the status,
// whether the connection may serve another request, and the start of the body. Only what an
// OTLP export needs to know; the body is read to its end, by Content-Length, chunks or the
// connection's close, so that a kept-alive connection is left at the next answer. Written as
// a closure rather than a class: a minifier shortens local names, never property names.

// Node.js's default limit on an answer's head (--max-http-header-size).
const MAX_HEAD_BYTES = 16 * 1024;
// Only the start of an error answer is quoted in the warning: collectors explain themselves
// in a line, while a proxy's HTML error page would flood the function's log.
export const MAX_QUOTED_BYTES = 512;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})/;
// Answers that never carry a body, whatever their headers say (RFC 9112 section 6.3).
const NO_CONTENT = 204;
const NOT_MODIFIED = 304;
const FIRST_FINAL_STATUS = 200;
// How the end of the body is marked (RFC 9112 section 6.3).
const BY_LENGTH = 0;
const BY_CHUNKS = 1;
const BY_CLOSE = 2;
// Where a chunked body is: at a size line, in data, at the line end after data, in trailers.
const CHUNK_SIZE = 0;
const CHUNK_DATA = 1;
const CHUNK_END = 2;
const TRAILERS = 3;

/** A complete answer. */
export interface HttpAnswer {
  readonly status: number;
  /** The first {@link MAX_QUOTED_BYTES} bytes of the body, as UTF-8. */
  readonly quote: string;
  /** The connection is left clean and the server keeps it open for another request. */
  readonly reusable: boolean;
}

export interface AnswerReader {
  /** The answer once its last byte is in; throws when the bytes are not HTTP/1.x. */
  push(chunk: Buffer): HttpAnswer | undefined;
  /** The server closed the connection: the answer, if that was how its end was marked. */
  end(): HttpAnswer | undefined;
  /** Whether any byte of the answer arrived. */
  started(): boolean;
}

function malformed(what: string): Error {
  return new Error(`the collector's answer is not valid HTTP/1.1 (${what})`);
}

/**
 * The value of a header (joined with commas when repeated), found in the lower-cased head by
 * the line start and name. Every invocation reads one answer, in a process too young for the
 * JIT to have optimised this (as Lambda's mostly are): splitting the head into lines and
 * testing each one per header took 19-33 µs per answer over a new process's first 300, this
 * search 7-11 µs (a collector's usual 200 answer, Node.js 20).
 */
function header(lowerHead: string, name: string): string | undefined {
  const start = `\r\n${name}:`;
  let value: string | undefined;
  for (let at = lowerHead.indexOf(start); at >= 0; at = lowerHead.indexOf(start, at + 1)) {
    const from = at + start.length;
    const to = lowerHead.indexOf('\r\n', from);
    const text = lowerHead.slice(from, to < 0 ? undefined : to).trim();
    value = value === undefined ? text : `${value}, ${text}`;
  }
  return value;
}

/**
 * A reader for one answer.
 *
 * @example
 * const reader = answerReader();
 * socket.on('data', (chunk) => { const answer = reader.push(chunk); if (answer) done(answer); });
 */
export function answerReader(): AnswerReader {
  let pending: Buffer | undefined;
  let status = 0;
  let keepAlive = false;
  let framing: number | undefined;
  let remaining = 0;
  let chunkStage = CHUNK_SIZE;
  const quoted: Buffer[] = [];
  let quotedBytes = 0;

  const answer = (reusable: boolean): HttpAnswer => ({
    status,
    // A collector's success answer usually has an empty body: nothing to join.
    quote: quotedBytes === 0 ? '' : Buffer.concat(quoted).toString('utf8'),
    reusable,
  });

  /** Consumes up to `limit` body bytes, keeping the start for the quote. */
  const take = (limit: number): number => {
    const buffer = pending as Buffer;
    const taken = Math.min(limit, buffer.length);
    if (quotedBytes < MAX_QUOTED_BYTES && taken > 0) {
      const kept = buffer.subarray(0, Math.min(taken, MAX_QUOTED_BYTES - quotedBytes));
      quoted.push(kept);
      quotedBytes += kept.length;
    }
    pending = buffer.subarray(taken);
    return taken;
  };

  /** The next CRLF-ended line, or undefined until it is complete. */
  const line = (): string | undefined => {
    const buffer = pending as Buffer;
    const end = buffer.indexOf('\r\n');
    if (end < 0) {
      if (buffer.length > MAX_HEAD_BYTES) throw malformed('oversized line');
      return undefined;
    }
    pending = buffer.subarray(end + 2);
    return buffer.toString('latin1', 0, end);
  };

  const readHead = (): boolean => {
    for (;;) {
      const buffer = pending as Buffer;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffer.length > MAX_HEAD_BYTES) throw malformed('oversized head');
        return false;
      }
      const head = buffer.toString('latin1', 0, end);
      pending = buffer.subarray(end + 4);
      const statusEnd = head.indexOf('\r\n');
      const statusLine = statusEnd < 0 ? head : head.slice(0, statusEnd);
      const match = STATUS_LINE.exec(statusLine);
      if (!match) throw malformed(`status line "${statusLine.slice(0, 80)}"`);
      status = Number(match[2]);
      // Interim answers (100 Continue, 103 Early Hints) precede the real one.
      if (status < FIRST_FINAL_STATUS) continue;
      // Header names are case-insensitive (RFC 9110 section 5.1), and so are the values read
      // here: connection options, transfer codings, and digits.
      const lowerHead = head.toLowerCase();
      const connection = header(lowerHead, 'connection') ?? '';
      keepAlive =
        match[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
      const coding = header(lowerHead, 'transfer-encoding');
      const length = header(lowerHead, 'content-length');
      if (status === NO_CONTENT || status === NOT_MODIFIED) {
        framing = BY_LENGTH;
      } else if (coding !== undefined) {
        framing = /(^|,)\s*chunked\s*$/i.test(coding) ? BY_CHUNKS : BY_CLOSE;
      } else if (length !== undefined) {
        if (!/^\d+$/.test(length)) throw malformed(`Content-Length "${length}"`);
        framing = BY_LENGTH;
        remaining = Number(length);
      } else {
        framing = BY_CLOSE;
      }
      return true;
    }
  };

  const readChunks = (): HttpAnswer | undefined => {
    for (;;) {
      if (chunkStage === CHUNK_DATA) {
        remaining -= take(remaining);
        if (remaining > 0) return undefined;
        chunkStage = CHUNK_END;
      }
      const text = line();
      if (text === undefined) return undefined;
      if (chunkStage === CHUNK_END) {
        if (text !== '') throw malformed('chunk end');
        chunkStage = CHUNK_SIZE;
      } else if (chunkStage === CHUNK_SIZE) {
        const size = text.split(';', 1)[0]?.trim() ?? '';
        if (!/^[0-9a-f]+$/i.test(size)) throw malformed(`chunk size "${size}"`);
        remaining = Number.parseInt(size, 16);
        chunkStage = remaining === 0 ? TRAILERS : CHUNK_DATA;
      } else if (text === '') {
        return answer(keepAlive && pending?.length === 0);
      }
    }
  };

  return {
    push(chunk) {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      if (framing === undefined && !readHead()) return undefined;
      if (framing === BY_CLOSE) {
        take(Infinity);
        return undefined;
      }
      if (framing === BY_CHUNKS) return readChunks();
      remaining -= take(remaining);
      return remaining === 0 ? answer(keepAlive && pending.length === 0) : undefined;
    },
    end: () => (framing === BY_CLOSE ? answer(false) : undefined),
    started: () => pending !== undefined,
  };
}
