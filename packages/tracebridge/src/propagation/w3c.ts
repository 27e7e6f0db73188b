import {
  type Baggage,
  type BaggageEntry,
  baggageEntryMetadataFromString,
  type Context,
  createContextKey,
  createTraceState,
  isSpanContextValid,
  propagation,
  type SpanContext,
  TraceFlags,
  type TraceState,
  trace,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { BAGGAGE, TRACEPARENT, TRACESTATE } from './names.js';

/**
 * The key the OpenTelemetry SDK sets to suppress tracing (for an exporter's own requests).
 * Context keys are `Symbol.for` symbols, so this is the same key `@opentelemetry/core` uses.
 */
export const SUPPRESS_TRACING_KEY = createContextKey(
  'OpenTelemetry SDK Context Key SUPPRESS_TRACING',
);

/** W3C Trace Context: version 00 `traceparent` is exactly 55 characters. */
const TRACEPARENT_V00_LENGTH = 55;
/** Longest `traceparent` considered; future versions may append fields (W3C Trace Context §3.2.4). */
const MAX_TRACEPARENT_LENGTH = 512;
/** W3C Trace Context §3.3.1.5: `tracestate` may be dropped beyond 512 characters. */
const MAX_TRACESTATE_LENGTH = 512;
/** W3C Baggage §3.3.1: a baggage header holds at most 8,192 bytes. */
const MAX_BAGGAGE_LENGTH = 8192;
/** W3C Baggage §3.3.1: at least 64 list members must be propagated; more are dropped. */
const MAX_BAGGAGE_MEMBERS = 64;

// Field offsets of `version-traceid-parentid-flags` (W3C Trace Context §3.2).
const TRACE_ID_START = 3;
const SPAN_ID_START = 36;
const FLAGS_START = 53;
const DASH = 0x2d;
/** A line terminator ends a header: what a future version appends may not hold one. */
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

function firstValue(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * The value of each lowercase hex digit by character code, -1 for every other code below 256. A
 * table, not range comparisons: random ids mix digits and letters, and branching on which one
 * comes next made the check about 2.5 times slower (measured on Node 20).
 */
const HEX_DIGIT_VALUES = /* @__PURE__ */ (() => {
  const values = new Int8Array(256).fill(-1);
  for (let value = 0; value < 16; value++) values[value.toString(16).charCodeAt(0)] = value;
  return values;
})();

/** The value of a lowercase hex digit, or -1. */
function hexDigit(code: number): number {
  return code < HEX_DIGIT_VALUES.length ? (HEX_DIGIT_VALUES[code] ?? -1) : -1;
}

/** True when `text[start, end)` is lowercase hex and not all zeros (an invalid id). */
function isNonZeroHex(text: string, start: number, end: number): boolean {
  let bits = 0;
  for (let index = start; index < end; index++) {
    const digit = hexDigit(text.charCodeAt(index));
    if (digit < 0) return false;
    bits |= digit;
  }
  return bits !== 0;
}

/**
 * A span context that a parser read from a trace header and found valid: {@link parseTraceparent}
 * for `traceparent`, and the X-Ray and Datadog header parsers. A class, so that the tracer and the
 * extraction can tell it from any other span context by its type and skip checking both ids
 * again: the API's check runs two regular expressions per message, and more than a microsecond
 * in a new process whose code is not optimised yet (measured on Node 20). Its ids are read-only;
 * a span context built any other way is checked as before, and so is one of these that a parser
 * has not returned yet.
 *
 * @example
 * parseTraceparent(header) instanceof ParsedSpanContext; // true for every valid header
 */
export class ParsedSpanContext implements SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote = true;
  declare traceState?: TraceState;

  constructor(traceId: string, spanId: string, traceFlags: number) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = traceFlags;
  }
}

/**
 * The last span context found valid. A message's span and the parent-based sampler check the same
 * parent one after the other; this spares the second check.
 */
let lastValidSpanContext: SpanContext | undefined;

/**
 * `isSpanContextValid`, taking a {@link ParsedSpanContext} as valid without checking its ids
 * again, and remembering the last other context it accepted.
 *
 * @example
 * isValidSpanContext(trace.getSpanContext(context.active()) ?? INVALID_SPAN_CONTEXT);
 */
export function isValidSpanContext(spanContext: SpanContext): boolean {
  if (spanContext === lastValidSpanContext || spanContext instanceof ParsedSpanContext) return true;
  if (!isSpanContextValid(spanContext)) return false;
  lastValidSpanContext = spanContext;
  return true;
}

/**
 * Parses a `traceparent` header as W3C Trace Context specifies; `undefined` when invalid. Read
 * character by character: every consumed message goes through here, and a capturing regular
 * expression plus the API's validity check (two more) cost several times as much.
 */
export function parseTraceparent(header: string): ParsedSpanContext | undefined {
  if (header.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const text = header.trim();
  const { length } = text;
  if (
    length < TRACEPARENT_V00_LENGTH ||
    text.charCodeAt(TRACE_ID_START - 1) !== DASH ||
    text.charCodeAt(SPAN_ID_START - 1) !== DASH ||
    text.charCodeAt(FLAGS_START - 1) !== DASH
  ) {
    return undefined;
  }
  const versionHigh = hexDigit(text.charCodeAt(0));
  const versionLow = hexDigit(text.charCodeAt(1));
  const flagsHigh = hexDigit(text.charCodeAt(FLAGS_START));
  const flagsLow = hexDigit(text.charCodeAt(FLAGS_START + 1));
  if (versionHigh < 0 || versionLow < 0 || flagsHigh < 0 || flagsLow < 0) return undefined;
  const version = versionHigh * 16 + versionLow;
  if (version === 0xff) return undefined;
  if (length > TRACEPARENT_V00_LENGTH) {
    // Version 00 has exactly four fields; a later version may append `-` and more.
    if (version === 0 || text.charCodeAt(TRACEPARENT_V00_LENGTH) !== DASH) return undefined;
    if (LINE_TERMINATOR.test(text.slice(TRACEPARENT_V00_LENGTH))) return undefined;
  }
  if (
    !isNonZeroHex(text, TRACE_ID_START, SPAN_ID_START - 1) ||
    !isNonZeroHex(text, SPAN_ID_START, FLAGS_START - 1)
  ) {
    return undefined;
  }
  return new ParsedSpanContext(
    text.slice(TRACE_ID_START, SPAN_ID_START - 1),
    text.slice(SPAN_ID_START, FLAGS_START - 1),
    (flagsHigh * 16 + flagsLow) & TraceFlags.SAMPLED,
  );
}

function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.trim());
  } catch {
    return undefined;
  }
}

/** Parses a W3C `baggage` header, skipping members that are malformed, within the W3C limits. */
function parseBaggage(header: string): Baggage | undefined {
  if (header.length > MAX_BAGGAGE_LENGTH) return undefined;
  const entries: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const member of header.split(',')) {
    if (count >= MAX_BAGGAGE_MEMBERS) break;
    const [pair = '', ...properties] = member.split(';');
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const key = decodeComponent(pair.slice(0, separator));
    const value = decodeComponent(pair.slice(separator + 1));
    if (!key || value === undefined) continue;
    const entry: BaggageEntry =
      properties.length > 0
        ? { value, metadata: baggageEntryMetadataFromString(properties.join(';')) }
        : { value };
    Object.defineProperty(entries, key, { value: entry, enumerable: true, configurable: true });
    count++;
  }
  return count > 0 ? propagation.createBaggage(entries) : undefined;
}

function formatBaggage(baggage: Baggage): string {
  const members: string[] = [];
  let length = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    const metadata = entry.metadata?.toString();
    const member = `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}${metadata ? `;${metadata}` : ''}`;
    if (members.length >= MAX_BAGGAGE_MEMBERS) break;
    if (length + member.length + (members.length > 0 ? 1 : 0) > MAX_BAGGAGE_LENGTH) continue;
    length += member.length + (members.length > 0 ? 1 : 0);
    members.push(member);
  }
  return members.join(',');
}

/**
 * W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage (`baggage`) in one
 * propagator, on `@opentelemetry/api` alone. `@opentelemetry/core` has the same propagators, but
 * it ships no `exports` map, so esbuild with Node defaults bundles its CommonJS build and the
 * whole semantic-conventions package with it (135 KB minified, measured): too much for a Lambda
 * cold start.
 *
 * @example
 * ```ts
 * import { propagation } from '@opentelemetry/api';
 * import { W3CPropagator } from 'tracebridge';
 *
 * propagation.setGlobalPropagator(new W3CPropagator());
 * ```
 */
export class W3CPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (context.getValue(SUPPRESS_TRACING_KEY) === true) return;
    const spanContext = trace.getSpanContext(context);
    if (spanContext && isValidSpanContext(spanContext)) {
      setter.set(carrier, TRACEPARENT, formatTraceparent(spanContext));
      const traceState = spanContext.traceState?.serialize();
      if (traceState) setter.set(carrier, TRACESTATE, traceState);
    }
    const baggage = propagation.getBaggage(context);
    if (baggage && baggage.getAllEntries().length > 0) {
      const header = formatBaggage(baggage);
      if (header) setter.set(carrier, BAGGAGE, header);
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    const traceparent = firstValue(getter.get(carrier, TRACEPARENT));
    const spanContext = traceparent === undefined ? undefined : parseTraceparent(traceparent);
    if (spanContext) {
      const traceState = firstValue(getter.get(carrier, TRACESTATE));
      if (traceState !== undefined && traceState.length <= MAX_TRACESTATE_LENGTH) {
        spanContext.traceState = createTraceState(traceState);
      }
      result = trace.setSpanContext(result, spanContext);
    }
    const baggageHeader = firstValue(getter.get(carrier, BAGGAGE));
    const baggage = baggageHeader === undefined ? undefined : parseBaggage(baggageHeader);
    return baggage ? propagation.setBaggage(result, baggage) : result;
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE, BAGGAGE];
  }
}
