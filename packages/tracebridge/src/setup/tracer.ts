// tracebridge's own TracerProvider and Tracer, in place of the SDK's: the same sampling,
// id, limit and processor contracts, so the SDK's samplers, exporters and span processors
// plug in unchanged, at about half the SDK's cost per span and without its code in the bundle
// (BENCHMARKS.md, sections 1 to 3).

import {
  type Context,
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { IdGenerator, Sampler, SpanLimits, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import { isValidSpanContext, SUPPRESS_TRACING_KEY } from '../propagation/w3c.js';
import { NOT_RECORD, RECORD_AND_SAMPLED } from './sampler.js';
import { LeanSpan, type SpanSettings, validAttributes } from './span.js';

/** What the provider needs; every field is settled by `initTracing`'s configuration. */
export interface LeanTracerProviderOptions {
  readonly resource: Resource;
  readonly sampler: Sampler;
  readonly limits: Required<SpanLimits>;
  readonly idGenerator: IdGenerator;
  readonly spanProcessors: readonly SpanProcessor[];
}

/** What a tracer reads from the provider's options itself. */
type TracerSettings = Pick<LeanTracerProviderOptions, 'sampler' | 'idGenerator'>;

/**
 * Starts spans: asks the sampler, takes ids from the id generator, and gives recording spans
 * the provider's resource, limits and processors. A non-recording decision, or a context whose
 * tracing is suppressed, yields the API's non-recording span, as with the SDK's tracer.
 *
 * @example
 * ```ts
 * const tracer = provider.getTracer('orders');
 * tracer.startActiveSpan('work', (span) => span.end());
 * ```
 */
class LeanTracer implements Tracer {
  readonly #spans: SpanSettings;
  readonly #settings: TracerSettings;

  constructor(spans: SpanSettings, settings: TracerSettings) {
    this.#spans = spans;
    this.#settings = settings;
  }

  startSpan(name: string, options: SpanOptions = {}, context: Context = contextApi.active()): Span {
    const parentContext = options.root === true ? trace.deleteSpan(context) : context;
    if (parentContext.getValue(SUPPRESS_TRACING_KEY) === true) {
      return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
    const candidate = trace.getSpanContext(parentContext);
    const parent = candidate !== undefined && isValidSpanContext(candidate) ? candidate : undefined;
    const { sampler, idGenerator } = this.#settings;
    // The span id first, as the SDK draws them, so one id generator gives both the same ids.
    const spanId = idGenerator.generateSpanId();
    const traceId = parent?.traceId ?? idGenerator.generateTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const attributes = validAttributes(options.attributes);
    const links: Link[] = options.links ?? [];
    const sampling = sampler.shouldSample(parentContext, traceId, name, kind, attributes, links);
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags: sampling.decision === RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: sampling.traceState ?? parent?.traceState,
    };
    if (sampling.decision === NOT_RECORD) return trace.wrapSpanContext(spanContext);
    return new LeanSpan(this.#spans, {
      name,
      kind,
      spanContext,
      parentSpanContext: parent,
      attributes:
        sampling.attributes === undefined
          ? attributes
          : validAttributes({ ...attributes, ...sampling.attributes }),
      links,
      startTime: options.startTime,
      context: parentContext,
    });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? (rest[0] as SpanOptions) : undefined;
    const parentContext = rest.length > 2 ? (rest[1] as Context) : contextApi.active();
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(
      trace.setSpan(parentContext, span),
      fn as (span: Span) => ReturnType<F>,
      undefined,
      span,
    );
  }
}

/**
 * tracebridge's TracerProvider: one tracer per name, version and schema URL, all sharing the
 * resource, sampler, id generator, limits and span processors. Flushing and shutting down go
 * through `initTracing`'s handle, which bounds them by a deadline; the provider's own
 * `forceFlush` and `shutdown` serve code that holds only the provider.
 *
 * @example
 * ```ts
 * const provider = new LeanTracerProvider({ resource, sampler, limits, idGenerator, spanProcessors });
 * trace.setGlobalTracerProvider(provider);
 * ```
 */
export class LeanTracerProvider implements TracerProvider {
  readonly #tracers = new Map<string, LeanTracer>();
  readonly #options: LeanTracerProviderOptions;

  constructor(options: LeanTracerProviderOptions) {
    this.#options = options;
  }

  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (tracer === undefined) {
      const { resource, limits, spanProcessors } = this.#options;
      tracer = new LeanTracer(
        {
          resource,
          limits,
          processors: spanProcessors,
          scope: { name, version, schemaUrl: options?.schemaUrl },
        },
        this.#options,
      );
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }

  /** Flushes every span processor; rejects with the first failure after all have settled. */
  async forceFlush(): Promise<void> {
    await settleAll(this.#options.spanProcessors.map((processor) => processor.forceFlush()));
  }

  /** Shuts every span processor down (each flushes first). */
  async shutdown(): Promise<void> {
    await settleAll(this.#options.spanProcessors.map((processor) => processor.shutdown()));
  }
}

async function settleAll(work: readonly Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}
