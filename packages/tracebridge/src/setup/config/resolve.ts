// Settles every setting once, before anything is registered: options first, then the
// OpenTelemetry environment variables, then the defaults. Everything that can be wrong is
// found here, so initTracing fails before it changes any global state.

import { type Attributes, DiagLogLevel, type TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanExporter, SpanLimits } from '@opentelemetry/sdk-trace';
import {
  type BatchOptions,
  ExporterName,
  LogLevel,
  OtlpCompression,
  OtlpProtocol,
  PropagatorName,
  SamplerName,
  type TracingOptions,
} from '../options.js';
import { createPropagators } from '../propagators.js';
import { createSampler, usesRatio } from '../sampler.js';
import {
  type Env,
  parseChoice,
  parseChoices,
  parseDaemonAddress,
  parseHeaders,
  parseHttpUrl,
  parseKeyValues,
  parseList,
  parseMillis,
  parseRatio,
  readEnv,
} from './parse.js';

// Defaults of the OTLP exporter specification (OTLP/HTTP port 4318, 10 s timeout).
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
// The path OTLP/HTTP appends to OTEL_EXPORTER_OTLP_ENDPOINT for traces (OTLP exporter spec).
const OTLP_TRACES_PATH = 'v1/traces';
// The X-Ray daemon's default UDP address (X-Ray daemon documentation).
const DEFAULT_XRAY_DAEMON_ADDRESS = '127.0.0.1:2000';
// The ratio samplers' default when OTEL_TRACES_SAMPLER_ARG is unset (SDK environment spec).
const DEFAULT_SAMPLER_RATIO = 1;

const DEFAULT_EXPORTERS: readonly ExporterName[] = [ExporterName.Otlp];
const DEFAULT_PROPAGATORS: readonly PropagatorName[] = [
  PropagatorName.TraceContext,
  PropagatorName.Baggage,
];

const DIAG_LEVELS: Readonly<Record<Exclude<LogLevel, 'none'>, DiagLogLevel>> = {
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

export interface OtlpConfig {
  readonly url: URL;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: OtlpCompression;
  readonly timeoutMs: number;
}

/** What to build for one exporter; building is left to initTracing (it opens sockets). */
export type ExporterPlan =
  | { readonly kind: 'otlp'; readonly config: OtlpConfig }
  | { readonly kind: 'console' }
  | { readonly kind: 'xray'; readonly host: string; readonly port: number }
  | { readonly kind: 'instance'; readonly exporter: SpanExporter };

export interface ResolvedConfig {
  /** The explicit service name (option or OTEL_SERVICE_NAME), if any. */
  readonly serviceName: string | undefined;
  /** OTEL_RESOURCE_ATTRIBUTES with the `resourceAttributes` option over it. */
  readonly resourceAttributes: Attributes;
  readonly exporters: readonly ExporterPlan[];
  readonly sampler: Sampler;
  readonly propagators: readonly TextMapPropagator[];
  readonly xrayIds: boolean;
  /** Each setting: the option, else its `OTEL_BSP_*` variable, else the SDK's default. */
  readonly batch: Required<BatchOptions>;
  /** The span limit variables of the SDK environment specification, else the SDK's defaults. */
  readonly spanLimits: Required<SpanLimits>;
  /** Undefined: leave the diagnostic logger alone. */
  readonly logLevel: DiagLogLevel | undefined;
}

/**
 * Settles the configuration of `initTracing` from its options and the environment.
 *
 * @throws {TracingConfigError} naming the first setting whose value cannot be used.
 * @example
 * const config = resolveConfig({ exporters: ['otlp'] }, process.env);
 */
export function resolveConfig(options: TracingOptions, env: Env): ResolvedConfig {
  return {
    serviceName: options.serviceName ?? readEnv(env, 'OTEL_SERVICE_NAME'),
    resourceAttributes: {
      ...parseKeyValues('OTEL_RESOURCE_ATTRIBUTES', readEnv(env, 'OTEL_RESOURCE_ATTRIBUTES') ?? ''),
      ...options.resourceAttributes,
    },
    exporters: resolveExporters(options, env),
    sampler: resolveSampler(options, env),
    propagators: resolvePropagators(options, env),
    xrayIds: options.xrayIds ?? true,
    batch: resolveBatch(options.batch ?? {}, env),
    spanLimits: resolveSpanLimits(env),
    logLevel: resolveLogLevel(options, env),
  };
}

// The SDK's defaults (OpenTelemetry SDK environment variable specification): the batch
// processor's delay, timeout and sizes, and the span limits.
const DEFAULT_BATCH: Required<BatchOptions> = {
  scheduledDelayMillis: 5_000,
  exportTimeoutMillis: 30_000,
  maxQueueSize: 2_048,
  maxExportBatchSize: 512,
};
const DEFAULT_COUNT_LIMIT = 128;

/** The first variable holding a positive number; unusable values are skipped, as the SDK does. */
function positiveFromEnv(env: Env, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = Number(readEnv(env, name));
    if (value > 0) return value;
  }
  return undefined;
}

// Each setting with the variable that sets it when the option does not.
const BATCH_VARIABLES = [
  ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
  ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
  ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
  ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
] as const;
// Each limit with its variables, the span-specific one first; the value length is unlimited
// unless set, every other limit is DEFAULT_COUNT_LIMIT.
const SPAN_LIMIT_VARIABLES = [
  ['attributeCountLimit', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'],
  [
    'attributeValueLengthLimit',
    'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  ],
  ['linkCountLimit', 'OTEL_SPAN_LINK_COUNT_LIMIT'],
  ['eventCountLimit', 'OTEL_SPAN_EVENT_COUNT_LIMIT'],
  ['attributePerEventCountLimit', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'],
  ['attributePerLinkCountLimit', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'],
] as const;

function resolveBatch(batch: BatchOptions, env: Env): Required<BatchOptions> {
  const resolved = { ...DEFAULT_BATCH };
  for (const [key, name] of BATCH_VARIABLES) {
    resolved[key] = batch[key] ?? positiveFromEnv(env, name) ?? DEFAULT_BATCH[key];
  }
  return resolved;
}

function resolveSpanLimits(env: Env): Required<SpanLimits> {
  const limits = {} as Record<keyof SpanLimits, number>;
  for (const [key, ...names] of SPAN_LIMIT_VARIABLES) {
    limits[key] =
      positiveFromEnv(env, ...names) ??
      (key === 'attributeValueLengthLimit' ? Infinity : DEFAULT_COUNT_LIMIT);
  }
  return limits;
}

/** Names from an option (validated against `choices`) or a comma-separated variable. */
function namesAndInstances<T extends string, I extends object>(
  option: { readonly setting: string; readonly value: ReadonlyArray<string | I> | undefined },
  variable: { readonly env: Env; readonly name: string },
  choices: readonly T[],
  defaults: readonly T[],
): { readonly names: T[]; readonly instances: I[] } {
  if (option.value !== undefined) {
    const names = option.value.filter((item): item is string => typeof item === 'string');
    const instances = option.value.filter((item): item is I => typeof item !== 'string');
    return { names: parseChoices(option.setting, names, choices), instances };
  }
  const fromEnv = readEnv(variable.env, variable.name);
  if (fromEnv === undefined) return { names: [...defaults], instances: [] };
  return { names: parseChoices(variable.name, parseList(fromEnv), choices), instances: [] };
}

function resolveExporters(options: TracingOptions, env: Env): ExporterPlan[] {
  const { names, instances } = namesAndInstances<ExporterName, SpanExporter>(
    { setting: 'exporters', value: options.exporters },
    { env, name: 'OTEL_TRACES_EXPORTER' },
    Object.values(ExporterName),
    DEFAULT_EXPORTERS,
  );
  const plans: ExporterPlan[] = [];
  for (const name of new Set(names)) {
    if (name === ExporterName.Otlp) plans.push({ kind: 'otlp', config: resolveOtlp(options, env) });
    else if (name === ExporterName.Console) plans.push({ kind: 'console' });
    else if (name === ExporterName.XRay)
      plans.push({ kind: 'xray', ...resolveDaemon(options, env) });
  }
  return [...plans, ...instances.map((exporter) => ({ kind: 'instance', exporter }) as const)];
}

/**
 * The first value given: the option's, else each variable's in turn, with the name of the
 * setting it came from (for error messages); undefined when none is given.
 */
function firstGiven<T extends string | number>(
  env: Env,
  option: readonly [name: string, value: T | undefined],
  ...variables: string[]
): { readonly setting: string; readonly value: T | string } | undefined {
  const [name, value] = option;
  if (value !== undefined) return { setting: name, value };
  for (const variable of variables) {
    const fromEnv = readEnv(env, variable);
    if (fromEnv !== undefined) return { setting: variable, value: fromEnv };
  }
  return undefined;
}

/** The traces-specific variable wins over the generic one (OTLP exporter spec). */
function otlpVariables(suffix: string): string[] {
  return [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`];
}

function resolveOtlp(options: TracingOptions, env: Env): OtlpConfig {
  const otlp = options.otlp ?? {};
  const protocol = firstGiven(env, ['otlp.protocol', otlp.protocol], ...otlpVariables('PROTOCOL'));
  const compression = firstGiven(
    env,
    ['otlp.compression', otlp.compression],
    ...otlpVariables('COMPRESSION'),
  );
  const timeout = firstGiven(env, ['otlp.timeoutMs', otlp.timeoutMs], ...otlpVariables('TIMEOUT'));
  const headers = otlpVariables('HEADERS').reverse();
  return {
    url: resolveOtlpUrl(otlp.url, env),
    protocol: protocol
      ? parseChoice(protocol.setting, protocol.value, Object.values(OtlpProtocol))
      : OtlpProtocol.Protobuf,
    headers: Object.assign(
      {},
      ...headers.map((name) => parseHeaders(name, parseKeyValues(name, readEnv(env, name) ?? ''))),
      parseHeaders('otlp.headers', otlp.headers ?? {}),
    ) as Record<string, string>,
    compression: compression
      ? parseChoice(compression.setting, compression.value, Object.values(OtlpCompression))
      : OtlpCompression.None,
    timeoutMs: timeout ? parseMillis(timeout.setting, timeout.value) : DEFAULT_OTLP_TIMEOUT_MS,
  };
}

function resolveOtlpUrl(option: string | undefined, env: Env): URL {
  if (option !== undefined) return parseHttpUrl('otlp.url', option);
  const traces = readEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) return parseHttpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces);
  const base = readEnv(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? DEFAULT_OTLP_ENDPOINT;
  const url = parseHttpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${OTLP_TRACES_PATH}`;
  return url;
}

function resolveDaemon(options: TracingOptions, env: Env): { host: string; port: number } {
  const address = firstGiven(
    env,
    ['xrayDaemonAddress', options.xrayDaemonAddress],
    'AWS_XRAY_DAEMON_ADDRESS',
  ) ?? { setting: 'AWS_XRAY_DAEMON_ADDRESS', value: DEFAULT_XRAY_DAEMON_ADDRESS };
  return parseDaemonAddress(address.setting, address.value);
}

function resolveSampler(options: TracingOptions, env: Env): Sampler {
  if (typeof options.sampler === 'object') return options.sampler;
  const given = firstGiven(env, ['sampler', options.sampler], 'OTEL_TRACES_SAMPLER');
  const name = given
    ? parseChoice(given.setting, given.value, Object.values(SamplerName))
    : SamplerName.ParentBasedAlwaysOn;
  const arg = usesRatio(name)
    ? firstGiven(env, ['samplerArg', options.samplerArg], 'OTEL_TRACES_SAMPLER_ARG')
    : undefined;
  return createSampler(name, arg ? parseRatio(arg.setting, arg.value) : DEFAULT_SAMPLER_RATIO);
}

function resolvePropagators(options: TracingOptions, env: Env): TextMapPropagator[] {
  const { names, instances } = namesAndInstances<PropagatorName, TextMapPropagator>(
    { setting: 'propagators', value: options.propagators },
    { env, name: 'OTEL_PROPAGATORS' },
    Object.values(PropagatorName),
    DEFAULT_PROPAGATORS,
  );
  return [...createPropagators([...new Set(names)]), ...instances];
}

function resolveLogLevel(options: TracingOptions, env: Env): DiagLogLevel | undefined {
  const given = firstGiven(env, ['logLevel', options.logLevel], 'OTEL_LOG_LEVEL');
  const level = given
    ? parseChoice(given.setting, given.value, Object.values(LogLevel))
    : LogLevel.Warn;
  return level === LogLevel.None ? undefined : DIAG_LEVELS[level];
}
