// The trace data model of OTLP, in the shape of its JSON encoding (camelCase fields, hex
// trace and span ids, 64-bit integers as decimal strings). The protobuf decoder produces it
// with every default filled in, so the collector handles both wire formats with one model.

/** One attribute value; an empty object is the unset value. */
export type OtlpAnyValue =
  | { readonly stringValue: string }
  | { readonly boolValue: boolean }
  | { readonly intValue: string }
  | { readonly doubleValue: number }
  | { readonly arrayValue: { readonly values: readonly OtlpAnyValue[] } }
  | { readonly kvlistValue: { readonly values: readonly OtlpKeyValue[] } }
  | { readonly bytesValue: string }
  | Readonly<Record<string, never>>;

export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

export interface OtlpResource {
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

export interface OtlpInstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

export interface OtlpStatus {
  readonly message: string;
  /** 0 unset, 1 ok, 2 error. */
  readonly code: number;
}

export interface OtlpEvent {
  readonly timeUnixNano: string;
  readonly name: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

export interface OtlpLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

export interface OtlpSpan {
  readonly traceId: string;
  /** Hex; empty for a root span. */
  readonly parentSpanId: string;
  readonly spanId: string;
  readonly traceState: string;
  /** W3C trace flags in the low byte, remote-parent bits 8 and 9. */
  readonly flags: number;
  readonly name: string;
  /** 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly OtlpEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly OtlpLink[];
  readonly droppedLinksCount: number;
  readonly status: OtlpStatus;
}

export interface OtlpScopeSpans {
  readonly scope: OtlpInstrumentationScope;
  readonly spans: readonly OtlpSpan[];
  readonly schemaUrl: string;
}

export interface OtlpResourceSpans {
  readonly resource: OtlpResource;
  readonly scopeSpans: readonly OtlpScopeSpans[];
  readonly schemaUrl: string;
}

export interface OtlpExportTraceServiceRequest {
  readonly resourceSpans: readonly OtlpResourceSpans[];
}
