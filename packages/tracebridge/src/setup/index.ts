export { AsyncLocalStorageContextManager } from './context-manager.js';
export { TracingConfigError } from './errors.js';
export { DEFAULT_FLUSH_TIMEOUT_MS, flushTracing } from './flush.js';
export { toOtlpJson } from './exporters/otlp/json.js';
export { RandomIdGenerator, XRayIdGenerator } from './id-generator.js';
export { initTracing } from './init.js';
export { recordLambdaContext } from './lambda-context.js';
export {
  ExporterName,
  LogLevel,
  OtlpCompression,
  OtlpProtocol,
  PropagatorName,
  SamplerName,
  type BatchOptions,
  type OtlpOptions,
  type TracingOptions,
} from './options.js';
export type { FlushResult, Tracing } from './tracing.js';
