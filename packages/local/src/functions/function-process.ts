// One execution environment: a Node.js process running our runtime (runtime.mjs) around one
// function's handler.
//
// IPC is `child_process.fork`'s channel rather than JSON lines on stdio: the function's stdout and
// stderr stay exactly its log stream (a handler's console.log can never be mistaken for a
// message), Node.js frames and parses the messages, the channel closing tells the runtime that
// the runner is gone, and messages sent to a frozen process simply wait in the socket until it
// is thawed.

import { type ChildProcess, fork } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import type { BuiltFunction } from './build.js';
import { forwardLines, type LineWriter } from './logs.js';
import { type ProcessGuard, signalGroup } from './process-guard.js';
import { type InvokeMessage, parseRuntimeMessage, type RuntimeMessage } from './protocol.js';

const RUNTIME_PATH = fileURLToPath(new URL('./runtime.mjs', import.meta.url));

/** The process has ended and every message it sent has been received. */
export interface ExitEvent {
  readonly type: 'exit';
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export type ProcessEvent = RuntimeMessage | ExitEvent;

/** A running execution environment, driven one request at a time. */
export interface FunctionProcess {
  readonly pid: number;
  /** The next message from the runtime, or the exit; events wait in order until taken. */
  next(): Promise<ProcessEvent>;
  /** Settles once the process has exited and its channel has closed. */
  readonly exited: Promise<ExitEvent>;
  isAlive(): boolean;
  send(message: InvokeMessage): void;
  /** Signals the process group: SIGSTOP freezes it, SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void;
}

export interface FunctionProcessOptions {
  readonly built: BuiltFunction;
  readonly env: Readonly<Record<string, string>>;
  readonly writeLine: LineWriter;
  readonly guard: ProcessGuard;
}

/**
 * Starts an execution environment. It begins its Init phase at once (loading the handler) and
 * reports `ready` or `init-error` through {@link FunctionProcess.next}.
 *
 * @example
 * ```ts
 * const child = startFunctionProcess({ built, env, writeLine, guard });
 * const first = await child.next(); // { type: 'ready' } once the handler is loaded
 * ```
 */
export function startFunctionProcess(options: FunctionProcessOptions): FunctionProcess {
  const child = fork(RUNTIME_PATH, [options.built.file, options.built.exportPath.join('.')], {
    cwd: options.built.taskRoot,
    env: options.env,
    // Not the runner's execArgv (a test runner's loader, an inspector): only source maps.
    execArgv: ['--enable-source-maps'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
    // Its own process group, so that freezing and killing reach whatever the function started.
    detached: true,
  });

  const events: ProcessEvent[] = [];
  let waiting: ((event: ProcessEvent) => void) | undefined;
  const push = (event: ProcessEvent): void => {
    const take = waiting;
    waiting = undefined;
    if (take) take(event);
    else events.push(event);
  };

  let alive = true;
  const pid = child.pid ?? 0;
  if (pid > 0) options.guard.add(pid);
  const exited = waitForExit(child).then((exit) => {
    alive = false;
    if (pid > 0) options.guard.remove(pid);
    push(exit);
    return exit;
  });

  child.on('message', (value) => {
    const message = parseRuntimeMessage(value);
    if (message) push(message);
  });
  if (child.stdout) forwardLines(child.stdout, options.writeLine);
  if (child.stderr) forwardLines(child.stderr, options.writeLine);
  unrefAll(child);

  return {
    pid,
    next() {
      const event = events.shift();
      if (event) return Promise.resolve(event);
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    exited,
    isAlive: () => alive,
    send(message) {
      // A send that fails means the process is gone; its exit event says so.
      child.send(message, () => undefined);
    },
    signal(signal) {
      if (alive && pid > 0) signalGroup(pid, signal);
    },
  };
}

// 'exit' alone can come before the last messages: wait for the channel to close as well.
function waitForExit(child: ChildProcess): Promise<ExitEvent> {
  return new Promise((resolve) => {
    let exit: ExitEvent | undefined;
    let disconnected = false;
    const settle = (): void => {
      if (exit && disconnected) resolve(exit);
    };
    child.once('exit', (code, signal) => {
      exit = { type: 'exit', code, signal };
      settle();
    });
    child.once('disconnect', () => {
      disconnected = true;
      settle();
    });
    // Spawning failed: there is no process, no exit and no channel to wait for. Other errors
    // (a signal or a message that could not be delivered) show up as the exit.
    child.on('error', () => {
      if (child.pid === undefined) resolve({ type: 'exit', code: null, signal: null });
    });
  });
}

// An idle environment must not keep the runner alive: a running invocation does, through its
// timeout timer.
function unrefAll(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
  for (const stream of [child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }
}
