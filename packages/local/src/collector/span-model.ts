// The collector's span: one record per span, ready for a terminal tree and a web waterfall
// alike. OTLP's nested resource/scope/span layout is flattened (each span points at its
// resource and scope), enums become names, attribute lists become plain JSON objects, and
// timestamps come both exact (nanosecond strings, as received) and as milliseconds for
// drawing. Everything is JSON-serialisable, so the API sends it as it is.

import type {
  OtlpAnyValue,
  OtlpExportTraceServiceRequest,
  OtlpKeyValue,
  OtlpLink,
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

// What most spans carry, shared by every span that does rather than copied into each: a full
// store holds 100,000 spans, and every object fewer per span is less for the garbage collector
// to copy while the store fills.
const NO_ATTRIBUTES: Attributes = Object.freeze({});
const NO_EVENTS: readonly StoredEvent[] = Object.freeze([]);
const NO_LINKS: readonly StoredLink[] = Object.freeze([]);
const NOTHING_DROPPED: StoredSpan['dropped'] = Object.freeze({
  attributes: 0,
  events: 0,
  links: 0,
});
const UNSET_STATUS: StoredSpan['status'] = Object.freeze({ code: 'unset', message: '' });

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
  const sharedLinks = new Map<string, SharedLink>();
  for (const resourceSpans of request.resourceSpans) {
    const resource = { attributes: attributes(resourceSpans.resource.attributes) };
    const serviceName = resource.attributes['service.name'];
    const service =
      typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE;
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scope = { name: scopeSpans.scope.name, version: scopeSpans.scope.version };
      const origin = { resource, scope, service, receivedMs, sharedLinks };
      for (const span of scopeSpans.spans) spans.push(toStoredSpan(span, origin));
    }
  }
  return spans;
}

interface SpanOrigin {
  readonly resource: StoredResource;
  readonly scope: StoredScope;
  readonly service: string;
  readonly receivedMs: number;
  /** The export's plain links by span id; see {@link storedLinks}. */
  readonly sharedLinks: Map<string, SharedLink>;
}

interface SharedLink {
  readonly link: StoredLink;
  /** The list of spans whose only link this is. */
  readonly alone: readonly StoredLink[];
}

function toStoredSpan(span: OtlpSpan, origin: SpanOrigin): StoredSpan {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  // Each timestamp's digits are read once, for its milliseconds and for the duration.
  const startSeconds = wholeSeconds(start);
  const startWithin = nanosWithinSecond(start);
  const endSeconds = wholeSeconds(end);
  const endWithin = nanosWithinSecond(end);
  const startMs = msFromParts(start, startSeconds, startWithin);
  const endMs = msFromParts(end, endSeconds, endWithin);
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
    durationMs: Math.max(
      0,
      nanosBetween(start, end, endSeconds - startSeconds, endWithin - startWithin) / 1e6,
    ),
    status:
      span.status.code === 0 && span.status.message === ''
        ? UNSET_STATUS
        : {
            code: lookup(StatusCodeName, span.status.code, 'unset'),
            message: span.status.message,
          },
    attributes: attributes(span.attributes),
    events:
      span.events.length === 0
        ? NO_EVENTS
        : span.events.map((event) => ({
            name: event.name,
            timeUnixNano: event.timeUnixNano,
            timeMs: nanosToMs(event.timeUnixNano),
            attributes: attributes(event.attributes),
          })),
    links: storedLinks(span.links, origin.sharedLinks),
    resource: origin.resource,
    scope: origin.scope,
    traceState: span.traceState,
    flags: span.flags,
    dropped:
      span.droppedAttributesCount + span.droppedEventsCount + span.droppedLinksCount === 0
        ? NOTHING_DROPPED
        : {
            attributes: span.droppedAttributesCount,
            events: span.droppedEventsCount,
            links: span.droppedLinksCount,
          },
    receivedMs: origin.receivedMs,
  };
}

/**
 * A span's links. A link with no attributes and no trace state is made once per export and
 * shared by every span naming the same span (and so is the list holding only it): each
 * message span of a batch links to the one invocation span, and a full store holds 100,000
 * spans.
 */
function storedLinks(
  links: readonly OtlpLink[],
  shared: Map<string, SharedLink>,
): readonly StoredLink[] {
  if (links.length === 0) return NO_LINKS;
  if (links.length === 1) {
    const only = links[0] as OtlpLink;
    return sharedLink(only, shared)?.alone ?? [storedLink(only)];
  }
  return links.map((link) => sharedLink(link, shared)?.link ?? storedLink(link));
}

function sharedLink(link: OtlpLink, shared: Map<string, SharedLink>): SharedLink | undefined {
  if (link.attributes.length > 0 || link.traceState !== '') return undefined;
  const known = shared.get(link.spanId);
  if (known) return known.link.traceId === link.traceId ? known : undefined;
  const stored = storedLink(link);
  const made = { link: stored, alone: Object.freeze([stored]) };
  shared.set(link.spanId, made);
  return made;
}

function storedLink(link: OtlpLink): StoredLink {
  return {
    traceId: link.traceId,
    spanId: link.spanId,
    traceState: link.traceState,
    attributes: attributes(link.attributes),
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

// Nanoseconds since the epoch exceed 2^53, so a timestamp is read as whole seconds and the
// nanoseconds within them, each exact as a number, straight from its digits: a substring and
// a Number() per part cost more than the rest of a span's conversion on the ingest path. Text
// other than plain digits (a sign) takes the slower exact paths below.
function nanosToMs(nanos: string): number {
  return msFromParts(nanos, wholeSeconds(nanos), nanosWithinSecond(nanos));
}

/** `nanosToMs` from the parts `wholeSeconds` and `nanosWithinSecond` read from `nanos`. */
function msFromParts(nanos: string, seconds: number, within: number): number {
  // Whole microseconds stay below 2^53 up to here (the year 2255): the sum is exact.
  if (seconds < MAX_WHOLE_MICROS_SECONDS && within >= 0) {
    return (seconds * MICROS_PER_SECOND + Math.floor(within / NANOS_PER_MICRO)) / 1000;
  }
  // Cutting the last three digits of the decimal text is the division by 1,000.
  const micros = nanos.slice(0, -3);
  return micros === '' || micros === '-' ? 0 : Number(micros) / 1000;
}

const NANOS_PER_SECOND = 1e9;
const NANOS_PER_MICRO = 1_000;
const MICROS_PER_SECOND = 1e6;
const SECOND_DIGITS = 9;
// More digits of seconds than this could make a double round; such text takes the exact paths.
const MAX_SECONDS_DIGITS = 15;
const MAX_WHOLE_MICROS_SECONDS = 9_000_000_000;
// Up to this many seconds apart, a difference in nanoseconds stays below 2^53.
const MAX_EXACT_SECONDS_APART = 9_000_000;

// Exact: whole seconds and the nanoseconds within them are each exact as numbers, and so is
// their difference below 2^53; past that, or for a negative timestamp, BigInt does it. The
// differences of the parts come from the caller, which has read them already.
function nanosBetween(
  start: string,
  end: string,
  secondsApart: number,
  nanosApart: number,
): number {
  if (Math.abs(secondsApart) < MAX_EXACT_SECONDS_APART && !Number.isNaN(nanosApart)) {
    return secondsApart * NANOS_PER_SECOND + nanosApart;
  }
  return Number(BigInt(end) - BigInt(start));
}

/** The digits before the last nine as a number; NaN for anything but plain digits. */
function wholeSeconds(nanos: string): number {
  const digits = nanos.length - SECOND_DIGITS;
  return digits > MAX_SECONDS_DIGITS ? NaN : digitsValue(nanos, 0, digits);
}

/** The last nine digits (or all, when fewer) as a number; NaN for anything but plain digits. */
function nanosWithinSecond(nanos: string): number {
  return digitsValue(nanos, Math.max(0, nanos.length - SECOND_DIGITS), nanos.length);
}

/** `text`'s characters from `from` to `to` read as decimal digits; NaN for any other. */
function digitsValue(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - DIGIT_ZERO;
    if (!(digit >= 0 && digit <= 9)) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

const DIGIT_ZERO = 0x30;

/**
 * Turns an OTLP attribute list into a plain object. `__proto__` is defined as an ordinary
 * property, as `Object.fromEntries` would, so attribute keys never reach a prototype; a plain
 * loop allocates far less than `fromEntries` over mapped pairs, once per attribute of every span.
 */
function attributes(list: readonly OtlpKeyValue[], depth = 0): Attributes {
  if (list.length === 0) return NO_ATTRIBUTES;
  const result: Record<string, JsonValue> = {};
  for (const { key, value } of list) {
    const converted = jsonValue(value, depth);
    if (key === '__proto__') {
      Object.defineProperty(result, key, {
        value: converted,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      result[key] = converted;
    }
  }
  return result;
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
