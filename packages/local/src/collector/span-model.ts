// The collector's span: one record per span, ready for a terminal tree and a web waterfall
// alike. OTLP's nested resource/scope/span layout is flattened (each span points at its
// resource and scope), enums become names, attribute lists become plain JSON objects, and
// timestamps come both exact (nanosecond strings, as received) and as milliseconds for
// drawing. Everything is JSON-serialisable, so the API sends it as it is.

import type {
  OtlpAnyValue,
  OtlpExportTraceServiceRequest,
  OtlpKeyValue,
  OtlpSpan,
} from './otlp-types.js';

/** An attribute value as plain JSON (OTLP's typed AnyValue, flattened). */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Attributes by key; on a repeated key the last value wins, as in the OpenTelemetry SDKs. */
export type Attributes = Readonly<Record<string, JsonValue>>;

/** Span kinds by their OTLP number (trace.proto `SpanKind`). */
export const SpanKindName = {
  0: 'unspecified',
  1: 'internal',
  2: 'server',
  3: 'client',
  4: 'producer',
  5: 'consumer',
} as const;
export type SpanKindName = (typeof SpanKindName)[keyof typeof SpanKindName];

/** Status codes by their OTLP number (trace.proto `Status.StatusCode`). */
export const StatusCodeName = { 0: 'unset', 1: 'ok', 2: 'error' } as const;
export type StatusCodeName = (typeof StatusCodeName)[keyof typeof StatusCodeName];

/** The service name OpenTelemetry SDKs report when none is configured (resource semconv). */
export const UNKNOWN_SERVICE = 'unknown_service';

// Attribute values nested deeper than this are cut: no SDK writes such values, and a hostile
// body must not make the API's JSON.stringify (which recurses) run out of stack.
export const MAX_ATTRIBUTE_DEPTH = 32;
const CUT_VALUE = '[nested too deep]';

export interface StoredResource {
  readonly attributes: Attributes;
}

export interface StoredScope {
  readonly name: string;
  readonly version: string;
}

export interface StoredEvent {
  readonly name: string;
  readonly timeUnixNano: string;
  readonly timeMs: number;
  readonly attributes: Attributes;
}

export interface StoredLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: Attributes;
}

/** One span as the store keeps it. Ids are lowercase hex. */
export interface StoredSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** `null` for a root span. */
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly kind: SpanKindName;
  /** `service.name` of the span's resource, or {@link UNKNOWN_SERVICE}. */
  readonly service: string;
  /** Exact timestamps as received: Unix epoch nanoseconds, in decimal. */
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  /** Unix epoch milliseconds, with microseconds in the fraction. */
  readonly startMs: number;
  readonly endMs: number;
  /** Never negative, even when a clock-skewed span ends before it starts. */
  readonly durationMs: number;
  readonly status: { readonly code: StatusCodeName; readonly message: string };
  readonly attributes: Attributes;
  readonly events: readonly StoredEvent[];
  readonly links: readonly StoredLink[];
  /** Shared by every span of the same export's resource. */
  readonly resource: StoredResource;
  readonly scope: StoredScope;
  readonly traceState: string;
  /** W3C trace flags in the low byte (bit 0: sampled). */
  readonly flags: number;
  readonly dropped: {
    readonly attributes: number;
    readonly events: number;
    readonly links: number;
  };
  /** When the collector received the span, Unix epoch milliseconds. */
  readonly receivedMs: number;
}

/**
 * An attribute value as text: a string as it is, anything else as JSON. The viewer shows
 * values this way, and the store's attribute filter compares them this way.
 *
 * @example
 * attributeText(42); // "42"
 */
export function attributeText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Flattens an export request into stored spans, keeping each span's resource and scope.
 *
 * @example
 * const spans = toStoredSpans(decodeExportTraceServiceRequest(body), Date.now());
 * const services = new Set(spans.map((span) => span.service));
 */
export function toStoredSpans(
  request: OtlpExportTraceServiceRequest,
  receivedMs: number,
): StoredSpan[] {
  const spans: StoredSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = { attributes: attributes(resourceSpans.resource.attributes) };
    const serviceName = resource.attributes['service.name'];
    const service =
      typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE;
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scope = { name: scopeSpans.scope.name, version: scopeSpans.scope.version };
      for (const span of scopeSpans.spans) {
        spans.push(toStoredSpan(span, { resource, scope, service, receivedMs }));
      }
    }
  }
  return spans;
}

interface SpanOrigin {
  readonly resource: StoredResource;
  readonly scope: StoredScope;
  readonly service: string;
  readonly receivedMs: number;
}

function toStoredSpan(span: OtlpSpan, origin: SpanOrigin): StoredSpan {
  const startMs = nanosToMs(span.startTimeUnixNano);
  const endMs = nanosToMs(span.endTimeUnixNano);
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: isUnsetSpanId(span.parentSpanId) ? null : span.parentSpanId,
    name: span.name,
    kind: lookup(SpanKindName, span.kind, 'unspecified'),
    service: origin.service,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    startMs,
    endMs,
    durationMs: Math.max(0, nanosBetween(span.startTimeUnixNano, span.endTimeUnixNano) / 1e6),
    status: {
      code: lookup(StatusCodeName, span.status.code, 'unset'),
      message: span.status.message,
    },
    attributes: attributes(span.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: event.timeUnixNano,
      timeMs: nanosToMs(event.timeUnixNano),
      attributes: attributes(event.attributes),
    })),
    links: span.links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      traceState: link.traceState,
      attributes: attributes(link.attributes),
    })),
    resource: origin.resource,
    scope: origin.scope,
    traceState: span.traceState,
    flags: span.flags,
    dropped: {
      attributes: span.droppedAttributesCount,
      events: span.droppedEventsCount,
      links: span.droppedLinksCount,
    },
    receivedMs: origin.receivedMs,
  };
}

function lookup<T extends string>(
  names: Readonly<Record<number, T>>,
  code: number,
  fallback: T,
): T {
  return Object.hasOwn(names, code) ? (names[code] ?? fallback) : fallback;
}

// Some exporters write an all-zero parent id for a root span instead of leaving it empty.
function isUnsetSpanId(spanId: string): boolean {
  return /^0*$/.test(spanId);
}

// Nanoseconds since the epoch exceed 2^53, so the division happens in BigInt down to whole
// microseconds, which a double then holds exactly.
function nanosToMs(nanos: string): number {
  return Number(BigInt(nanos) / 1000n) / 1000;
}

function nanosBetween(start: string, end: string): number {
  return Number(BigInt(end) - BigInt(start));
}

/**
 * Turns an OTLP attribute list into a plain object. `Object.fromEntries` defines keys such
 * as `__proto__` as ordinary properties, so attribute keys never reach a prototype.
 */
function attributes(list: readonly OtlpKeyValue[], depth = 0): Attributes {
  return Object.fromEntries(list.map((pair) => [pair.key, jsonValue(pair.value, depth)]));
}

function jsonValue(value: OtlpAnyValue, depth: number): JsonValue {
  if (depth >= MAX_ATTRIBUTE_DEPTH) return CUT_VALUE;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    // Integers beyond 2^53 stay decimal strings: a number would silently change them.
    const asNumber = Number(value.intValue);
    return Number.isSafeInteger(asNumber) ? asNumber : value.intValue;
  }
  if ('doubleValue' in value) {
    // JSON has no NaN or Infinity; proto3 JSON writes them as these strings.
    return Number.isFinite(value.doubleValue) ? value.doubleValue : String(value.doubleValue);
  }
  if ('arrayValue' in value) return value.arrayValue.values.map((v) => jsonValue(v, depth + 1));
  if ('kvlistValue' in value) return attributes(value.kvlistValue.values, depth + 1);
  if ('bytesValue' in value) return value.bytesValue;
  return null;
}
