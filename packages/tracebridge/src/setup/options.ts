import type { Attributes, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';

/** Exporter names, as `OTEL_TRACES_EXPORTER` spells them. */
export const ExporterName = {
  /** OTLP over HTTP to a collector (protobuf or JSON). */
  Otlp: 'otlp',
  /** One line of OTLP/JSON per batch on stdout. */
  Console: 'console',
  /** UDP datagrams to the X-Ray daemon. */
  XRay: 'xray',
  /** No exporter: spans are sampled and dropped. */
  None: 'none',
} as const;
export type ExporterName = (typeof ExporterName)[keyof typeof ExporterName];

/** Sampler names, as `OTEL_TRACES_SAMPLER` spells them. */
export const SamplerName = {
  AlwaysOn: 'always_on',
  AlwaysOff: 'always_off',
  TraceIdRatio: 'traceidratio',
  ParentBasedAlwaysOn: 'parentbased_always_on',
  ParentBasedAlwaysOff: 'parentbased_always_off',
  ParentBasedTraceIdRatio: 'parentbased_traceidratio',
} as const;
export type SamplerName = (typeof SamplerName)[keyof typeof SamplerName];

/** Propagator names, as `OTEL_PROPAGATORS` spells them. */
export const PropagatorName = {
  TraceContext: 'tracecontext',
  Baggage: 'baggage',
  XRay: 'xray',
  None: 'none',
} as const;
export type PropagatorName = (typeof PropagatorName)[keyof typeof PropagatorName];

/** OTLP/HTTP encodings, as `OTEL_EXPORTER_OTLP_PROTOCOL` spells them. */
export const OtlpProtocol = {
  Protobuf: 'http/protobuf',
  Json: 'http/json',
} as const;
export type OtlpProtocol = (typeof OtlpProtocol)[keyof typeof OtlpProtocol];

/** OTLP body compressions, as `OTEL_EXPORTER_OTLP_COMPRESSION` spells them. */
export const OtlpCompression = {
  None: 'none',
  Gzip: 'gzip',
} as const;
export type OtlpCompression = (typeof OtlpCompression)[keyof typeof OtlpCompression];

/** Diagnostic log levels, as `OTEL_LOG_LEVEL` spells them (lower case). */
export const LogLevel = {
  /** Leave the OpenTelemetry diagnostic logger alone. */
  None: 'none',
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
  Verbose: 'verbose',
  All: 'all',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Where and how the `otlp` exporter sends. Each field overrides its environment variable. */
export interface OtlpOptions {
  /**
   * Full URL of the traces endpoint, used as is (like `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
   * Default: `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`.
   */
  readonly url?: string;
  /** Default: `http/protobuf`. */
  readonly protocol?: OtlpProtocol;
  /** Extra request headers (authentication, tenant); merged over the environment's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default: `none` (a collector on the same host gains nothing from gzip). */
  readonly compression?: OtlpCompression;
  /** How long one export request may take. Default: 10 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The BatchSpanProcessor's settings, shaped like the SDK's `BufferConfig`. Each overrides its
 * `OTEL_BSP_*` variable.
 */
export interface BatchOptions {
  /** How long the processor waits before exporting on its own. Default: 5 000 ms. */
  readonly scheduledDelayMillis?: number;
  /** How long one export may take before the processor gives up on it. Default: 30 000 ms. */
  readonly exportTimeoutMillis?: number;
  /** Spans held at most; later ones are dropped. Default: 2 048. */
  readonly maxQueueSize?: number;
  /** Spans per export at most. Default: 512. */
  readonly maxExportBatchSize?: number;
}

/** Options of `initTracing`. Every field is optional; each overrides its environment variable. */
export interface TracingOptions {
  /** `service.name`. Default: `OTEL_SERVICE_NAME`, else `AWS_LAMBDA_FUNCTION_NAME`. */
  readonly serviceName?: string;
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly resourceAttributes?: Attributes;
  /**
   * Exporter names and/or exporter instances; each gets its own BatchSpanProcessor.
   * Default: `OTEL_TRACES_EXPORTER` (comma separated), else `otlp`.
   */
  readonly exporters?: ReadonlyArray<ExporterName | SpanExporter>;
  /** Settings of the `otlp` exporter. */
  readonly otlp?: OtlpOptions;
  /** `host:port` of the X-Ray daemon. Default: `AWS_XRAY_DAEMON_ADDRESS`, else `127.0.0.1:2000`. */
  readonly xrayDaemonAddress?: string;
  /** A sampler name or instance. Default: `OTEL_TRACES_SAMPLER`, else `parentbased_always_on`. */
  readonly sampler?: SamplerName | Sampler;
  /** The ratio of the `*traceidratio` samplers. Default: `OTEL_TRACES_SAMPLER_ARG`, else 1. */
  readonly samplerArg?: number;
  /** Propagator names and/or instances. Default: `OTEL_PROPAGATORS`, else tracecontext, baggage. */
  readonly propagators?: ReadonlyArray<PropagatorName | TextMapPropagator>;
  /** X-Ray compatible trace ids (first 8 hex digits = epoch seconds). Default: true. */
  readonly xrayIds?: boolean;
  /** BatchSpanProcessor settings. Default: the `OTEL_BSP_*` variables, else the SDK's. */
  readonly batch?: BatchOptions;
  /**
   * Installs a console diagnostic logger at this level, so tracebridge's warnings (an
   * unreachable collector, say) reach the function's logs. `none` leaves the diagnostic
   * logger alone. Default: `OTEL_LOG_LEVEL`, else `warn`.
   */
  readonly logLevel?: LogLevel;
  /** The environment to read. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
