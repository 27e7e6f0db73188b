import { randomBytes } from 'node:crypto';

import { type SpanContext, TraceFlags } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

// An X-Ray trace id is `1-<8 hex digits of epoch seconds>-<24 random hex digits>`; as an
// OpenTelemetry trace id the two parts are concatenated (X-Ray trace id format).
const EPOCH_HEX_DIGITS = 8;
const RANDOM_TRACE_BYTES = 12;
// W3C span ids are 8 bytes, and all zeros is the invalid span id (W3C Trace Context).
const SPAN_ID_BYTES = 8;
const INVALID_SPAN_ID = '0'.repeat(SPAN_ID_BYTES * 2);
const MS_PER_SECOND = 1000;

/**
 * Trace ids that X-Ray accepts as its own: the first 8 hex digits are the epoch seconds at which
 * the trace started, as the Lambda service's own trace ids are.
 *
 * @example
 * ```ts
 * const provider = new BasicTracerProvider({ idGenerator: new XRayIdGenerator() });
 * ```
 */
export class XRayIdGenerator implements IdGenerator {
  generateTraceId(): string {
    const seconds = Math.floor(Date.now() / MS_PER_SECOND)
      .toString(16)
      .padStart(EPOCH_HEX_DIGITS, '0');
    return seconds + randomBytes(RANDOM_TRACE_BYTES).toString('hex');
  }

  generateSpanId(): string {
    let spanId = INVALID_SPAN_ID;
    while (spanId === INVALID_SPAN_ID) spanId = randomBytes(SPAN_ID_BYTES).toString('hex');
    return spanId;
  }
}

/**
 * The X-Ray trace header Lambda sets in `_X_AMZN_TRACE_ID` for a sampled invocation:
 * `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1`.
 *
 * @example
 * ```ts
 * formatTraceHeader(functionSpan.spanContext());
 * // 'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=89abcdef01234567;Sampled=1'
 * ```
 */
export function formatTraceHeader(spanContext: SpanContext): string {
  const { traceId, spanId } = spanContext;
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? 1 : 0;
  return `${rootOf(traceId)};Parent=${spanId};Sampled=${sampled}`;
}

/**
 * The header of an invocation Lambda does not trace (`Tracing: PassThrough` and no sampled
 * upstream header): a `Root` only, with no `Parent` and no sampling decision.
 *
 * @example
 * ```ts
 * passThroughTraceHeader(new XRayIdGenerator().generateTraceId()); // 'Root=1-67a1b2c3-…'
 * ```
 */
export function passThroughTraceHeader(traceId: string): string {
  return rootOf(traceId);
}

function rootOf(traceId: string): string {
  return `Root=1-${traceId.slice(0, EPOCH_HEX_DIGITS)}-${traceId.slice(EPOCH_HEX_DIGITS)}`;
}
