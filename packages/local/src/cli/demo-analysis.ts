import type { StoredSpan } from '../collector/span-model.js';
import type { TraceStore } from '../collector/store.js';
import { treeOrder } from '../collector/trace-view.js';

/** A message the producer sent, and what became of its trace. */
export interface MessageTrace {
  readonly traceId: string;
  /** The span whose context the message carried (`send` or, in a batch, `create`). */
  readonly sendSpanId: string;
  readonly destination: string;
  /** The consumer's span for the message, a child of the send span, if it arrived. */
  readonly consumerSpanId: string | undefined;
  /** The consumer invocation span the consumer span links to, if it arrived. */
  readonly invocationSpanId: string | undefined;
  /** Whether that invocation span's parent (the Lambda service's span) arrived. */
  readonly invocationHasServiceParent: boolean;
  readonly waitedMs: number | undefined;
  readonly failed: boolean;
  /** The consumer span is in the producer's trace and linked to its invocation. */
  readonly complete: boolean;
}

function allSpans(store: TraceStore): StoredSpan[] {
  const spans: StoredSpan[] = [];
  for (const summary of store.listTraces({ limit: Number.MAX_SAFE_INTEGER }).traces) {
    const stored = store.getSpans(summary.traceId);
    // In tree order, as the trees are drawn, so the report lists messages as they appear.
    if (stored) spans.push(...treeOrder(stored).places.map((place) => place.span));
  }
  return spans;
}

/** The spans that each carried one message: single sends and the create spans of batches. */
export function messageSpans(spans: readonly StoredSpan[]): StoredSpan[] {
  return spans.filter((span) => {
    if (span.kind !== 'producer') return false;
    const operation = span.attributes['messaging.operation.type'];
    if (operation === 'create') return true;
    return operation === 'send' && span.attributes['messaging.batch.message_count'] === undefined;
  });
}

/**
 * Follows every message the producer sent to the consumer's span for it, and from there to
 * the consumer's invocation, as the demo's checks and summary need.
 */
export function analyseMessages(store: TraceStore): MessageTrace[] {
  const spans = allSpans(store);
  const byId = new Map(spans.map((span) => [`${span.traceId}:${span.spanId}`, span]));
  const childrenOf = new Map<string, StoredSpan[]>();
  for (const span of spans) {
    if (span.parentSpanId === null) continue;
    const key = `${span.traceId}:${span.parentSpanId}`;
    childrenOf.set(key, [...(childrenOf.get(key) ?? []), span]);
  }
  return messageSpans(spans).map((send) => {
    const consumer = (childrenOf.get(`${send.traceId}:${send.spanId}`) ?? []).find(
      (child) => child.kind === 'server' || child.kind === 'consumer',
    );
    const invocationLink = consumer?.links[0];
    const invocation =
      invocationLink && byId.get(`${invocationLink.traceId}:${invocationLink.spanId}`);
    const invocationHasServiceParent =
      invocation?.parentSpanId !== null &&
      invocation !== undefined &&
      byId.has(`${invocation.traceId}:${invocation.parentSpanId}`);
    const waited = consumer?.attributes['tracebridge.message.wait_ms'];
    const destination = send.attributes['messaging.destination.name'];
    return {
      traceId: send.traceId,
      sendSpanId: send.spanId,
      destination: typeof destination === 'string' ? destination : 'unknown',
      consumerSpanId: consumer?.spanId,
      invocationSpanId: invocation?.spanId,
      invocationHasServiceParent,
      waitedMs: typeof waited === 'number' ? waited : undefined,
      failed: consumer?.status.code === 'error',
      complete: consumer !== undefined && invocation !== undefined && invocationHasServiceParent,
    };
  });
}
