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
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

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

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function firstValue(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
}

/** Parses a `traceparent` header as W3C Trace Context specifies; `undefined` when invalid. */
export function parseTraceparent(header: string): SpanContext | undefined {
  if (header.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const match = TRACEPARENT_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId = '', spanId = '', flags = '00', rest] = match;
  if (version === 'ff') return undefined;
  if (version === '00' && (rest !== undefined || header.trim().length !== TRACEPARENT_V00_LENGTH)) {
    return undefined;
  }
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
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
    if (spanContext && isSpanContextValid(spanContext)) {
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
