import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Where function logs go: `process.stderr`, a file stream, or a test's collector. */
export interface LogSink {
  write(text: string): unknown;
  /** Set by terminal streams; colour is only used on a TTY unless told otherwise. */
  readonly isTTY?: boolean;
}

/** Writes one line of a function's output, prefixed with the function's name. */
export type LineWriter = (line: string) => void;

// ANSI SGR foreground colours (ECMA-48) for the prefixes, and the code that resets them.
const PREFIX_COLOURS = [36, 35, 33, 32, 34, 96, 95, 93] as const;
const RESET_FOREGROUND = 39;

/**
 * A writer of prefixed lines for one function: `[ProducerFunction] message`. The prefix is
 * coloured when `color` is set, each function in its own colour, stable across runs.
 *
 * @example
 * ```ts
 * const write = prefixedLineWriter(process.stderr, 'ProducerFunction', process.stderr.isTTY);
 * write('order placed'); // [ProducerFunction] order placed
 * ```
 */
export function prefixedLineWriter(
  sink: LogSink,
  functionName: string,
  color: boolean,
): LineWriter {
  const prefix = color
    ? `\u001b[${colourOf(functionName)}m[${functionName}]\u001b[${RESET_FOREGROUND}m`
    : `[${functionName}]`;
  return (line) => {
    sink.write(`${prefix} ${line}\n`);
  };
}

/**
 * Hands every line of a stream to `write`, including a last line without a newline.
 *
 * @example
 * ```ts
 * forwardLines(child.stdout, prefixedLineWriter(process.stderr, 'ProducerFunction', false));
 * ```
 */
export function forwardLines(stream: Readable, write: LineWriter): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', write);
}

function colourOf(functionName: string): number {
  let hash = 0;
  for (const char of functionName) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return PREFIX_COLOURS[hash % PREFIX_COLOURS.length] ?? RESET_FOREGROUND;
}
