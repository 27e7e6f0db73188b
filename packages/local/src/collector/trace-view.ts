// Read-side views over the spans the store holds: a trace's summary for lists, its spans in
// tree order, and its full detail for a tree or a waterfall, with links resolved in both
// directions and each span's messaging hop. Pure functions over the store's maps, so the
// store stays about holding and evicting spans.

import { type MessageHop, messageHop } from './messaging.js';
import type { Attributes, SpanKindName, StoredLink, StoredSpan } from './span-model.js';

/** A line of the trace list. */
export interface TraceSummary {
  readonly traceId: string;
  /** The earliest span without a parent; else, when the root has not arrived, the earliest span. */
  readonly rootSpanId: string;
  readonly rootName: string;
  readonly rootService: string;
  /** Whether a span without a parent is in the store (a trace missing it is incomplete). */
  readonly hasRoot: boolean;
  /** Spans whose parent is not in the store, besides the root. */
  readonly spansWithMissingParent: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly spanCount: number;
  /** Every service with a span in the trace, in the order they first appear in time. */
  readonly services: readonly string[];
  readonly errorCount: number;
  readonly hasError: boolean;
  /** When the trace's latest span arrived, Unix epoch milliseconds. */
  readonly lastReceivedMs: number;
}

/** The span another span links to, when the store holds it. */
export interface LinkTarget {
  readonly name: string;
  readonly service: string;
  readonly kind: SpanKindName;
}

/** A link from a span, with what the store knows about where it points. */
export interface ResolvedLink extends StoredLink {
  readonly traceInStore: boolean;
  readonly spanInStore: boolean;
  readonly target: LinkTarget | null;
  /** The root of the trace the link points into, when that trace is in the store. */
  readonly targetTraceRoot: { readonly name: string; readonly service: string } | null;
}

/** A span in another trace whose link points at a span of this trace. */
export interface IncomingLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
  readonly service: string;
  readonly kind: SpanKindName;
  /** The span of this trace the link names. */
  readonly toSpanId: string;
  readonly attributes: Attributes;
}

/** A span placed in its trace's tree. */
export interface TraceSpan extends Omit<StoredSpan, 'links'> {
  /** 0 for a tree root; children are one deeper than their parent. */
  readonly depth: number;
  /** Children in start order. */
  readonly childSpanIds: readonly string[];
  /** The span names a parent that the store does not hold (yet). */
  readonly missingParent: boolean;
  readonly links: readonly ResolvedLink[];
  readonly linkedFrom: readonly IncomingLink[];
  /** The queue or stream this span's message crossed from its parent's service, if any. */
  readonly hop: MessageHop | null;
}

/** One trace, all its spans in depth-first order: each parent right before its children. */
export interface TraceDetail {
  readonly summary: TraceSummary;
  readonly rootSpanIds: readonly string[];
  readonly spans: readonly TraceSpan[];
  /** Links from other traces to spans of this trace that the store does not hold. */
  readonly linkedFromMissingSpans: readonly IncomingLink[];
}

/** What building a detail needs to know about the rest of the store. */
export interface StoreLookup {
  trace(traceId: string): ReadonlyMap<string, StoredSpan> | undefined;
  summary(traceId: string): TraceSummary | undefined;
  /** Traces with at least one span linking into `traceId`. */
  linkSources(traceId: string): Iterable<string>;
}

function pushTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function byStart(a: StoredSpan, b: StoredSpan): number {
  if (a.startMs !== b.startMs) return a.startMs - b.startMs;
  const exact = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
  if (exact !== 0n) return exact < 0n ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

/**
 * Summarises one trace.
 *
 * @example
 * const summary = summarizeTrace(traceId, spansById);
 * console.log(`${summary.rootService}: ${summary.rootName} (${summary.spanCount} spans)`);
 */
export function summarizeTrace(
  traceId: string,
  spans: ReadonlyMap<string, StoredSpan>,
): TraceSummary {
  const ordered = [...spans.values()].sort(byStart);
  const first = ordered[0];
  if (first === undefined) throw new RangeError(`trace ${traceId} has no spans`);
  const root = ordered.find((span) => span.parentSpanId === null);
  const missingParent = ordered.filter(
    (span) => span.parentSpanId !== null && !spans.has(span.parentSpanId),
  ).length;
  const shown = root ?? first;
  let endMs = first.endMs;
  let errorCount = 0;
  let lastReceivedMs = first.receivedMs;
  for (const span of ordered) {
    endMs = Math.max(endMs, span.endMs);
    lastReceivedMs = Math.max(lastReceivedMs, span.receivedMs);
    if (span.status.code === 'error') errorCount++;
  }
  return {
    traceId,
    rootSpanId: shown.spanId,
    rootName: shown.name,
    rootService: shown.service,
    hasRoot: root !== undefined,
    // Without a root, the span shown in its place is one of those with a missing parent.
    spansWithMissingParent: root ? missingParent : missingParent - 1,
    startMs: first.startMs,
    endMs,
    durationMs: Math.max(0, endMs - first.startMs),
    spanCount: ordered.length,
    services: [...new Set(ordered.map((span) => span.service))],
    errorCount,
    hasError: errorCount > 0,
    lastReceivedMs,
  };
}

/** A span's place in its trace's tree. */
export interface TreePlace {
  readonly span: StoredSpan;
  /** 0 for a tree root; children are one deeper than their parent. */
  readonly depth: number;
  /** Children in start order. */
  readonly children: readonly StoredSpan[];
}

/**
 * Orders a trace's spans depth first, each parent right before its children, siblings by
 * start time: the order of a tree or a waterfall. Spans whose parent is missing start trees
 * of their own, and so does the earliest span of each parent cycle, so no span is lost.
 *
 * @example
 * for (const { span, depth } of treeOrder(spansById).places) console.log(`${'  '.repeat(depth)}${span.name}`);
 */
export function treeOrder(spans: ReadonlyMap<string, StoredSpan>): {
  readonly places: readonly TreePlace[];
  readonly rootSpanIds: readonly string[];
} {
  const byStartTime = [...spans.values()].sort(byStart);
  const children = new Map<string, StoredSpan[]>();
  const roots: StoredSpan[] = [];
  for (const span of byStartTime) {
    const parent = span.parentSpanId;
    if (parent === null || !spans.has(parent)) roots.push(span);
    else pushTo(children, parent, span);
  }

  const places: TreePlace[] = [];
  const visited = new Set<string>();
  const rootSpanIds: string[] = [];
  const walk = (root: StoredSpan): void => {
    rootSpanIds.push(root.spanId);
    // An explicit stack: a hostile export can chain thousands of spans, too deep to recurse.
    const stack: { span: StoredSpan; depth: number }[] = [{ span: root, depth: 0 }];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const { span, depth } = next;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      const kids = children.get(span.spanId) ?? [];
      places.push({ span, depth, children: kids });
      for (const kid of [...kids].reverse()) stack.push({ span: kid, depth: depth + 1 });
    }
  };
  for (const root of roots) walk(root);
  // Spans whose parents form a cycle are reachable from no root; each cycle becomes a tree.
  for (const span of byStartTime) {
    if (!visited.has(span.spanId)) walk(span);
  }
  return { places, rootSpanIds };
}

/**
 * Builds a trace's tree and resolves its links both ways.
 *
 * @example
 * const detail = buildTraceDetail(traceId, lookup);
 * for (const span of detail?.spans ?? []) console.log(`${'  '.repeat(span.depth)}${span.name}`);
 */
export function buildTraceDetail(traceId: string, lookup: StoreLookup): TraceDetail | undefined {
  const spans = lookup.trace(traceId);
  const summary = lookup.summary(traceId);
  if (!spans || !summary) return undefined;
  const { places, rootSpanIds } = treeOrder(spans);
  const incoming = incomingLinks(traceId, spans, lookup);
  return {
    summary,
    rootSpanIds,
    spans: places.map((place) => placeSpan(place, spans, incoming.bySpan, lookup)),
    linkedFromMissingSpans: incoming.missing,
  };
}

function placeSpan(
  { span, depth, children }: TreePlace,
  spans: ReadonlyMap<string, StoredSpan>,
  linkedFrom: ReadonlyMap<string, IncomingLink[]>,
  lookup: StoreLookup,
): TraceSpan {
  const parent = span.parentSpanId === null ? undefined : spans.get(span.parentSpanId);
  return {
    ...span,
    depth,
    childSpanIds: children.map((kid) => kid.spanId),
    missingParent: span.parentSpanId !== null && parent === undefined,
    links: span.links.map((link) => resolveLink(link, lookup)),
    linkedFrom: linkedFrom.get(span.spanId) ?? [],
    hop: messageHop(span, parent),
  };
}

function resolveLink(link: StoredLink, lookup: StoreLookup): ResolvedLink {
  const trace = lookup.trace(link.traceId);
  const target = trace?.get(link.spanId);
  const root = trace ? lookup.summary(link.traceId) : undefined;
  return {
    ...link,
    traceInStore: trace !== undefined,
    spanInStore: target !== undefined,
    target: target ? { name: target.name, service: target.service, kind: target.kind } : null,
    targetTraceRoot: root ? { name: root.rootName, service: root.rootService } : null,
  };
}

function incomingLinks(
  traceId: string,
  spans: ReadonlyMap<string, StoredSpan>,
  lookup: StoreLookup,
): { bySpan: Map<string, IncomingLink[]>; missing: IncomingLink[] } {
  const bySpan = new Map<string, IncomingLink[]>();
  const missing: IncomingLink[] = [];
  for (const sourceTraceId of lookup.linkSources(traceId)) {
    if (sourceTraceId === traceId) continue;
    for (const source of lookup.trace(sourceTraceId)?.values() ?? []) {
      for (const link of source.links) {
        if (link.traceId !== traceId) continue;
        const incoming: IncomingLink = {
          traceId: source.traceId,
          spanId: source.spanId,
          name: source.name,
          service: source.service,
          kind: source.kind,
          toSpanId: link.spanId,
          attributes: link.attributes,
        };
        if (spans.has(link.spanId)) {
          pushTo(bySpan, link.spanId, incoming);
        } else {
          missing.push(incoming);
        }
      }
    }
  }
  return { bySpan, missing };
}
