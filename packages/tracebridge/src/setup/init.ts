import {
  context,
  DiagConsoleLogger,
  diag,
  propagation,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { type Env, readEnv } from './config/parse.js';
import { resolveConfig } from './config/resolve.js';
import { AsyncLocalStorageContextManager } from './context-manager.js';
import { createExporter } from './exporters/create.js';
import {
  failed,
  flushProvider,
  flushTimeout,
  registeredProvider,
  withinDeadline,
} from './flush.js';
import { RandomIdGenerator, XRayIdGenerator } from './id-generator.js';
import type { TracingOptions } from './options.js';
import { currentRegistration, type Registration, register } from './registry.js';
import { combinePropagators } from './propagators.js';
import { createResource } from './resource.js';
import { BufferedSpanProcessor } from './span-processor.js';
import { LeanTracerProvider } from './tracer.js';
import type { FlushResult, Tracing } from './tracing.js';

// The SDK's service name when none is configured (OpenTelemetry resource semantic conventions).
const UNKNOWN_SERVICE = 'unknown_service:node';

const EXPORTED: FlushResult = { ok: true, timedOut: false };

/**
 * Sets up tracing for a Lambda function, once per process: a TracerProvider with X-Ray
 * compatible ids, a resource describing the function, a batching span processor per exporter
 * (OTLP/HTTP, console, X-Ray daemon, chosen by options or `OTEL_TRACES_EXPORTER`), the
 * sampler and propagators of the `OTEL_*` variables, and an AsyncLocalStorage context
 * manager, all registered with `@opentelemetry/api`. Nothing touches the network here.
 *
 * A second call returns the first call's handle (and warns once). When the application
 * registered its own provider first (ADOT, a vendor's), `initTracing` leaves it and the
 * global context manager and propagator alone, and the handle flushes that provider.
 *
 * @throws {TracingConfigError} when an option or environment variable holds a value
 * tracebridge cannot use; nothing is registered then.
 * @example
 * ```ts
 * import { initTracing } from 'tracebridge/setup';
 *
 * const { tracer, forceFlush } = initTracing({ serviceName: 'orders' });
 *
 * export const handler = async () => {
 *   try {
 *     return await tracer.startActiveSpan('work', async (span) => {
 *       span.end();
 *     });
 *   } finally {
 *     await forceFlush(2_000);
 *   }
 * };
 * ```
 */
export function initTracing(options: TracingOptions = {}): Tracing {
  const existing = currentRegistration();
  if (existing) {
    if (!existing.duplicateWarned) {
      existing.duplicateWarned = true;
      diag.warn(
        'tracebridge: initTracing was called again; the set-up of the first call stays and the options of later calls are ignored',
      );
    }
    return existing.tracing;
  }
  const env = options.env ?? process.env;
  const external = registeredProvider();
  const registration = external ? adopt(external, options, env) : setUp(options, env);
  register(registration);
  return registration.tracing;
}

function serviceName(options: TracingOptions, env: Env): string {
  return (
    options.serviceName ??
    readEnv(env, 'OTEL_SERVICE_NAME') ??
    readEnv(env, 'AWS_LAMBDA_FUNCTION_NAME') ??
    UNKNOWN_SERVICE
  );
}

/** The application's own provider stays; the handle flushes it. */
function adopt(provider: TracerProvider, options: TracingOptions, env: Env): Registration {
  diag.info(
    'tracebridge: the application registered its own TracerProvider; initTracing keeps it, with its context manager and propagators',
  );
  const flush = (timeoutMs?: number): Promise<FlushResult> => flushProvider(provider, timeoutMs);
  return {
    tracing: {
      provider,
      tracer: provider.getTracer(serviceName(options, env)),
      external: true,
      forceFlush: flush,
      shutdown: flush,
    },
    recordFunctionArn: () => {},
    duplicateWarned: false,
  };
}

function setUp(options: TracingOptions, env: Env): Registration {
  // Everything that can throw comes before the first change to global state.
  const config = resolveConfig(options, env);
  const exporters = config.exporters.map(createExporter);
  if (config.logLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), {
      logLevel: config.logLevel,
      suppressOverrideMessage: true,
    });
  }
  const { resource, settle } = createResource(config, env);
  const processors = exporters.map((exporter) => new BufferedSpanProcessor(exporter, config.batch));
  const provider = new LeanTracerProvider({
    resource,
    sampler: config.sampler,
    limits: config.spanLimits,
    idGenerator: config.xrayIds ? new XRayIdGenerator() : new RandomIdGenerator(),
    spanProcessors: [
      settleWithinOneBatchDelay(settle, config.batch.scheduledDelayMillis),
      ...processors,
    ],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  const propagator = combinePropagators(config.propagators);
  if (propagator) propagation.setGlobalPropagator(propagator);

  const bounded =
    (work: (timeoutMs: number) => Promise<FlushResult>) =>
    (timeoutMs?: number): Promise<FlushResult> => {
      // No context reported by now means none will be before this flush: export without the ARN.
      settle(undefined);
      const deadline = flushTimeout(timeoutMs);
      return withinDeadline(() => work(deadline), deadline);
    };
  return {
    tracing: {
      provider,
      tracer: provider.getTracer(serviceName(options, env)),
      external: false,
      forceFlush: bounded(() => flushAll(processors, exporters)),
      shutdown: bounded(async () => {
        const result = await flushAll(processors, exporters);
        await provider.shutdown().catch(() => undefined);
        return result;
      }),
    },
    recordFunctionArn: (arn) => {
      settle(arn);
    },
    duplicateWarned: false,
  };
}

/**
 * Settles the ARN attributes, empty, one batch delay after the first span ends unless an
 * invocation context was recorded by then. An application that uses no tracebridge wrapper
 * never records one, and the span processor, which waits for a resource's pending attributes
 * before each export, would otherwise export nothing on its own timer. The wrappers record the context as an invocation starts,
 * long before that delay passes, so spans ended during the cold start still get the ARN.
 */
function settleWithinOneBatchDelay(
  settle: (arn: string | undefined) => void,
  delayMs: number,
): SpanProcessor {
  let timer: NodeJS.Timeout | undefined;
  return {
    onStart: () => undefined,
    onEnd: () => {
      timer ??= setTimeout(() => {
        settle(undefined);
      }, delayMs).unref();
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => {
      clearTimeout(timer);
      return Promise.resolve();
    },
  };
}

/**
 * Pushes the processors' buffered spans to the exporters, then waits for every export in
 * flight, including those the processors' timers started before this flush. The processors are
 * flushed directly, not through the provider's forceFlush, which also flushes the ARN settler
 * and does not wait for the exporters; the caller's deadline bounds the whole flush instead.
 */
async function flushAll(
  processors: readonly BufferedSpanProcessor[],
  exporters: readonly SpanExporter[],
): Promise<FlushResult> {
  let processorError: unknown;
  let exporterError: unknown;
  // All start before the first is awaited, and each has its handler from the start, so no
  // rejection waits unhandled. Awaited one by one: every promise here runs through the
  // AsyncLocalStorage hooks, and Promise.all would add more of them on every invocation.
  const flushes = processors.map((processor) =>
    processor.forceFlush().catch((reason: unknown) => {
      processorError ??= reason;
    }),
  );
  for (const flush of flushes) await flush;
  const drains = exporters.map((exporter) =>
    exporter.forceFlush?.().catch((reason: unknown) => {
      exporterError ??= reason;
    }),
  );
  for (const drain of drains) await drain;
  if (exporterError !== undefined) return failed(exporterError);
  return processorError === undefined ? EXPORTED : failed(processorError);
}
