import { diag, type Span, SpanStatusCode, type TracerProvider } from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { type CancelDeadline, scheduleDeadline } from '../setup/deadlines.js';
import { flushProvider, flushTracing } from '../setup/flush.js';
import { currentRegistration } from '../setup/registry.js';
import { recordFailure } from '../propagation/diag.js';
import { DEFAULT_FLUSH_MARGIN_MS } from './invocation.js';

/** What is left of the invocation; unbounded when the context has no deadline to give. */
function remainingMs(lambdaContext: LambdaContext): number {
  return typeof lambdaContext.getRemainingTimeInMillis === 'function'
    ? lambdaContext.getRemainingTimeInMillis()
    : Number.POSITIVE_INFINITY;
}

/**
 * Flushes pending spans, waiting at most until the invocation's deadline minus the margin:
 * the given provider, else whatever `flushTracing` flushes (initTracing's set-up, or the
 * application's own registered provider). Never rejects: Lambda freezes the process once the
 * handler returns, so this is the last chance to export, but it must never cost the function
 * its own result. Warns once per failed flush; initTracing's exporters report their own
 * failures, so a failure through its set-up is not repeated here.
 */
async function flushBeforeFreeze(
  lambdaContext: LambdaContext,
  provider: TracerProvider | undefined,
  marginMs: number,
): Promise<void> {
  const budgetMs = Math.max(0, remainingMs(lambdaContext) - marginMs);
  const throughSetUp = provider === undefined && currentRegistration() !== undefined;
  const result =
    provider === undefined ? await flushTracing(budgetMs) : await flushProvider(provider, budgetMs);
  if (result.timedOut) {
    diag.warn(
      `tracebridge: flushing spans did not finish within the invocation's remaining ${Math.round(budgetMs)} ms; spans not yet exported may be lost when Lambda freezes the process`,
    );
  } else if (!result.ok && !throughSetUp) {
    diag.warn(`tracebridge: flushing spans failed: ${result.error?.message ?? 'unknown error'}`);
  }
}

/**
 * How long before the flush deadline (the invocation's deadline minus the flush margin) a
 * handler that is still running is taken to be timing out. Lambda gives no notice: at the
 * deadline it stops the process, and every span not yet exported is lost, the invocation span
 * first. So at this point the invocation span ends, marked as failed, and whatever has ended is
 * flushed within this time, whatever the margin. Datadog's Lambda library does the same
 * ("Impending Timeout"); Sentry's warns 500 ms ahead.
 */
export const TIMEOUT_FLUSH_LEAD_MS = 250;

/** The timeout guard of one invocation, from {@link guardTimeout}. */
export interface TimeoutGuard {
  /** Whether the guard fired: the invocation span has ended, and takes no more changes. */
  readonly fired: boolean;
  /** Records the handler's error on the invocation span, unless the guard has ended the span. */
  fail(error: unknown): void;
  /**
   * Stops the guard, ends the invocation span unless the guard has ended it already, and flushes
   * before Lambda freezes the process; never rejects.
   */
  finish(): Promise<void>;
}

/**
 * Arms a timer for {@link TIMEOUT_FLUSH_LEAD_MS} plus the margin before the invocation's
 * deadline. If the handler is still running then, the invocation span ends as timed out and
 * every span that has ended is flushed, so the spans of an invocation that times out still reach
 * the collector. The timer does not keep the event loop alive. Without a deadline (no
 * `getRemainingTimeInMillis`), or with less time than the lead left, nothing is armed.
 */
export function guardTimeout(
  lambdaContext: LambdaContext,
  invocationSpan: Span,
  provider: TracerProvider | undefined,
  marginMs = DEFAULT_FLUSH_MARGIN_MS,
): TimeoutGuard {
  return new InvocationTimeoutGuard(lambdaContext, invocationSpan, provider, marginMs);
}

/**
 * A class, not an object literal with a `fired` getter: on Node 20 such a literal costs about
 * 0.6 µs to build, and it keeps the closure it was built in (here the invocation span, and
 * through its links every message's context) alive until the next full garbage collection, so
 * that every invocation's spans were copied by the young-generation collector and promoted
 * (measured: about 1 MB more old-generation heap per scavenge, none with the class).
 */
class InvocationTimeoutGuard implements TimeoutGuard {
  #fired = false;
  readonly #cancelTimer: CancelDeadline | undefined;
  readonly #lambdaContext: LambdaContext;
  readonly #invocationSpan: Span;
  readonly #provider: TracerProvider | undefined;
  readonly #marginMs: number;

  constructor(
    lambdaContext: LambdaContext,
    invocationSpan: Span,
    provider: TracerProvider | undefined,
    marginMs: number,
  ) {
    this.#lambdaContext = lambdaContext;
    this.#invocationSpan = invocationSpan;
    this.#provider = provider;
    this.#marginMs = marginMs;
    const fireInMs = remainingMs(lambdaContext) - this.#leadMs();
    this.#cancelTimer =
      fireInMs > 0 && Number.isFinite(fireInMs)
        ? scheduleDeadline(fireInMs, () => {
            this.#fire();
          })
        : undefined;
  }

  get fired(): boolean {
    return this.#fired;
  }

  fail(error: unknown): void {
    if (!this.#fired) recordFailure(this.#invocationSpan, error);
  }

  finish(): Promise<void> {
    this.#cancelTimer?.();
    if (!this.#fired) this.#invocationSpan.end();
    return flushBeforeFreeze(this.#lambdaContext, this.#provider, this.#marginMs);
  }

  /** How long before the invocation's deadline the guard fires. */
  #leadMs(): number {
    return TIMEOUT_FLUSH_LEAD_MS + this.#marginMs;
  }

  #fire(): void {
    this.#fired = true;
    const message = `the invocation was about to time out, ${this.#leadMs()} ms before its deadline`;
    this.#invocationSpan.setStatus({ code: SpanStatusCode.ERROR, message });
    this.#invocationSpan.end();
    diag.warn(`tracebridge: ${message}; flushing the spans that have ended`);
    void flushBeforeFreeze(this.#lambdaContext, this.#provider, this.#marginMs);
  }
}
