import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which size the reliability suites run at: `short` inside `npm test`, `full` under
 * `npm run test:reliability` (which sets `TRACEBRIDGE_RELIABILITY=full`).
 */
export type ReliabilityProfile = 'short' | 'full';

/**
 * The profile this run was started with.
 *
 * @example
 * ```ts
 * if (reliabilityProfile() === 'full') console.log('running the full suites');
 * ```
 */
export function reliabilityProfile(): ReliabilityProfile {
  return process.env.TRACEBRIDGE_RELIABILITY === 'full' ? 'full' : 'short';
}

/**
 * Picks the short or the full figure for the current profile.
 *
 * @example
 * ```ts
 * const messages = scaled(500, 10_000);
 * ```
 */
export function scaled<T>(short: T, full: T): T {
  return reliabilityProfile() === 'full' ? full : short;
}

const figuresDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test-artifacts',
  'reliability',
);

/**
 * Writes what a suite counted to `test-artifacts/reliability/<suite>.json`, where
 * `scripts/reliability-report.mjs` reads it to fill RELIABILITY.md.
 *
 * @example
 * ```ts
 * recordFigures('sqs-load', { sent: 10_000, processed: 10_000 });
 * ```
 */
export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(figuresDir, { recursive: true });
  writeFileSync(
    join(figuresDir, `${suite}.json`),
    `${JSON.stringify({ suite, profile: reliabilityProfile(), recordedAt: new Date().toISOString(), node: process.version, figures }, null, 2)}\n`,
  );
}
