import {
  context,
  type ContextManager,
  diag,
  type DiagLogger,
  DiagLogLevel,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { forgetWarnings } from '../propagation/diag.js';

/** A tracer provider whose spans land in memory, with an async-aware global context manager. */
export interface TestTracing {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  readonly warnings: string[];
  spans(): ReadableSpan[];
  spanNamed(name: string): ReadableSpan;
  reset(): void;
  shutdown(): Promise<void>;
}

/** Sets up in-memory tracing for one test file; call `shutdown` in `afterAll`. */
export function setUpTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager: ContextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const warnings: string[] = [];
  const logger: DiagLogger = {
    error: () => undefined,
    warn: (message) => warnings.push(message),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return {
    provider,
    exporter,
    warnings,
    spans: () => exporter.getFinishedSpans(),
    spanNamed: (name) => {
      const span = exporter.getFinishedSpans().find((candidate) => candidate.name === name);
      if (!span) throw new Error(`no span named ${name}`);
      return span;
    },
    reset: () => {
      exporter.reset();
      warnings.length = 0;
      forgetWarnings();
    },
    shutdown: async () => {
      context.disable();
      diag.disable();
      await provider.shutdown();
    },
  };
}
