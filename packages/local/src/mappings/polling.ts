import type { FunctionInvoker } from '../model.js';

/** Where the event source mappings report what happens to them. */
export interface MappingLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Bounds of the exponential backoff a poller waits after an error. */
export interface BackoffOptions {
  /** First wait, in milliseconds. */
  readonly initialMs: number;
  /** Longest wait, in milliseconds: the waits double up to it. */
  readonly maxMs: number;
}

/** A bounded exponential backoff: each `next()` waits twice as long, up to `maxMs`. */
export interface Backoff {
  /** The next wait in milliseconds. */
  next(): number;
  /** Starts again from `initialMs`, after a success. */
  reset(): void;
}

/** How a poller reports the health of its connection to an emulator. */
export interface Health {
  /** A call failed: logs the first failure of an outage, and only that one. */
  failed(error: unknown): void;
  /** A call succeeded: logs the recovery when an outage was going on. */
  ok(): void;
}

/**
 * Waits `ms` milliseconds, or less when `signal` aborts. Never rejects, so a poll loop
 * only has to check `signal.aborted` afterwards.
 *
 * @example
 * ```ts
 * await sleep(backoff.next(), signal);
 * if (signal.aborted) return;
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Creates a bounded exponential backoff.
 *
 * @example
 * ```ts
 * const backoff = createBackoff({ initialMs: 100, maxMs: 5_000 });
 * backoff.next(); // 100
 * backoff.next(); // 200
 * backoff.reset();
 * ```
 */
export function createBackoff(options: BackoffOptions): Backoff {
  let wait = options.initialMs;
  return {
    next() {
      const current = Math.min(wait, options.maxMs);
      wait = Math.min(wait * 2, options.maxMs);
      return current;
    },
    reset() {
      wait = options.initialMs;
    },
  };
}

/**
 * Creates the health reporter of one poller. An emulator that restarts makes every call
 * fail until it is back: one line when the outage starts and one when it ends say all
 * there is to say, where a line per failed poll would bury everything else.
 *
 * @example
 * ```ts
 * const health = createHealth(logger, 'SQS orders -> consumer');
 * try {
 *   await poll();
 *   health.ok();
 * } catch (error) {
 *   health.failed(error);
 * }
 * ```
 */
export function createHealth(logger: MappingLogger, label: string): Health {
  let failing = false;
  return {
    failed(error) {
      if (failing) return;
      failing = true;
      logger.warn(`${label}: ${describeError(error)}; retrying with backoff until it recovers.`);
    },
    ok() {
      if (!failing) return;
      failing = false;
      logger.info(`${label}: recovered.`);
    },
  };
}

/** A poller's calls to its emulator: health reported and errors waited out together. */
export interface EmulatorLink {
  /** A call succeeded: reports a recovery and starts the backoff again. */
  ok(): void;
  /** A call failed: reports the outage once and waits out the next backoff. */
  failed(error: unknown): Promise<void>;
}

/**
 * The {@link Health} and {@link Backoff} of one poller, which always move together.
 *
 * @example
 * ```ts
 * const link = createEmulatorLink(context, 'SQS orders -> consumer');
 * try {
 *   await poll();
 *   link.ok();
 * } catch (error) {
 *   if (isStopping(context.signal)) return;
 *   await link.failed(error);
 * }
 * ```
 */
export function createEmulatorLink(context: PollerContext, label: string): EmulatorLink {
  const health = createHealth(context.logger, label);
  const backoff = createBackoff(context.backoff);
  return {
    ok() {
      health.ok();
      backoff.reset();
    },
    async failed(error) {
      health.failed(error);
      await sleep(backoff.next(), context.signal);
    },
  };
}

/**
 * One line describing an error of unknown type, with the name AWS SDK errors carry.
 *
 * @example
 * ```ts
 * describeError(new Error('connect ECONNREFUSED')); // 'Error: connect ECONNREFUSED'
 * ```
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** What every poller is given by `startMappings`. */
export interface PollerContext {
  readonly invoker: FunctionInvoker;
  readonly logger: MappingLogger;
  /** Aborted by `stop()`: every call in progress is cancelled, every wait cut short. */
  readonly signal: AbortSignal;
  readonly backoff: BackoffOptions;
}

/**
 * Whether `stop()` has aborted `signal`. The signal changes while a poller awaits;
 * reading it through a call keeps TypeScript from carrying a loop condition's narrowing
 * past the await.
 *
 * @example
 * ```ts
 * } catch (error) {
 *   if (isStopping(signal)) return;
 * ```
 */
export function isStopping(signal: AbortSignal): boolean {
  return signal.aborted;
}
