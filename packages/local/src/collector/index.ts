export { decodeExportTraceServiceRequest } from './otlp-decode.js';
export { OtlpJsonError, parseOtlpJson } from './otlp-json.js';
export { ProtobufDecodeError } from './protobuf-reader.js';
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
