// The samplers `OTEL_TRACES_SAMPLER` names, with the SDK's decisions and descriptions: a
// trace-id ratio sampler here keeps exactly the traces the SDK's keeps, so services that mix
// tracebridge and the SDK agree on every trace.

import { type Context, isValidTraceId, TraceFlags, trace } from '@opentelemetry/api';
import type { Sampler, SamplingDecision, SamplingResult } from '@opentelemetry/sdk-trace';
import { isValidSpanContext } from '../propagation/w3c.js';
import { hexDigitValue } from './hex.js';
import { SamplerName } from './options.js';

// The SDK's ratio sampler compares 32 bits of the trace id with ratio × 0xffffffff.
const RATIO_SCALE = 0xffffffff;
const ALL_TRACES_BOUND = 0x100000000;
const TRACE_ID_HEX_DIGITS = 32;
const HEX_DIGITS_PER_WORD = 8;

/**
 * The SDK's sampling decisions (its `SamplingDecision` enum, whose values the sampling API fixes);
 * importing the enum itself would load the SDK.
 */
/* eslint-disable @typescript-eslint/no-unsafe-enum-assignment -- the values of that enum */
export const NOT_RECORD = 0 as SamplingDecision.NOT_RECORD;
export const RECORD_AND_SAMPLED = 2 as SamplingDecision.RECORD_AND_SAMPLED;
/* eslint-enable @typescript-eslint/no-unsafe-enum-assignment */

const RECORD_AND_SAMPLE: SamplingResult = { decision: RECORD_AND_SAMPLED };
const DROP: SamplingResult = { decision: NOT_RECORD };

const alwaysOn: Sampler = {
  shouldSample: () => RECORD_AND_SAMPLE,
  toString: () => 'AlwaysOnSampler',
};

const alwaysOff: Sampler = {
  shouldSample: () => DROP,
  toString: () => 'AlwaysOffSampler',
};

/** The trace id's four 32-bit words XORed together: the SDK's sampling key. The id is valid hex. */
function samplingKey(traceId: string): number {
  let key = 0;
  for (let start = 0; start < TRACE_ID_HEX_DIGITS; start += HEX_DIGITS_PER_WORD) {
    let word = 0;
    for (let digit = start; digit < start + HEX_DIGITS_PER_WORD; digit++) {
      word = (word << 4) | hexDigitValue(traceId.charCodeAt(digit));
    }
    key = (key ^ word) >>> 0;
  }
  return key;
}

function traceIdRatio(ratio: number): Sampler {
  const bounded = Number.isNaN(ratio) ? 0 : Math.min(Math.max(ratio, 0), 1);
  const upperBound = bounded === 1 ? ALL_TRACES_BOUND : Math.floor(bounded * RATIO_SCALE);
  return {
    shouldSample: (_context: Context, traceId: string) =>
      isValidTraceId(traceId) && samplingKey(traceId) < upperBound ? RECORD_AND_SAMPLE : DROP,
    toString: () => `TraceIdRatioBased{${bounded}}`,
  };
}

/** The root sampler decides for new traces; a valid parent's sampled flag decides the rest. */
function parentBased(root: Sampler): Sampler {
  return {
    shouldSample: (context, traceId, spanName, spanKind, attributes, links) => {
      const parent = trace.getSpanContext(context);
      if (parent === undefined || !isValidSpanContext(parent)) {
        return root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
      }
      return (parent.traceFlags & TraceFlags.SAMPLED) === 0 ? DROP : RECORD_AND_SAMPLE;
    },
    toString: () =>
      `ParentBased{root=${root.toString()}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}`,
  };
}

/**
 * Whether the sampler takes a ratio (`OTEL_TRACES_SAMPLER_ARG`).
 *
 * @example
 * usesRatio('parentbased_traceidratio'); // true
 */
export function usesRatio(name: SamplerName): boolean {
  return name === SamplerName.TraceIdRatio || name === SamplerName.ParentBasedTraceIdRatio;
}

/**
 * The sampler an `OTEL_TRACES_SAMPLER` name stands for. Its decisions and `toString()` are
 * those of the SDK's sampler of the same name.
 *
 * @example
 * createSampler('parentbased_traceidratio', 0.1).toString(); // 'ParentBased{root=TraceIdRatioBased{0.1}, …}'
 */
export function createSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case SamplerName.AlwaysOn:
      return alwaysOn;
    case SamplerName.AlwaysOff:
      return alwaysOff;
    case SamplerName.TraceIdRatio:
      return traceIdRatio(ratio);
    case SamplerName.ParentBasedAlwaysOn:
      return parentBased(alwaysOn);
    case SamplerName.ParentBasedAlwaysOff:
      return parentBased(alwaysOff);
    case SamplerName.ParentBasedTraceIdRatio:
      return parentBased(traceIdRatio(ratio));
  }
}
