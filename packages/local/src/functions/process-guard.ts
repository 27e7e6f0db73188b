import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const REAPER_PATH = fileURLToPath(new URL('./reaper.mjs', import.meta.url));

/**
 * Makes sure no execution environment outlives the runner that started it: on the runner's
 * `exit`, every tracked process group is killed; and if the runner dies without an `exit` (a
 * signal, a crash), a small detached reaper process notices its stdin closing and kills them.
 */
export interface ProcessGuard {
  /** Tracks the process group led by `pid`. */
  add(pid: number): void;
  /** Stops tracking a process group that has ended. */
  remove(pid: number): void;
  /** Stops guarding: the runner has stopped every process itself. */
  close(): void;
}

/**
 * Sends a signal to the process group led by `pid`, ignoring a group that no longer exists.
 * Execution environments run in their own group, so that a signal reaches whatever the function
 * started too, as Lambda freezes and ends a whole sandbox.
 *
 * @example
 * ```ts
 * signalGroup(child.pid, 'SIGSTOP');
 * ```
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone: the process exited, and its exit is reported on its own.
  }
}

/**
 * Creates a guard; the reaper process starts with the first tracked group.
 *
 * @example
 * ```ts
 * const guard = createProcessGuard();
 * guard.add(child.pid);
 * child.once('exit', () => guard.remove(child.pid));
 * ```
 */
export function createProcessGuard(): ProcessGuard {
  const groups = new Set<number>();
  let reaper: ChildProcess | undefined;
  const killAll = (): void => {
    for (const pid of groups) signalGroup(pid, 'SIGKILL');
  };

  const tell = (line: string): void => {
    reaper ??= startReaper();
    reaper.stdin?.write(`${line}\n`);
  };

  return {
    add(pid) {
      if (groups.size === 0) process.on('exit', killAll);
      groups.add(pid);
      tell(`+${pid}`);
    },
    remove(pid) {
      if (!groups.delete(pid)) return;
      tell(`-${pid}`);
      if (groups.size === 0) process.off('exit', killAll);
    },
    close() {
      process.off('exit', killAll);
      groups.clear();
      reaper?.stdin?.end();
      reaper = undefined;
    },
  };
}

function startReaper(): ChildProcess {
  // Detached, with an empty environment: terminal signals and the runner's NODE_OPTIONS stay out.
  const reaper = spawn(process.execPath, [REAPER_PATH], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: {},
  });
  // The reaper must never keep the runner alive, nor take it down when it is gone.
  reaper.on('error', () => undefined);
  reaper.stdin.on('error', () => undefined);
  reaper.unref();
  if (reaper.stdin instanceof Socket) reaper.stdin.unref();
  return reaper;
}
