import {
  type Context,
  isSpanContextValid,
  type SpanContext,
  TraceFlags,
  trace,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { X_AMZN_TRACE_ID_HEADER } from './names.js';
import { isValidSpanContext, ParsedSpanContext } from './w3c.js';

/** X-Ray trace header version: the `1` in `Root=1-…`. */
const XRAY_ROOT_VERSION = '1';
/** An X-Ray header is a handful of short fields; anything longer is not one. */
const MAX_XRAY_HEADER_LENGTH = 1024;

const ROOT_PATTERN = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const PARENT_PATTERN = /^[0-9a-f]{16}$/;

/**
 * Formats a span context as an X-Ray trace header
 * (`Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx;Parent=xxxxxxxxxxxxxxxx;Sampled=1`).
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { formatXRayHeader } from 'tracebridge';
 *
 * const header = formatXRayHeader(trace.getActiveSpan()!.spanContext());
 * ```
 */
export function formatXRayHeader(spanContext: SpanContext): string {
  const { traceId, spanId } = spanContext;
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? '1' : '0';
  return `Root=${XRAY_ROOT_VERSION}-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=${sampled}`;
}

/**
 * Parses an X-Ray trace header into a remote span context. Returns `undefined` for anything
 * that is not a complete header with both `Root` and `Parent` (a header without `Parent`
 * names a trace but no span to continue). `Sampled=?` and a missing flag read as not sampled.
 *
 * @example
 * ```ts
 * import { parseXRayHeader } from 'tracebridge';
 *
 * const spanContext = parseXRayHeader(record.attributes.AWSTraceHeader ?? '');
 * ```
 */
export function parseXRayHeader(header: string): SpanContext | undefined {
  if (header.length > MAX_XRAY_HEADER_LENGTH) return undefined;
  let root: RegExpExecArray | null = null;
  let parent: string | undefined;
  let sampled = false;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim().toLowerCase();
    const value = part
      .slice(separator + 1)
      .trim()
      .toLowerCase();
    if (key === 'root') root = ROOT_PATTERN.exec(value);
    else if (key === 'parent' && PARENT_PATTERN.test(value)) parent = value;
    else if (key === 'sampled') sampled = value === '1';
  }
  if (!root || !parent) return undefined;
  const spanContext = new ParsedSpanContext(
    `${root[1] ?? ''}${root[2] ?? ''}`,
    parent,
    sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  );
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * A `TextMapPropagator` for the `X-Amzn-Trace-Id` field, so X-Ray headers go through the same
 * getter/setter machinery as W3C ones (for example with `OTEL_PROPAGATORS=xray`).
 *
 * @example
 * ```ts
 * import { propagation } from '@opentelemetry/api';
 * import { XRayPropagator } from 'tracebridge';
 *
 * propagation.setGlobalPropagator(new XRayPropagator());
 * ```
 */
export class XRayPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isValidSpanContext(spanContext)) return;
    setter.set(carrier, X_AMZN_TRACE_ID_HEADER, formatXRayHeader(spanContext));
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    // HTTP frameworks hand over header names in lower case.
    const raw =
      getter.get(carrier, X_AMZN_TRACE_ID_HEADER) ??
      getter.get(carrier, X_AMZN_TRACE_ID_HEADER.toLowerCase());
    const header = Array.isArray(raw) ? raw[0] : raw;
    if (typeof header !== 'string') return context;
    const spanContext = parseXRayHeader(header);
    return spanContext ? trace.setSpanContext(context, spanContext) : context;
  }

  fields(): string[] {
    return [X_AMZN_TRACE_ID_HEADER];
  }
}
