// The messages between the runner and its runtime (runtime.mjs), over the IPC channel of
// `child_process.fork`. The runtime is plain JavaScript, so this file is the contract it follows,
// and the runner checks everything it receives against it.

import { isRecord } from '../json.js';
/** An error as Lambda's Node.js runtime reports it (`errorType`, `errorMessage`, `trace`). */
export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  /** The stack, one line per entry; empty when the thrown value was not an Error. */
  readonly trace: readonly string[];
}

/** Runner to runtime: run the handler once. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event, as the JSON text Lambda passes to the runtime. */
  readonly payload: string;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  /** `_X_AMZN_TRACE_ID` for this invocation. */
  readonly traceHeader: string;
}

/** Runtime to runner. */
export type RuntimeMessage =
  /** The handler is loaded: the Init phase is over. */
  | { readonly type: 'ready' }
  /** The handler could not be loaded; the runtime exits. */
  | { readonly type: 'init-error'; readonly error: LambdaError }
  /** The handler returned; `payload` is its JSON text. */
  | { readonly type: 'response'; readonly requestId: string; readonly payload: string }
  /** The handler threw, rejected or called back with an error. */
  | { readonly type: 'error'; readonly requestId: string; readonly error: LambdaError }
  /** An uncaught exception or unhandled rejection; the runtime exits. */
  | { readonly type: 'crash'; readonly error: LambdaError };

/**
 * Checks a message from the runtime; anything else (a handler calling `process.send` itself)
 * gives `undefined`.
 *
 * @example
 * ```ts
 * child.on('message', (value) => {
 *   const message = parseRuntimeMessage(value);
 *   if (message?.type === 'ready') console.log('initialised');
 * });
 * ```
 */
export function parseRuntimeMessage(value: unknown): RuntimeMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'init-error':
    case 'crash': {
      const error = parseLambdaError(value.error);
      return error && { type: value.type, error };
    }
    case 'response':
      return typeof value.requestId === 'string' && typeof value.payload === 'string'
        ? { type: 'response', requestId: value.requestId, payload: value.payload }
        : undefined;
    case 'error': {
      const error = parseLambdaError(value.error);
      return typeof value.requestId === 'string' && error
        ? { type: 'error', requestId: value.requestId, error }
        : undefined;
    }
    default:
      return undefined;
  }
}

function parseLambdaError(value: unknown): LambdaError | undefined {
  if (!isRecord(value)) return undefined;
  const { errorType, errorMessage, trace } = value;
  if (typeof errorType !== 'string' || typeof errorMessage !== 'string') return undefined;
  const lines = Array.isArray(trace)
    ? trace.filter((line): line is string => typeof line === 'string')
    : [];
  return { errorType, errorMessage, trace: lines };
}
