// The service map behind the viewer's third view: which services call which, and through
// which queues and streams, summed over the traces in the store. Computed on request from
// the stored spans in the waterfall's order, so it always agrees with the waterfall and costs
// nothing while unused; it needs no trace detail (no link resolution both ways, no copies).

import { DESTINATION_ATTRIBUTE, SYSTEM_ATTRIBUTE, WAIT_ATTRIBUTE } from './messaging.js';
import type { StoredSpan } from './span-model.js';
import type { TraceFilter, TraceStore } from './store.js';
import { treeOrder } from './trace-view.js';

/**
 * Destination kinds by `messaging.system`, the words the terminal renderer uses too (a
 * Map: a system named `constructor` is no kind).
 */
const DESTINATION_KINDS: ReadonlyMap<string, ServiceMapNodeKind> = new Map([
  ['aws_sqs', 'queue'],
  ['aws.sns', 'topic'],
  ['aws.kinesis', 'stream'],
  ['aws.eventbridge', 'bus'],
]);

export type ServiceMapNodeKind = 'service' | 'queue' | 'topic' | 'stream' | 'bus' | 'destination';

export interface ServiceMapNode {
  /** `service:<name>` or `destination:<name>`: a queue may share its name with a service. */
  readonly id: string;
  readonly name: string;
  readonly kind: ServiceMapNodeKind;
  /** Spans of the service, or producer spans sending to the destination. */
  readonly spanCount: number;
  readonly errorCount: number;
}

/**
 * `call`: a parent span and its child in another service (or a producer span and the queue
 * or stream it sends to, and that destination and the consumer span it starts).
 * `link`: a span linking to a span of another service (a consumer and its invocation).
 */
export type ServiceMapEdgeKind = 'call' | 'link';

export interface ServiceMapEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: ServiceMapEdgeKind;
  readonly count: number;
  readonly errorCount: number;
  /** `errorCount / count`, from 0 to 1. */
  readonly errorRate: number;
  /**
   * Mean milliseconds: the child's duration for a call, the producer span's duration into a
   * queue or stream, the message's wait out of one; `null` for links.
   */
  readonly meanLatencyMs: number | null;
}

export interface ServiceMap {
  readonly nodes: readonly ServiceMapNode[];
  readonly edges: readonly ServiceMapEdge[];
  /** How many traces were summed. */
  readonly traces: number;
}

interface EdgeTotals {
  count: number;
  errorCount: number;
  latencySum: number;
}

/**
 * Sums the service map over the traces that match `filter` (newest first, up to its limit).
 *
 * @example
 * const map = buildServiceMap(collector.store, { limit: 100 });
 * for (const edge of map.edges) console.log(`${edge.from} -> ${edge.to}: ${edge.count}`);
 */
export function buildServiceMap(store: TraceStore, filter: TraceFilter = {}): ServiceMap {
  const nodes = new Map<
    string,
    { name: string; kind: ServiceMapNodeKind; spans: number; errors: number }
  >();
  const edges = new Map<
    string,
    EdgeTotals & { from: string; to: string; kind: ServiceMapEdgeKind }
  >();

  const node = (id: string, name: string, kind: ServiceMapNodeKind, failed: boolean): string => {
    const entry = nodes.get(id) ?? { name, kind, spans: 0, errors: 0 };
    entry.spans++;
    if (failed) entry.errors++;
    nodes.set(id, entry);
    return id;
  };
  const edge = (
    from: string,
    to: string,
    kind: ServiceMapEdgeKind,
    failed: boolean,
    ms: number,
  ): void => {
    const key = JSON.stringify([from, to, kind]);
    const entry = edges.get(key) ?? { from, to, kind, count: 0, errorCount: 0, latencySum: 0 };
    entry.count++;
    if (failed) entry.errorCount++;
    entry.latencySum += ms;
    edges.set(key, entry);
  };

  let traces = 0;
  for (const { traceId } of store.listTraces(filter).traces) {
    const byId = store.getSpans(traceId);
    if (!byId) continue;
    traces++;
    for (const { span } of treeOrder(byId).places) {
      const failed = span.status.code === 'error';
      const serviceId = node(`service:${span.service}`, span.service, 'service', failed);
      const destination = destinationOf(span);
      if (destination) {
        const id = node(
          `destination:${destination.name}`,
          destination.name,
          destination.kind,
          failed,
        );
        edge(serviceId, id, 'call', failed, span.durationMs);
      }
      const parent = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId);
      if (parent && parent.service !== span.service) {
        const via = destinationOf(parent);
        const waited = span.attributes[WAIT_ATTRIBUTE];
        if (via) {
          const ms = typeof waited === 'number' ? waited : span.startMs - parent.startMs;
          edge(`destination:${via.name}`, serviceId, 'call', failed, ms);
        } else {
          edge(`service:${parent.service}`, serviceId, 'call', failed, span.durationMs);
        }
      }
      for (const link of span.links) {
        const target = store.getSpans(link.traceId)?.get(link.spanId);
        if (target && target.service !== span.service) {
          edge(serviceId, `service:${target.service}`, 'link', failed, 0);
        }
      }
    }
  }

  const edgeList = [...edges.values()].map((entry): ServiceMapEdge => {
    // A link can name a service with no span in the summed traces: it still gets a node,
    // so that every edge has both ends.
    if (!nodes.has(entry.to)) {
      const name = entry.to.slice('service:'.length);
      nodes.set(entry.to, { name, kind: 'service', spans: 0, errors: 0 });
    }
    return {
      from: entry.from,
      to: entry.to,
      kind: entry.kind,
      count: entry.count,
      errorCount: entry.errorCount,
      errorRate: entry.errorCount / entry.count,
      meanLatencyMs: entry.kind === 'link' ? null : entry.latencySum / entry.count,
    };
  });
  return {
    nodes: [...nodes].map(([id, entry]) => ({
      id,
      name: entry.name,
      kind: entry.kind,
      spanCount: entry.spans,
      errorCount: entry.errors,
    })),
    edges: edgeList,
    traces,
  };
}

/** The queue or stream a producer span sends to, from its messaging attributes. */
function destinationOf(span: StoredSpan): { name: string; kind: ServiceMapNodeKind } | undefined {
  if (span.kind !== 'producer') return undefined;
  const name = span.attributes[DESTINATION_ATTRIBUTE];
  if (typeof name !== 'string' || name === '') return undefined;
  const system = span.attributes[SYSTEM_ATTRIBUTE];
  const kind = typeof system === 'string' ? DESTINATION_KINDS.get(system) : undefined;
  return { name, kind: kind ?? 'destination' };
}
