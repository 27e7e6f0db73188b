import type { Tracing } from './tracing.js';

// A global slot, like @opentelemetry/api's own: two copies of tracebridge in one process (a
// layer and the function's bundle, or its ESM and CommonJS builds) must share one set-up.
const SLOT = Symbol.for('tracebridge.setup');

export interface Registration {
  readonly tracing: Tracing;
  /** Settles the resource attributes that come from the invoked function ARN. */
  readonly recordFunctionArn: (arn: string) => void;
  /** initTracing warns about a second call once per process. */
  duplicateWarned: boolean;
}

type Slot = { [SLOT]?: Registration };

/**
 * The set-up of this process, if `initTracing` ran.
 *
 * @example
 * const tracing = currentRegistration()?.tracing;
 */
export function currentRegistration(): Registration | undefined {
  return (globalThis as Slot)[SLOT];
}

/**
 * Records the set-up of this process.
 *
 * @example
 * register({ tracing, recordFunctionArn: () => {}, duplicateWarned: false });
 */
export function register(registration: Registration): void {
  (globalThis as Slot)[SLOT] = registration;
}

/**
 * Forgets the set-up (tests start each case afresh with it).
 *
 * @example
 * unregister();
 */
export function unregister(): void {
  (globalThis as Slot)[SLOT] = undefined;
}
