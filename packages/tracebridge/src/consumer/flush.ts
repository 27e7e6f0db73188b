import { diag, trace, type TracerProvider } from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { DEFAULT_FLUSH_MARGIN_MS } from './invocation.js';

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
  const flushable = flushableProvider(provider);
  if (!flushable) return 'nothing-to-flush';
  const remaining =
    typeof lambdaContext.getRemainingTimeInMillis === 'function'
      ? lambdaContext.getRemainingTimeInMillis()
      : Number.POSITIVE_INFINITY;
  const budgetMs = Math.max(0, remaining - marginMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<FlushOutcome>((resolve) => {
    timer = setTimeout(
      () => {
        resolve('timed-out');
      },
      Math.min(budgetMs, 2_147_483_647),
    );
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
  if (outcome === 'timed-out') {
    diag.warn(
      `tracebridge: flushing spans did not finish within the invocation's remaining ${budgetMs} ms; spans not yet exported may be lost when Lambda freezes the process`,
    );
  }
  return outcome;
}
