// One function's execution environment over time, as Lambda manages a sandbox: created on the
// first invocation (a cold start), reused while warm, frozen between invocations, and replaced
// after a timeout or a crash.

import { performance } from 'node:perf_hooks';

import type { FunctionSpec, InvocationResult } from '../model.js';
import type { BuiltFunction } from './build.js';
import { functionArn, newLogStreamName } from './environment.js';
import {
  type ExitEvent,
  type FunctionProcess,
  type ProcessEvent,
  startFunctionProcess,
} from './function-process.js';
import type { LineWriter } from './logs.js';
import type { ProcessGuard } from './process-guard.js';
import type { LambdaError } from './protocol.js';

/** Lambda's limit on the Init phase of an on-demand function (execution environment lifecycle). */
const INIT_TIMEOUT_MS = 10_000;
/** Lambda's limit on the Shutdown phase: after it, the environment is killed (Extensions API). */
const SHUTDOWN_GRACE_MS = 2_000;
const MS_PER_SECOND = 1000;

const TIMED_OUT = Symbol('timed out');

export interface SandboxOptions {
  readonly spec: FunctionSpec;
  readonly built: BuiltFunction;
  /** The variables of a new execution environment that logs to the given stream. */
  readonly environment: (logStreamName: string) => Record<string, string>;
  readonly writeLine: LineWriter;
  readonly guard: ProcessGuard;
}

export interface SandboxRequest {
  readonly requestId: string;
  /** The event as JSON text. */
  readonly payload: string;
  readonly traceHeader: string;
}

export interface SandboxOutcome {
  readonly result: InvocationResult;
  /** The stack of a handler error, one line per entry (Lambda's `trace`); empty otherwise. */
  readonly trace: readonly string[];
  /** Whether the invocation had to start a new execution environment. */
  readonly coldStart: boolean;
}

/** A function's execution environment; its caller runs invocations one at a time. */
export interface Sandbox {
  invoke(request: SandboxRequest): Promise<SandboxOutcome>;
  /** Ends the environment, if one runs: SIGCONT, SIGTERM, and SIGKILL after the grace period. */
  stop(): Promise<void>;
}

type Failure = Extract<InvocationResult, { status: 'error' | 'timeout' | 'crashed' }>;

interface InitFailure {
  readonly failure: Failure;
  readonly trace: readonly string[];
}

/**
 * Creates the sandbox of one built function. Nothing starts until the first invocation.
 *
 * @example
 * ```ts
 * const sandbox = createSandbox({ spec, built, environment, writeLine, guard });
 * const { result, coldStart } = await sandbox.invoke({ requestId, payload: '{}', traceHeader });
 * await sandbox.stop();
 * ```
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const { spec } = options;
  const timeoutMs = spec.timeoutSeconds * MS_PER_SECOND;
  const invokedFunctionArn = functionArn(spec.functionName);
  let current: FunctionProcess | undefined;

  const end = async (child: FunctionProcess): Promise<void> => {
    if (current === child) current = undefined;
    child.signal('SIGKILL');
    await child.exited;
  };

  const initialise = async (): Promise<FunctionProcess | InitFailure> => {
    const started = performance.now();
    const child = startFunctionProcess({
      built: options.built,
      env: options.environment(newLogStreamName(new Date())),
      writeLine: options.writeLine,
      guard: options.guard,
    });
    current = child;
    const event = await within(INIT_TIMEOUT_MS, initOutcome(child));
    if (event !== TIMED_OUT && event.type === 'ready') return child;
    await end(child);
    const durationMs = performance.now() - started;
    if (event === TIMED_OUT) {
      const message = `Init phase timed out after ${seconds(INIT_TIMEOUT_MS)} seconds`;
      options.writeLine(message);
      const error = { errorType: 'Sandbox.Timedout', errorMessage: message, trace: [] };
      return { failure: failure('timeout', error, durationMs), trace: [] };
    }
    if (event.type === 'exit') {
      return { failure: failure('crashed', exitError(event, undefined), durationMs), trace: [] };
    }
    // The handler could not be loaded (an error), or its Init code crashed the runtime.
    const status = event.type === 'crash' ? 'crashed' : 'error';
    return { failure: failure(status, event.error, durationMs), trace: event.error.trace };
  };

  return {
    async invoke(request) {
      let child = current?.isAlive() ? current : undefined;
      const coldStart = child === undefined;
      if (child === undefined) {
        const initialised = await initialise();
        if ('failure' in initialised) {
          return { result: initialised.failure, trace: initialised.trace, coldStart };
        }
        child = initialised;
      }

      child.signal('SIGCONT');
      const started = performance.now();
      child.send({
        type: 'invoke',
        requestId: request.requestId,
        payload: request.payload,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn,
        traceHeader: request.traceHeader,
      });
      const event = await within(timeoutMs, invocationOutcome(child, request.requestId));
      const durationMs = performance.now() - started;

      if (event === TIMED_OUT) {
        await end(child);
        const message = `${request.requestId} Task timed out after ${seconds(timeoutMs)} seconds`;
        options.writeLine(message);
        const error = { errorType: 'Sandbox.Timedout', errorMessage: message };
        return { result: failure('timeout', error, durationMs), trace: [], coldStart };
      }
      switch (event.type) {
        case 'response': {
          // Frozen as soon as it has answered: nothing in it runs until the next invocation.
          child.signal('SIGSTOP');
          const payload = JSON.parse(event.payload) as unknown;
          return { result: { status: 'ok', payload, durationMs }, trace: [], coldStart };
        }
        case 'error':
          child.signal('SIGSTOP');
          return {
            result: failure('error', event.error, durationMs),
            trace: event.error.trace,
            coldStart,
          };
        case 'exit': {
          if (current === child) current = undefined;
          const error = exitError(event, request.requestId);
          options.writeLine(error.errorMessage);
          return { result: failure('crashed', error, durationMs), trace: [], coldStart };
        }
        default:
          // An uncaught exception or unhandled rejection: the runtime reported it and is exiting.
          await end(child);
          return {
            result: failure('crashed', event.error, durationMs),
            trace: event.error.trace,
            coldStart,
          };
      }
    },

    async stop() {
      const child = current;
      current = undefined;
      if (child === undefined || !child.isAlive()) return;
      child.signal('SIGCONT');
      child.signal('SIGTERM');
      if ((await within(SHUTDOWN_GRACE_MS, child.exited)) === TIMED_OUT) await end(child);
    },
  };
}

/** How the Init phase ends: the handler is ready, or the environment failed. */
async function initOutcome(
  child: FunctionProcess,
): Promise<Exclude<ProcessEvent, { type: 'response' | 'error' }>> {
  for (;;) {
    const event = await child.next();
    if (event.type !== 'response' && event.type !== 'error') return event;
  }
}

/** How an invocation ends: its response or error, or the end of the environment. */
async function invocationOutcome(
  child: FunctionProcess,
  requestId: string,
): Promise<Exclude<ProcessEvent, { type: 'ready' }>> {
  for (;;) {
    const event = await child.next();
    const answer = event.type === 'response' || event.type === 'error';
    // Only the runtime answers with this request id; any other answer is user code calling
    // process.send.
    if (event.type !== 'ready' && (!answer || event.requestId === requestId)) return event;
  }
}

async function within<T>(ms: number, promise: Promise<T>): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function failure(
  status: Failure['status'],
  error: Pick<LambdaError, 'errorType' | 'errorMessage'>,
  durationMs: number,
): Failure {
  return { status, errorType: error.errorType, errorMessage: error.errorMessage, durationMs };
}

// Lambda's report of a runtime that exits in the middle of an invocation.
function exitError(exit: ExitEvent, requestId: string | undefined): LambdaError {
  const how = exit.signal ? `signal: ${exit.signal}` : `exit status ${exit.code ?? 'unknown'}`;
  const prefix = requestId === undefined ? '' : `RequestId: ${requestId} `;
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `${prefix}Error: Runtime exited with error: ${how}`,
    trace: [],
  };
}

function seconds(ms: number): string {
  return (ms / MS_PER_SECOND).toFixed(2);
}
