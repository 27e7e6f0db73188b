// The collector's trace store: spans by trace id, in memory, bounded. When a limit is
// reached, the trace that has gone longest without a new span is evicted whole, so traces
// still receiving spans (a message waiting in a queue) outlive finished ones.

import type { OtlpExportTraceServiceRequest } from './otlp-types.js';
import {
  type Attributes,
  attributeText,
  type JsonValue,
  type StoredSpan,
  toStoredSpans,
} from './span-model.js';
import {
  buildTraceDetail,
  type StoreLookup,
  summarizeTrace,
  type TraceDetail,
  type TraceSummary,
} from './trace-view.js';

// A consumer span with seven attributes and a link measured about 1.0 KB of heap
// (SPAN_OVERHEAD_BYTES below), so the limit is some 100 MB: room for the demo many times over and for the 20,000-message load
// run of the reliability suite, while a runaway client cannot exhaust a laptop.
export const DEFAULT_MAX_SPANS = 100_000;
// The span limit bounds memory only while spans are of a usual size: one export may carry a
// span with 16 MiB of attributes. This bounds the estimate of what the stored spans take
// (spanHeapBytes), whatever their size: 256 MiB is about 250,000 usual spans, so for those the
// span limit is the one reached first.
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
// The heap a stored span takes besides the characters of its strings: a consumer span with
// seven attributes and a link measured 1,029 bytes, about 300 of them characters.
const SPAN_OVERHEAD_BYTES = 700;
// JavaScript strings take one or two bytes a character; the estimate takes two.
const BYTES_PER_CHARACTER = 2;
// A number, boolean or null in an attribute value, or one element's slot in an array.
const BYTES_PER_VALUE = 8;
// The demo makes about one trace per message plus one per invocation; 20,000 keeps
// thousands of runs' worth while bounding the per-trace bookkeeping.
export const DEFAULT_MAX_TRACES = 20_000;
/** Trace list page size when the caller does not ask for one. */
export const DEFAULT_LIST_LIMIT = 100;

// W3C Trace Context: 16-byte trace ids and 8-byte span ids, in lowercase hex, not all zero.
const TRACE_ID_DIGITS = 32;
const SPAN_ID_DIGITS = 16;

export interface TraceStoreOptions {
  /** Spans held at most; default {@link DEFAULT_MAX_SPANS}. */
  readonly maxSpans?: number;
  /** Traces held at most; default {@link DEFAULT_MAX_TRACES}. */
  readonly maxTraces?: number;
  /** Estimated heap bytes of the stored spans at most; default {@link DEFAULT_MAX_BYTES}. */
  readonly maxBytes?: number;
}

export interface TraceStoreStats {
  readonly exportsReceived: number;
  /** Every span of every export, including rejected and duplicate ones. */
  readonly spansReceived: number;
  /** Spans dropped on arrival because their trace or span id is not valid hex. */
  readonly spansRejected: number;
  /** Spans received again with a trace and span id already held; the later copy is kept. */
  readonly spansDuplicated: number;
  readonly spansStored: number;
  readonly tracesStored: number;
  readonly tracesEvicted: number;
  readonly spansEvicted: number;
  readonly maxSpans: number;
  readonly maxTraces: number;
  /** Estimated heap bytes of the stored spans (their strings, and a fixed part per span). */
  readonly bytesStored: number;
  readonly maxBytes: number;
}

/** What `add` did with one export. */
export interface AddResult {
  readonly accepted: number;
  readonly rejected: number;
  /** Why spans were rejected, for the OTLP partial-success answer; empty when none were. */
  readonly rejectedReason: string;
}

/** Passed to subscribers after every export that carried spans. */
export interface SpansAdded {
  readonly spans: readonly StoredSpan[];
  readonly traceIds: readonly string[];
}

/**
 * A span attribute to look for, compared by its text: a string as it is, any other value as
 * JSON (`42`, `true`), the way the viewer shows it.
 * `{ key, equals }`: the attribute `key` has exactly this text.
 * `{ contains }`: some attribute's text contains this, ignoring case.
 */
export type AttributeFilter =
  { readonly key: string; readonly equals: string } | { readonly contains: string };

export interface TraceFilter {
  /** Traces with a span of this service (exact `service.name`). */
  readonly service?: string;
  /** Traces with a span whose name contains this, ignoring case. */
  readonly name?: string;
  /** Traces with a span whose own attributes (not its resource's or events') match this. */
  readonly attribute?: AttributeFilter;
  /** Traces whose id starts with this lowercase hex. */
  readonly traceIdPrefix?: string;
  /** At most this many summaries; default {@link DEFAULT_LIST_LIMIT}. */
  readonly limit?: number;
}

export interface TraceList {
  /** Newest first (by start time). */
  readonly traces: readonly TraceSummary[];
  /** How many traces matched before the limit. */
  readonly matched: number;
}

export interface TraceStore {
  add(request: OtlpExportTraceServiceRequest, receivedMs?: number): AddResult;
  listTraces(filter?: TraceFilter): TraceList;
  getTrace(traceId: string): TraceDetail | undefined;
  /** One trace's spans by span id, as stored: no tree, no link resolution. */
  getSpans(traceId: string): ReadonlyMap<string, StoredSpan> | undefined;
  stats(): TraceStoreStats;
  /** Calls `listener` after each export that added spans; returns the unsubscribe function. */
  subscribe(listener: (added: SpansAdded) => void): () => void;
  /** Resolves once `condition()` holds, checked now and after every export. */
  waitFor(condition: () => boolean, options?: { readonly signal?: AbortSignal }): Promise<void>;
}

interface TraceEntry {
  readonly traceId: string;
  readonly spans: Map<string, StoredSpan>;
  /** The index of its live item in the eviction queue: the one appended when it last got a span. */
  queued: number;
  /**
   * Traces that only earlier copies of spans received again linked to. They stay indexed in
   * `linkSources` until eviction, which finds every other link target in `spans`.
   */
  formerLinkTargets: Set<string> | undefined;
  summary: TraceSummary | undefined;
  /** The estimated heap bytes of its spans. */
  bytes: number;
}

// The eviction queue is compacted once it is this much longer than twice the number of
// traces (each holds one live item): often enough to stay small, rarely enough that the
// compaction costs next to nothing per span.
const EVICTION_QUEUE_SLACK = 1_024;

/**
 * Creates an empty, bounded trace store.
 *
 * @throws {RangeError} when a limit is not a positive integer.
 * @example
 * const store = createTraceStore({ maxSpans: 10_000 });
 * store.add(decodeExportTraceServiceRequest(body));
 * const [latest] = store.listTraces({ limit: 1 }).traces;
 */
export function createTraceStore(options: TraceStoreOptions = {}): TraceStore {
  const {
    maxSpans = DEFAULT_MAX_SPANS,
    maxTraces = DEFAULT_MAX_TRACES,
    maxBytes = DEFAULT_MAX_BYTES,
  } = options;
  requirePositiveInteger('maxSpans', maxSpans);
  requirePositiveInteger('maxTraces', maxTraces);
  requirePositiveInteger('maxBytes', maxBytes);

  const traces = new Map<string, TraceEntry>();
  // The eviction order, oldest first: a trace is appended each time it gets a span, and only
  // its last item (the one at index `queued`) counts; earlier ones are skipped when reached.
  // Moving the trace to the end of `traces` instead took a Map delete and set per span, and
  // finding the oldest meant stepping over every hole they left. A slot is emptied as eviction
  // passes it, so the queue never holds on to an evicted trace.
  const evictionQueue: (TraceEntry | undefined)[] = [];
  let evictionHead = 0;
  // Every trace, newest first (by its summary's start time): sorted by the first list after a
  // change, so a viewer polling an idle store does not sort it again on every refresh.
  let newestFirst: readonly TraceEntry[] | undefined;
  // For each trace, the traces holding spans that link into it: one id as it is, several in a
  // Set, since a message span's trace is usually linked from one invocation only.
  const linkSources = new Map<string, string | Set<string>>();
  const listeners = new Set<(added: SpansAdded) => void>();
  let spansStored = 0;
  let bytesStored = 0;
  const counts = {
    exportsReceived: 0,
    spansReceived: 0,
    spansRejected: 0,
    spansDuplicated: 0,
    tracesEvicted: 0,
    spansEvicted: 0,
  };

  const lookup: StoreLookup = {
    trace: (traceId) => traces.get(traceId)?.spans,
    summary: (traceId) => {
      const entry = traces.get(traceId);
      return entry && summaryOf(entry);
    },
    linkSources: (traceId) => {
      const sources = linkSources.get(traceId);
      if (sources === undefined) return [];
      return typeof sources === 'string' ? [sources] : sources;
    },
  };

  function addLinkSource(target: string, source: string): void {
    const sources = linkSources.get(target);
    if (sources === undefined) linkSources.set(target, source);
    else if (typeof sources !== 'string') sources.add(source);
    else if (sources !== source) linkSources.set(target, new Set([sources, source]));
  }

  function removeLinkSource(target: string, source: string): void {
    const sources = linkSources.get(target);
    if (sources === source) {
      linkSources.delete(target);
    } else if (typeof sources === 'object') {
      sources.delete(source);
      if (sources.size === 0) linkSources.delete(target);
    }
  }

  function touch(entry: TraceEntry): void {
    entry.queued = evictionQueue.length;
    evictionQueue.push(entry);
    if (evictionQueue.length > 2 * traces.size + EVICTION_QUEUE_SLACK) compactEvictionQueue();
  }

  function compactEvictionQueue(): void {
    let kept = 0;
    for (let i = evictionHead; i < evictionQueue.length; i++) {
      const entry = evictionQueue[i];
      if (entry === undefined || entry.queued !== i) continue;
      evictionQueue[kept] = entry;
      entry.queued = kept;
      kept++;
    }
    evictionQueue.length = kept;
    evictionHead = 0;
  }

  function store(span: StoredSpan): void {
    let entry = traces.get(span.traceId);
    let replaced: StoredSpan | undefined;
    if (entry) {
      replaced = entry.spans.get(span.spanId);
    } else {
      entry = {
        traceId: span.traceId,
        spans: new Map(),
        queued: 0,
        formerLinkTargets: undefined,
        summary: undefined,
        bytes: 0,
      };
      traces.set(span.traceId, entry);
    }
    touch(entry);
    const bytes = spanHeapBytes(span) - (replaced ? spanHeapBytes(replaced) : 0);
    entry.bytes += bytes;
    bytesStored += bytes;
    if (replaced) {
      counts.spansDuplicated++;
      rememberFormerLinkTargets(entry, replaced, span);
    } else {
      spansStored++;
    }
    entry.spans.set(span.spanId, span);
    entry.summary = undefined;
    newestFirst = undefined;
    for (const link of span.links) {
      if (link.traceId !== span.traceId) addLinkSource(link.traceId, span.traceId);
    }
  }

  function evictOldest(): void {
    while (evictionHead < evictionQueue.length) {
      const at = evictionHead++;
      const entry = evictionQueue[at];
      evictionQueue[at] = undefined;
      if (entry !== undefined && entry.queued === at) {
        evict(entry);
        return;
      }
    }
  }

  function evict(entry: TraceEntry): void {
    const { traceId } = entry;
    traces.delete(traceId);
    newestFirst = undefined;
    spansStored -= entry.spans.size;
    bytesStored -= entry.bytes;
    counts.tracesEvicted++;
    counts.spansEvicted += entry.spans.size;
    // Removing a source twice (several spans linking to one trace) is harmless.
    for (const span of entry.spans.values()) {
      for (const link of span.links) {
        if (link.traceId !== traceId) removeLinkSource(link.traceId, traceId);
      }
    }
    for (const target of entry.formerLinkTargets ?? []) removeLinkSource(target, traceId);
  }

  function notify(added: SpansAdded): void {
    for (const listener of [...listeners]) {
      try {
        listener(added);
      } catch (error) {
        // A broken progress display must not lose spans or fail the export that fed it.
        const reason = error instanceof Error ? error.message : String(error);
        process.emitWarning(`a trace store subscriber threw: ${reason}`, 'TraceStoreWarning');
      }
    }
  }

  function subscribe(listener: (added: SpansAdded) => void): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe each time separately.
    const entry = (added: SpansAdded): void => {
      listener(added);
    };
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  return {
    add(request, receivedMs = Date.now()) {
      counts.exportsReceived++;
      const spans = toStoredSpans(request, receivedMs);
      counts.spansReceived += spans.length;
      const valid = spans.filter(
        (span) => isHexId(span.traceId, TRACE_ID_DIGITS) && isHexId(span.spanId, SPAN_ID_DIGITS),
      );
      const rejected = spans.length - valid.length;
      counts.spansRejected += rejected;
      for (const span of valid) store(span);
      // A trace larger than maxBytes on its own is evicted too: the store then holds nothing.
      while (spansStored > maxSpans || traces.size > maxTraces || bytesStored > maxBytes) {
        evictOldest();
      }
      // The trace ids are gathered only for someone to tell: most exports have no subscriber.
      if (valid.length > 0 && listeners.size > 0) {
        notify({ spans: valid, traceIds: [...new Set(valid.map((span) => span.traceId))] });
      }
      return {
        accepted: valid.length,
        rejected,
        rejectedReason:
          rejected === 0
            ? ''
            : `${rejected} span(s) without a valid trace id (32 hex digits) or span id (16 hex digits), not all zero`,
      };
    },

    listTraces(filter = {}) {
      const { service, name, traceIdPrefix, attribute, limit = DEFAULT_LIST_LIMIT } = filter;
      const spanTests: ((span: StoredSpan) => boolean)[] = [];
      if (name !== undefined) {
        const needle = name.toLowerCase();
        spanTests.push((span) => span.name.toLowerCase().includes(needle));
      }
      if (attribute !== undefined) spanTests.push(attributeMatcher(attribute));
      newestFirst ??= [...traces.values()].sort((entryA, entryB) => {
        const [a, b] = [summaryOf(entryA), summaryOf(entryB)];
        return b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : 1);
      });
      const page: TraceSummary[] = [];
      let matched = 0;
      for (const entry of newestFirst) {
        const summary = summaryOf(entry);
        if (traceIdPrefix !== undefined && !entry.traceId.startsWith(traceIdPrefix)) continue;
        if (service !== undefined && !summary.services.includes(service)) continue;
        // Each test must hold for some span (not necessarily the same one).
        if (!spanTests.every((test) => someSpan(entry.spans, test))) continue;
        matched++;
        if (page.length < limit) page.push(summary);
      }
      return { traces: page, matched };
    },

    getTrace: (traceId) => buildTraceDetail(traceId, lookup),

    getSpans: (traceId) => traces.get(traceId)?.spans,

    stats: () => ({
      ...counts,
      spansStored,
      tracesStored: traces.size,
      maxSpans,
      maxTraces,
      bytesStored,
      maxBytes,
    }),

    subscribe,

    waitFor(condition, { signal } = {}) {
      return new Promise<void>((resolve, reject) => {
        const finish = (error?: Error): void => {
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          let met: boolean;
          try {
            met = condition();
          } catch (error) {
            finish(asError(error, 'the waitFor condition threw'));
            return;
          }
          if (met) finish();
        };
        const onAbort = (): void => {
          finish(asError(signal?.reason, 'waitFor was aborted'));
        };
        const unsubscribe = subscribe(check);
        if (signal?.aborted === true) {
          onAbort();
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        check();
      });
    },
  };
}

/**
 * An estimate of the heap a stored span takes: a fixed part, and two bytes for each character
 * of its strings (name, status, trace state, attribute keys and values, events and links).
 * The resource and scope are shared by the spans of an export and left out.
 */
function spanHeapBytes(span: StoredSpan): number {
  let bytes =
    SPAN_OVERHEAD_BYTES +
    BYTES_PER_CHARACTER * (span.name.length + span.status.message.length + span.traceState.length) +
    valueBytes(span.attributes);
  for (const event of span.events) {
    bytes += BYTES_PER_CHARACTER * event.name.length + valueBytes(event.attributes);
  }
  for (const link of span.links) {
    bytes += BYTES_PER_CHARACTER * link.traceState.length + valueBytes(link.attributes);
  }
  return bytes;
}

/**
 * The estimated heap of an attribute value: its strings' characters, and a slot for every item,
 * member and scalar. Recursion is safe: span-model cuts every value at MAX_ATTRIBUTE_DEPTH levels.
 */
function valueBytes(value: JsonValue): number {
  if (typeof value === 'string') return BYTES_PER_CHARACTER * value.length;
  let bytes = 0;
  if (Array.isArray(value)) {
    for (const item of value as readonly JsonValue[]) bytes += BYTES_PER_VALUE + valueBytes(item);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Attributes;
    for (const key of Object.keys(record)) {
      bytes +=
        BYTES_PER_VALUE + BYTES_PER_CHARACTER * key.length + valueBytes(record[key] as JsonValue);
    }
  } else {
    bytes = BYTES_PER_VALUE;
  }
  return bytes;
}

function asError(value: unknown, fallback: string): Error {
  return value instanceof Error ? value : new Error(fallback, { cause: value });
}

function summaryOf(entry: TraceEntry): TraceSummary {
  entry.summary ??= summarizeTrace(entry.traceId, entry.spans);
  return entry.summary;
}

function someSpan(
  spans: ReadonlyMap<string, StoredSpan>,
  predicate: (span: StoredSpan) => boolean,
): boolean {
  for (const span of spans.values()) if (predicate(span)) return true;
  return false;
}

function attributeMatcher(filter: AttributeFilter): (span: StoredSpan) => boolean {
  if ('key' in filter) {
    const { key, equals } = filter;
    // Own keys only: attributes are plain objects, and `constructor` must not match.
    return (span) => {
      const value = Object.hasOwn(span.attributes, key) ? span.attributes[key] : undefined;
      return value !== undefined && attributeText(value) === equals;
    };
  }
  const needle = filter.contains.toLowerCase();
  return (span) =>
    Object.values(span.attributes).some((value) =>
      attributeText(value).toLowerCase().includes(needle),
    );
}

// Whether `id` is `digits` lowercase hex digits, not all zero: a loop over the characters,
// which cost a fraction of a regular expression's test on every span of every export.
function isHexId(id: string, digits: number): boolean {
  if (id.length !== digits) return false;
  let allZero = true;
  for (let i = 0; i < digits; i++) {
    const code = id.charCodeAt(i);
    if (code === DIGIT_ZERO) continue;
    const isDigit = code > DIGIT_ZERO && code <= DIGIT_NINE;
    if (!isDigit && !(code >= LOWER_A && code <= LOWER_F)) return false;
    allZero = false;
  }
  return !allZero;
}

const DIGIT_ZERO = 0x30;
const DIGIT_NINE = 0x39;
const LOWER_A = 0x61;
const LOWER_F = 0x66;

function requirePositiveInteger(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`the trace store's ${option} must be a positive integer, not ${value}`);
  }
}

// A span received again replaces its earlier copy; the traces only the earlier copy linked
// to stay indexed as link targets until the trace is evicted, as they were before, so
// eviction still finds them although no span held links to them any more.
function rememberFormerLinkTargets(
  entry: TraceEntry,
  replaced: StoredSpan,
  replacement: StoredSpan,
): void {
  for (const link of replaced.links) {
    if (link.traceId === entry.traceId) continue;
    if (replacement.links.some((kept) => kept.traceId === link.traceId)) continue;
    entry.formerLinkTargets ??= new Set();
    entry.formerLinkTargets.add(link.traceId);
  }
}
