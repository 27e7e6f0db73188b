// The X-Ray header of an invocation Lambda does not trace. Everything else about X-Ray ids and
// headers comes from the library: `XRayIdGenerator` (tracebridge/setup) and `formatXRayHeader`
// (tracebridge).

// An X-Ray trace id is `1-<8 hex digits of epoch seconds>-<24 hex digits>`; as an OpenTelemetry
// trace id the two parts are concatenated (X-Ray trace id format).
const EPOCH_HEX_DIGITS = 8;

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
  return `Root=1-${traceId.slice(0, EPOCH_HEX_DIGITS)}-${traceId.slice(EPOCH_HEX_DIGITS)}`;
}
