import { diag, type TracerProvider } from '@opentelemetry/api';
import type { Context as LambdaContext } from 'aws-lambda';
import { flushProvider, flushTracing } from '../setup/flush.js';
import { currentRegistration } from '../setup/registry.js';
import { DEFAULT_FLUSH_MARGIN_MS } from './invocation.js';

/**
 * Flushes pending spans, waiting at most until the invocation's deadline minus the margin:
 * the given provider, else whatever `flushTracing` flushes (initTracing's set-up, or the
 * application's own registered provider). Never rejects: Lambda freezes the process once the
 * handler returns, so this is the last chance to export, but it must never cost the function
 * its own result. Warns once per failed flush; initTracing's exporters report their own
 * failures, so a failure through its set-up is not repeated here.
 */
export async function flushBeforeFreeze(
  lambdaContext: LambdaContext,
  provider: TracerProvider | undefined,
  marginMs = DEFAULT_FLUSH_MARGIN_MS,
): Promise<void> {
  const remaining =
    typeof lambdaContext.getRemainingTimeInMillis === 'function'
      ? lambdaContext.getRemainingTimeInMillis()
      : Number.POSITIVE_INFINITY;
  const budgetMs = Math.max(0, remaining - marginMs);
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
