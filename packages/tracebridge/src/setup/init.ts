import {
  context,
  DiagConsoleLogger,
  diag,
  propagation,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
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
import { XRayIdGenerator } from './id-generator.js';
import type { TracingOptions } from './options.js';
import { currentRegistration, type Registration, register } from './registry.js';
import { combinePropagators } from './propagators.js';
import { createResource } from './resource.js';
import type { FlushResult, Tracing } from './tracing.js';

// The SDK's service name when none is configured (OpenTelemetry resource semantic conventions).
const UNKNOWN_SERVICE = 'unknown_service:node';

const EXPORTED: FlushResult = { ok: true, timedOut: false };

/**
 * Sets up tracing for a Lambda function, once per process: a TracerProvider with X-Ray
 * compatible ids, a resource describing the function, a BatchSpanProcessor per exporter
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
  const provider = new BasicTracerProvider({
    resource,
    sampler: config.sampler,
    ...(config.xrayIds ? { idGenerator: new XRayIdGenerator() } : {}),
    // A copy per processor: the SDK writes the OTEL_BSP_* fallbacks into the object it gets.
    spanProcessors: [
      settleWithinOneBatchDelay(settle, config.batchDelayMs),
      ...exporters.map((exporter) => new BatchSpanProcessor(exporter, { ...config.batch })),
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
      forceFlush: bounded((deadline) => flushAll(provider, exporters, deadline)),
      shutdown: bounded(async (deadline) => {
        const result = await flushAll(provider, exporters, deadline);
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
 * never records one, and its BatchSpanProcessor would otherwise wait for the resource forever
 * and export nothing on its own timer. The wrappers record the context as an invocation starts,
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
 * flight, including those the processors' timers started before this flush.
 */
async function flushAll(
  provider: BasicTracerProvider,
  exporters: readonly SpanExporter[],
  timeoutMs: number,
): Promise<FlushResult> {
  let processorError: unknown;
  await provider.forceFlush({ timeoutMillis: timeoutMs }).catch((reason: unknown) => {
    processorError = reason;
  });
  const drained = await Promise.allSettled(
    exporters.map(async (exporter) => {
      await exporter.forceFlush?.();
    }),
  );
  for (const outcome of drained) {
    if (outcome.status === 'rejected') return failed(outcome.reason);
  }
  return processorError === undefined ? EXPORTED : failed(processorError);
}
