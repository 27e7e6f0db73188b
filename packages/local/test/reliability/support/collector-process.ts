// Starts collector-child.ts in its own Node.js process with --expose-gc: esbuild bundles it
// (the source is TypeScript, and vitest's loader is not there in a child), leaving packages
// to node_modules, into the package's ignored .tmp folder so they still resolve.

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CollectorStats } from '../../../src/collector/server.js';
import type { ChildMessage, ChildOptions, ChildRequest } from './collector-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const outputDir = join(here, '..', '..', '..', '.tmp', 'reliability');

export interface CollectorProcess {
  readonly endpoint: string;
  readonly port: number;
  readonly xrayAddress: string;
  /** Memory after two full garbage collections, with the stats at that moment. */
  memory(): Promise<{ readonly usage: NodeJS.MemoryUsage; readonly stats: CollectorStats }>;
  stats(): Promise<CollectorStats>;
  /** The exit code or signal, once the process has ended; null while it runs. */
  exit(): { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null;
  /** Everything the process wrote to stderr. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Builds and starts the collector child; resolves once it listens.
 *
 * @example
 * const collector = await startCollectorProcess({ port: 0, xrayPort: 0 });
 * const { usage } = await collector.memory();
 */
export async function startCollectorProcess(options: ChildOptions): Promise<CollectorProcess> {
  mkdirSync(outputDir, { recursive: true });
  const outfile = join(outputDir, 'collector-child.mjs');
  await build({
    entryPoints: [join(here, 'collector-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const child: ChildProcess = fork(outfile, [JSON.stringify(options)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const waiter of waiting.splice(0)) {
      waiter.reject(new Error(`the collector process ended (${code ?? signal}): ${stderr}`));
    }
  });
  const waiting: { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }[] =
    [];
  child.on('message', (message: ChildMessage) => {
    waiting.shift()?.resolve(message);
  });
  const ask = (request: ChildRequest | null): Promise<ChildMessage> =>
    new Promise((resolve, reject) => {
      if (exited) {
        reject(new Error(`the collector process has ended: ${stderr}`));
        return;
      }
      waiting.push({ resolve, reject });
      if (request) child.send(request);
    });

  const ready = await ask(null);
  if (ready.type !== 'ready') throw new Error(`unexpected first message ${ready.type}`);
  return {
    endpoint: ready.endpoint,
    port: ready.port,
    xrayAddress: ready.xrayAddress ?? '',
    async memory() {
      const answer = await ask({ type: 'memory' });
      if (answer.type !== 'memory') throw new Error(`unexpected answer ${answer.type}`);
      return answer;
    },
    async stats() {
      const answer = await ask({ type: 'stats' });
      if (answer.type !== 'stats') throw new Error(`unexpected answer ${answer.type}`);
      return answer.stats;
    },
    exit: () => exited,
    stderr: () => stderr,
    async close() {
      if (exited) return;
      const ended = once(child, 'exit');
      child.disconnect();
      await ended;
    },
  };
}
