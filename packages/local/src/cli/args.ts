import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command line was wrong; the message says what to type instead. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** Options of a command, as `node:util` parseArgs declares them. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly: an unknown option or a missing value is a
 * {@link CliUsageError} naming the command's `--help`.
 */
export function parseCommand(
  command: string,
  args: readonly string[],
  options: OptionSpec,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    throw new CliUsageError(
      `${error instanceof Error ? error.message : String(error)}\nRun \`tracebridge ${command} --help\` for the options.`,
      {
        cause: error,
      },
    );
  }
}

/** A whole number option, or the default; anything else is a usage error naming the option. */
export function integerOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const parsed = typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new CliUsageError(
      `--${name} takes a whole number from ${range.min} to ${range.max}, not "${String(raw)}"`,
    );
  }
  return parsed;
}
