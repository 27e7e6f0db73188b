import { diag, trace, type TracerProvider } from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { currentRegistration } from '../setup/registry.js';
import { DEFAULT_FLUSH_MARGIN_MS } from './invocation.js';

/** Longest delay setTimeout accepts (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A provider the wrappers can flush: the SDK's `BasicTracerProvider` and its relatives. */
interface FlushableProvider {
  forceFlush(): Promise<void>;
}

function isFlushable(provider: unknown): provider is FlushableProvider {
  return (
    typeof provider === 'object' &&
    provider !== null &&
    typeof (provider as Partial<FlushableProvider>).forceFlush === 'function'
  );
}

/** The provider behind the API's global proxy, which is the one holding spans. */
function flushableProvider(provider: TracerProvider | undefined): FlushableProvider | undefined {
  const candidate = provider ?? trace.getTracerProvider();
  if (isFlushable(candidate)) return candidate;
  const delegate = (candidate as { getDelegate?: () => TracerProvider }).getDelegate?.();
  return isFlushable(delegate) ? delegate : undefined;
}

/** How a flush ended. */
export type FlushOutcome = 'flushed' | 'timed-out' | 'failed' | 'nothing-to-flush';

/**
 * Flushes the provider's pending spans, waiting at most until the invocation's deadline minus
 * the margin. Never rejects: Lambda freezes the process once the handler returns, so this is
 * the last chance to export, but it must never cost the function its own result.
 */
export async function flushBeforeFreeze(
  lambdaContext: LambdaContext,
  provider: TracerProvider | undefined,
  marginMs = DEFAULT_FLUSH_MARGIN_MS,
): Promise<FlushOutcome> {
  const remaining =
    typeof lambdaContext.getRemainingTimeInMillis === 'function'
      ? lambdaContext.getRemainingTimeInMillis()
      : Number.POSITIVE_INFINITY;
  const budgetMs = Math.min(Math.max(0, remaining - marginMs), MAX_TIMER_MS);
  // The set-up's own flush also waits for exports already in flight and reports failures
  // itself; it serves whenever the wrappers use the provider it registered.
  const registration = provider === undefined ? currentRegistration() : undefined;
  const outcome = registration
    ? await registration.tracing.forceFlush(budgetMs).then((result): FlushOutcome => {
        if (result.timedOut) return 'timed-out';
        return result.ok ? 'flushed' : 'failed';
      })
    : await flushProvider(flushableProvider(provider), budgetMs);
  if (outcome === 'timed-out') {
    diag.warn(
      `tracebridge: flushing spans did not finish within the invocation's remaining ${budgetMs} ms; spans not yet exported may be lost when Lambda freezes the process`,
    );
  }
  return outcome;
}

async function flushProvider(
  flushable: FlushableProvider | undefined,
  budgetMs: number,
): Promise<FlushOutcome> {
  if (!flushable) return 'nothing-to-flush';
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<FlushOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve('timed-out');
    }, budgetMs);
  });
  const flush = flushable.forceFlush().then(
    (): FlushOutcome => 'flushed',
    (error: unknown): FlushOutcome => {
      diag.warn(`tracebridge: flushing spans failed: ${String(error)}`);
      return 'failed';
    },
  );
  const outcome = await Promise.race([flush, deadline]);
  clearTimeout(timer);
  return outcome;
}
