import { dirname, join } from 'node:path';
import { type RunningCollector, startCollector } from '../collector/server.js';
import {
  type RunningEmulator,
  startKinesisEmulator,
  startSqsEmulator,
} from '../emulators/index.js';
import { createFunctionRunner, type FunctionRunner, type LogSink } from '../functions/index.js';
import {
  type MappingLogger,
  type PollingOptions,
  type RunningMappings,
  startMappings,
} from '../mappings/index.js';
import type { Architecture, ResolvedResources } from '../model.js';
import { physicalResources, readTemplate, resolveValue } from '../template/index.js';
import { deployResources } from './deploy.js';
import { storeExporter } from './store-exporter.js';

/** Options of {@link startLocalRuntime}. */
export interface LocalRuntimeOptions {
  readonly templatePath: string;
  /** OTLP/HTTP and API port of the collector; 4318 by default, 0 for any free port. */
  readonly collectorPort?: number;
  /** X-Ray daemon UDP port; 2000 by default, 0 for any, `null` for none. */
  readonly xrayPort?: number | null;
  /** An OTLP/HTTP backend that gets a copy of every export. */
  readonly forward?: string;
  /** A file every export is appended to, as OTLP/JSON lines. */
  readonly save?: string;
  /** Where built functions go; `.tracebridge/build` beside the template by default. */
  readonly buildDir?: string;
  /** Where the functions' log lines go. */
  readonly functionLogs?: LogSink;
  readonly logger: MappingLogger;
  readonly polling?: PollingOptions;
  /** Called as each stage starts, for progress output. */
  readonly onStage?: (stage: string) => void;
  /**
   * Variables added to every function's environment, over the template's and the runtime's
   * own: for diagnostics, such as a `NODE_OPTIONS` that preloads a profiler (Node.js 20 does
   * not take `--cpu-prof` in `NODE_OPTIONS`; `bench/fixtures/pipeline/cpu-profile.cjs` is such
   * a preload).
   */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
}

/** A template running on this machine. */
export interface LocalRuntime {
  readonly architecture: Architecture;
  readonly resources: ResolvedResources;
  readonly collector: RunningCollector;
  readonly functions: FunctionRunner;
  readonly mappings: RunningMappings;
  readonly endpoints: { readonly sqs: string; readonly kinesis: string };
  /** Stops everything, in reverse order of start; idempotent. */
  close(): Promise<void>;
}

/**
 * Runs a SAM template on this machine: reads it, starts the collector and the emulators on
 * 127.0.0.1, creates the queues, streams and topics, builds the functions, and starts the
 * event source mappings. Functions find the emulators through `AWS_ENDPOINT_URL_*` and the
 * collector through `OTEL_EXPORTER_OTLP_ENDPOINT` and `AWS_XRAY_DAEMON_ADDRESS`; their code does
 * not change.
 *
 * @example
 * ```ts
 * const runtime = await startLocalRuntime({ templatePath: 'template.yaml', logger: console });
 * await runtime.functions.invoke('ProducerFunction', {});
 * await runtime.close();
 * ```
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const stage = options.onStage ?? (() => undefined);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    stage('reading the template');
    const architecture = await readTemplate(options.templatePath);
    stage('starting the collector');
    const collector = await startCollector({
      port: options.collectorPort ?? undefined,
      xrayPort: options.xrayPort,
      forward: options.forward,
      save: options.save,
    });
    closers.push(() => collector.close());
    stage('starting the emulators');
    const [sqs, kinesis] = await Promise.all([startSqsEmulator(), startKinesisEmulator()]);
    for (const emulator of [sqs, kinesis] as RunningEmulator[])
      closers.push(() => emulator.close());
    const endpoints = { sqs: sqs.endpoint, kinesis: kinesis.endpoint };
    stage('creating queues, streams and topics');
    const resources = physicalResources(architecture, endpoints);
    await deployResources(architecture, endpoints, resources);
    stage('building the functions');
    const functions = createFunctionRunner({
      functions: architecture.functions,
      buildDir: options.buildDir ?? join(dirname(options.templatePath), '.tracebridge', 'build'),
      environment: {
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_ENDPOINT_URL_SNS: sqs.endpoint,
        AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        ...(collector.xrayAddress === undefined
          ? {}
          : { AWS_XRAY_DAEMON_ADDRESS: collector.xrayAddress }),
        ...options.functionEnvironment,
      },
      resolveTemplateValue: (value) => resolveValue(value, resources),
      spanExporter: storeExporter(collector.store),
      ...(options.functionLogs ? { logSink: options.functionLogs } : {}),
    });
    closers.push(() => functions.close());
    await functions.build();
    stage('starting the event source mappings');
    const mappings = await startMappings({
      architecture,
      resources,
      endpoints,
      invoker: functions,
      logger: options.logger,
      polling: options.polling,
    });
    closers.push(() => mappings.stop());
    return { architecture, resources, collector, functions, mappings, endpoints, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
