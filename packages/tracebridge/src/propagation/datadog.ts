import { type SpanContext, TraceFlags } from '@opentelemetry/api';
import { ownString } from './propagator.js';
import { ParsedSpanContext } from './w3c.js';

const DECIMAL_ID = /^[0-9]{1,20}$/;
const HEX_HIGH_BITS = /^[0-9a-f]{16}$/;
const MAX_UINT64 = (1n << 64n) - 1n;
/** Tag in `x-datadog-tags` holding the upper 64 bits of a 128-bit trace id (dd-trace docs). */
const HIGH_TRACE_ID_TAG = '_dd.p.tid=';

function decimalToHex64(decimal: string): string | undefined {
  if (!DECIMAL_ID.test(decimal)) return undefined;
  const value = BigInt(decimal);
  if (value === 0n || value > MAX_UINT64) return undefined;
  return value.toString(16).padStart(16, '0');
}

function highTraceIdBits(tags: string | undefined): string {
  const tag = tags
    ?.split(',')
    .find((entry) => entry.startsWith(HIGH_TRACE_ID_TAG))
    ?.slice(HIGH_TRACE_ID_TAG.length);
  return tag !== undefined && HEX_HIGH_BITS.test(tag) ? tag : '0000000000000000';
}

/**
 * Converts Datadog's propagation headers (`x-datadog-trace-id`, `x-datadog-parent-id`,
 * `x-datadog-sampling-priority`, `x-datadog-tags`) into a remote span context. Datadog ids are
 * unsigned 64-bit decimals; a 128-bit trace id keeps its upper half in the `_dd.p.tid` tag.
 *
 * @example
 * ```ts
 * import { parseDatadogHeaders } from 'tracebridge';
 *
 * const spanContext = parseDatadogHeaders(JSON.parse(attributes._datadog.stringValue));
 * ```
 */
export function parseDatadogHeaders(headers: unknown): SpanContext | undefined {
  const traceIdLow = decimalToHex64(ownString(headers, 'x-datadog-trace-id') ?? '');
  const spanId = decimalToHex64(ownString(headers, 'x-datadog-parent-id') ?? '');
  if (!traceIdLow || !spanId) return undefined;
  const priority = Number(ownString(headers, 'x-datadog-sampling-priority') ?? '1');
  // Valid by construction: both ids are non-zero hex of the right length.
  return new ParsedSpanContext(
    `${highTraceIdBits(ownString(headers, 'x-datadog-tags'))}${traceIdLow}`,
    spanId,
    priority > 0 ? TraceFlags.SAMPLED : TraceFlags.NONE,
  );
}
