// The local collector: OTLP/HTTP and X-Ray daemon receivers on 127.0.0.1, a bounded trace
// store that assembles traces and resolves links, forwarding, saving and loading, and the
// OTLP decoders underneath. docs/collector-api.md describes the HTTP side.
export { MAX_FILTER_CHARS, MAX_LIST_LIMIT } from './api.js';
export { CollectorStartError, SavedTracesError } from './errors.js';
export { ExportTooLargeError, MAX_MESSAGES_PER_EXPORT } from './export-limits.js';
export {
  FORWARD_QUEUE_MAX_BYTES,
  FORWARD_QUEUE_MAX_EXPORTS,
  FORWARD_TIMEOUT_MS,
  type ForwardStats,
} from './forward.js';
export { OTLP_TRACES_PATH, type OtlpHttpStats } from './http-routes.js';
export type { MessageHop } from './messaging.js';
export { decodeExportTraceServiceRequest } from './otlp-decode.js';
export {
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  MAX_BODY_BYTES,
  OtlpContentType,
  otlpContentType,
  type ReceivedExport,
} from './otlp-http.js';
export { OtlpJsonError, parseOtlpJson } from './otlp-json.js';
export { ProtobufDecodeError } from './protobuf-reader.js';
export {
  loadSavedTraces,
  SAVE_MAX_BUFFERED_BYTES,
  type SaveStats,
  toOtlpJsonLine,
} from './save.js';
export {
  type CollectorOptions,
  type CollectorStats,
  type ConnectionStats,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_OTLP_HTTP_PORT,
  REQUEST_TIMEOUT_MS,
  type RunningCollector,
  startCollector,
} from './server.js';
export {
  type Attributes,
  type JsonValue,
  MAX_ATTRIBUTE_DEPTH,
  SpanKindName,
  StatusCodeName,
  type StoredEvent,
  type StoredLink,
  type StoredResource,
  type StoredScope,
  type StoredSpan,
  toStoredSpans,
  UNKNOWN_SERVICE,
} from './span-model.js';
export {
  type AddResult,
  type AttributeFilter,
  createTraceStore,
  DEFAULT_LIST_LIMIT,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_SPANS,
  DEFAULT_MAX_TRACES,
  type SpansAdded,
  type TraceFilter,
  type TraceList,
  type TraceStore,
  type TraceStoreOptions,
  type TraceStoreStats,
} from './store.js';
export type {
  IncomingLink,
  LinkTarget,
  ResolvedLink,
  TraceDetail,
  TraceSpan,
  TraceSummary,
} from './trace-view.js';
export {
  DEFAULT_XRAY_PORT,
  parseXRayDatagram,
  type RunningXRayListener,
  startXRayListener,
  XRayDatagramError,
  type XRayListenerOptions,
  type XRayListenerStats,
} from './xray-udp.js';
export type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpExportTraceServiceRequest,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpLink,
  OtlpResource,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatus,
} from './otlp-types.js';
export { LOOPBACK_HOST } from '../loopback.js';
