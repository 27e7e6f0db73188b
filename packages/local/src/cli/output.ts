import type { WriteStream } from 'node:tty';

/** Where the CLI writes, and whether it may use colours and rewrite lines there. */
export interface Terminal {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  /** Colours and progress lines only on a TTY, and never with NO_COLOR set (no-color.org). */
  readonly styled: boolean;
}

/** The process's terminal, styled when stdout is a TTY and NO_COLOR is unset. */
export function processTerminal(): Terminal {
  const stdout = process.stdout as WriteStream;
  return {
    out: process.stdout,
    err: process.stderr,
    styled: stdout.isTTY && !process.env.NO_COLOR,
  };
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;

/** A style name the CLI uses. */
export type Style = keyof typeof CODES;

/** Wraps text in an ANSI style when the terminal is styled; plain text otherwise. */
export function paint(terminal: Terminal, style: Style, text: string): string {
  if (!terminal.styled) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** A line that shows what the CLI is doing now. */
export interface ProgressLine {
  update(text: string): void;
  done(): void;
}

/**
 * A one-line progress indicator: rewritten in place on a TTY, printed only when it changes
 * otherwise (so logs of a CI run stay readable), always on stderr.
 */
export function progressLine(terminal: Terminal): ProgressLine {
  let last = '';
  return {
    update(text) {
      if (text === last) return;
      last = text;
      terminal.err.write(terminal.styled ? `\r\u001b[2K${text}` : `${text}\n`);
    },
    done() {
      if (terminal.styled && last) terminal.err.write('\n');
      last = '';
    },
  };
}

/** Milliseconds as a person reads them: `850 ms`, `1.24 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1) return `${milliseconds.toFixed(2)} ms`;
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  return `${(milliseconds / 1000).toFixed(2)} s`;
}
