// What the protobuf and JSON encodings of an OTLP trace request share: how spans group
// under their resource and instrumentation scope, and how SDK values map to OTLP fields.

import type { HrTime, SpanKind } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const NANOS_PER_SECOND = 1_000_000_000n;
// OTLP SpanFlags: bit 8 says whether the parent's remoteness is known, bit 9 that it was
// remote; the low byte holds the W3C trace flags (opentelemetry-proto trace.proto).
const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;
const TRACE_FLAGS_MASK = 0xff;
// The int64 range of an OTLP int_value (protobuf int64).
const MIN_INT64 = -(2 ** 63);
const MAX_INT64_EXCLUSIVE = 2 ** 63;

type InstrumentationScope = ReadableSpan['instrumentationScope'];

export interface ScopeGroup {
  readonly scope: InstrumentationScope;
  readonly spans: ReadableSpan[];
}

export interface ResourceGroup {
  readonly resource: Resource;
  readonly scopes: ScopeGroup[];
}

/**
 * Groups spans by resource (by identity: a provider has one) and then by instrumentation
 * scope (by name, version and schema URL), keeping first-seen order.
 *
 * @example
 * for (const { resource, scopes } of groupSpans(spans)) console.log(resource.attributes, scopes.length);
 */
export function groupSpans(spans: readonly ReadableSpan[]): ResourceGroup[] {
  const byResource = new Map<Resource, Map<string, ScopeGroup>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(span.resource, scopes);
    }
    const { name, version = '', schemaUrl = '' } = span.instrumentationScope;
    const key = `${name}@${version}:${schemaUrl}`;
    let group = scopes.get(key);
    if (!group) {
      group = { scope: span.instrumentationScope, spans: [] };
      scopes.set(key, group);
    }
    group.spans.push(span);
  }
  return [...byResource].map(([resource, scopes]) => ({ resource, scopes: [...scopes.values()] }));
}

/**
 * An SDK time as nanoseconds since the epoch (beyond 2^53, hence a bigint).
 *
 * @example
 * hrTimeToNanos([1_700_000_000, 5]); // 1700000000000000005n
 */
export function hrTimeToNanos(time: HrTime): bigint {
  return BigInt(Math.trunc(time[0])) * NANOS_PER_SECOND + BigInt(Math.trunc(time[1]));
}

/**
 * OTLP span flags from W3C trace flags and the parent's (or link target's) remoteness.
 *
 * @example
 * spanFlags(TraceFlags.SAMPLED, true); // 0x301
 */
export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (
    (traceFlags & TRACE_FLAGS_MASK) |
    SPAN_FLAGS_HAS_IS_REMOTE |
    (isRemote ? SPAN_FLAGS_IS_REMOTE : 0)
  );
}

/**
 * The OTLP span kind: the API's plus one, because OTLP keeps 0 for "unspecified".
 *
 * @example
 * otlpSpanKind(SpanKind.SERVER); // 2
 */
export function otlpSpanKind(kind: SpanKind): number {
  return kind + 1;
}

/**
 * Whether a number goes out as an OTLP int_value rather than a double_value.
 *
 * @example
 * isInt64(3); // true
 * isInt64(1.5); // false
 */
export function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64_EXCLUSIVE;
}
