import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { SamplerName } from './options.js';

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
 * The SDK sampler an `OTEL_TRACES_SAMPLER` name stands for.
 *
 * @example
 * createSampler('parentbased_traceidratio', 0.1);
 */
export function createSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case SamplerName.AlwaysOn:
      return new AlwaysOnSampler();
    case SamplerName.AlwaysOff:
      return new AlwaysOffSampler();
    case SamplerName.TraceIdRatio:
      return new TraceIdRatioBasedSampler(ratio);
    case SamplerName.ParentBasedAlwaysOn:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case SamplerName.ParentBasedAlwaysOff:
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case SamplerName.ParentBasedTraceIdRatio:
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
