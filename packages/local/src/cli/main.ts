import { CliUsageError } from './args.js';
import { demoCommand, invokeCommand, localCommand, tracesCommand } from './commands.js';
import { HELP } from './help.js';
import { paint, type Terminal } from './output.js';

const COMMANDS = {
  demo: demoCommand,
  local: localCommand,
  invoke: invokeCommand,
  traces: tracesCommand,
} as const;

/**
 * Runs the `tracebridge` command line and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['demo', '--messages', '3'], processTerminal());
 * ```
 */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    terminal.out.write(`${HELP.main}\n`);
    return command === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    terminal.err.write(`unknown command "${command}"\n\n${HELP.main}\n`);
    return 2;
  }
  try {
    return await COMMANDS[command as keyof typeof COMMANDS](rest, terminal);
  } catch (error) {
    const usage = error instanceof CliUsageError;
    terminal.err.write(
      `${paint(terminal, 'red', 'error:')} ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return usage ? 2 : 1;
  }
}
