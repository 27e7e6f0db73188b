import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { forwardLines, prefixedLineWriter } from './logs.js';

function collector(isTTY?: boolean) {
  const written: string[] = [];
  return { written, sink: { write: (text: string) => written.push(text), isTTY } };
}

describe('prefixedLineWriter', () => {
  it('prefixes each line with the function name, without colour off a TTY', () => {
    const { written, sink } = collector();
    prefixedLineWriter(sink, 'ProducerFunction', false)('order placed');
    expect(written).toEqual(['[ProducerFunction] order placed\n']);
  });

  it('colours the prefix, the same colour for the same function every time', () => {
    const { written, sink } = collector(true);
    prefixedLineWriter(sink, 'ProducerFunction', true)('one');
    prefixedLineWriter(sink, 'ProducerFunction', true)('two');
    const escape = '\u001b[';
    expect(written[0]?.startsWith(escape)).toBe(true);
    expect(written[0]?.endsWith(`m[ProducerFunction]${escape}39m one\n`)).toBe(true);
    expect(written[1]?.slice(0, 8)).toBe(written[0]?.slice(0, 8));
  });
});

describe('forwardLines', () => {
  it('splits chunks into lines, joins split lines, and keeps a last unterminated one', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    forwardLines(stream, (line) => lines.push(line));
    stream.write('first\r\nsec');
    stream.write('ond\nlast');
    stream.end();
    await new Promise((resolve) => stream.on('close', resolve));
    expect(lines).toEqual(['first', 'second', 'last']);
  });
});
