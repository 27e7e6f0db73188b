import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SamplerName } from './options.js';
import { createSampler, RECORD_AND_SAMPLED } from './sampler.js';

function sdkSampler(name: SamplerName, ratio: number): Sampler {
  const byName: Record<SamplerName, () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => new TraceIdRatioBasedSampler(ratio),
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () =>
      new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
  };
  return byName[name]();
}

const hexId = (length: number) =>
  fc.string({
    unit: fc.constantFrom(...Array.from('0123456789abcdefABCDEF')),
    minLength: length,
    maxLength: length,
  });

describe('createSampler', () => {
  it('decides exactly as the SDK sampler of the same name, and describes itself the same', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(SamplerName)),
        fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), fc.constantFrom(0, 1, Number.NaN)),
        fc.oneof(hexId(32), fc.constant('0'.repeat(32)), fc.string()),
        fc.option(
          fc.record({
            traceId: hexId(32),
            spanId: hexId(16),
            traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED),
            isRemote: fc.boolean(),
          }),
        ),
        (name, ratio, traceId, parent) => {
          const context =
            parent === null ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
          const ours = createSampler(name, ratio);
          const theirs = sdkSampler(name, ratio);

          expect(
            ours.shouldSample(context, traceId, 'span', SpanKind.SERVER, {}, []).decision,
          ).toBe(theirs.shouldSample(context, traceId, 'span', SpanKind.SERVER, {}, []).decision);
          expect(ours.toString()).toBe(theirs.toString());
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('keeps about the ratio of new traces', () => {
    const sampler = createSampler('traceidratio', 0.25);
    let kept = 0;
    for (let i = 0; i < 4_000; i++) {
      const traceId = Array.from({ length: 32 }, () =>
        Math.floor(Math.random() * 16).toString(16),
      ).join('');
      const { decision } = sampler.shouldSample(
        ROOT_CONTEXT,
        traceId,
        's',
        SpanKind.INTERNAL,
        {},
        [],
      );
      if (decision === RECORD_AND_SAMPLED) kept++;
    }

    expect(kept / 4_000).toBeGreaterThan(0.2);
    expect(kept / 4_000).toBeLessThan(0.3);
  });
});
