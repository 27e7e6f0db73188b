// Encodes ReadableSpans as an OTLP ExportTraceServiceRequest (opentelemetry-proto v1:
// collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto).
// Fields are written in field-number order and, as proto3 does, fields holding their
// default value (0, empty) are left out.

import {
  type Attributes,
  type AttributeValue,
  type Link,
  SpanStatusCode,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import {
  groupSpans,
  hrTimeToNanos,
  isInt64,
  otlpSpanKind,
  type ScopeGroup,
  spanFlags,
} from './common.js';
import { ProtobufWriter, WireType } from './protobuf-writer.js';

const { Varint, Fixed64, LengthDelimited, Fixed32 } = WireType;

/**
 * The protobuf body of an OTLP/HTTP trace export.
 *
 * @example
 * const body = encodeTraceRequest(spans); // POST as application/x-protobuf
 */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const writer = new ProtobufWriter();
  for (const { resource, scopes } of groupSpans(spans)) {
    writer.tag(1, LengthDelimited); // ExportTraceServiceRequest.resource_spans
    const start = writer.begin();
    writeResource(writer, resource);
    for (const group of scopes) writeScopeSpans(writer, group);
    if (resource.schemaUrl) writeString(writer, 3, resource.schemaUrl);
    writer.end(start);
  }
  return writer.finish();
}

function writeString(writer: ProtobufWriter, field: number, value: string): void {
  writer.tag(field, LengthDelimited);
  writer.string(value);
}

function writeCount(writer: ProtobufWriter, field: number, value: number): void {
  if (value === 0) return;
  writer.tag(field, Varint);
  writer.uint32(value);
}

function writeResource(writer: ProtobufWriter, resource: Resource): void {
  writer.tag(1, LengthDelimited); // ResourceSpans.resource
  const start = writer.begin();
  writeAttributes(writer, 1, resource.attributes);
  writer.end(start);
}

function writeScopeSpans(writer: ProtobufWriter, { scope, spans }: ScopeGroup): void {
  writer.tag(2, LengthDelimited); // ResourceSpans.scope_spans
  const start = writer.begin();
  writeScope(writer, scope);
  for (const span of spans) writeSpan(writer, span);
  if (scope.schemaUrl) writeString(writer, 3, scope.schemaUrl);
  writer.end(start);
}

function writeScope(writer: ProtobufWriter, scope: ReadableSpan['instrumentationScope']): void {
  writer.tag(1, LengthDelimited); // ScopeSpans.scope
  const start = writer.begin();
  if (scope.name) writeString(writer, 1, scope.name);
  if (scope.version) writeString(writer, 2, scope.version);
  writer.end(start);
}

function writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
  writer.tag(2, LengthDelimited); // ScopeSpans.spans
  const start = writer.begin();
  const context = span.spanContext();
  writer.tag(1, LengthDelimited);
  writer.hexBytes(context.traceId);
  writer.tag(2, LengthDelimited);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) writeString(writer, 3, traceState);
  const parentSpanId = span.parentSpanContext?.spanId;
  if (parentSpanId) {
    writer.tag(4, LengthDelimited);
    writer.hexBytes(parentSpanId);
  }
  if (span.name) writeString(writer, 5, span.name);
  writer.tag(6, Varint);
  writer.uint32(otlpSpanKind(span.kind));
  writer.tag(7, Fixed64);
  writer.fixed64(hrTimeToNanos(span.startTime));
  writer.tag(8, Fixed64);
  writer.fixed64(hrTimeToNanos(span.endTime));
  writeAttributes(writer, 9, span.attributes);
  writeCount(writer, 10, span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writeCount(writer, 12, span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writeCount(writer, 14, span.droppedLinksCount);
  const { code, message } = span.status;
  if (code !== SpanStatusCode.UNSET || message) {
    writer.tag(15, LengthDelimited);
    const status = writer.begin();
    if (message) writeString(writer, 2, message);
    writeCount(writer, 3, code);
    writer.end(status);
  }
  writer.tag(16, Fixed32);
  writer.fixed32(spanFlags(context.traceFlags, span.parentSpanContext?.isRemote));
  writer.end(start);
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  writer.tag(11, LengthDelimited); // Span.events
  const start = writer.begin();
  writer.tag(1, Fixed64);
  writer.fixed64(hrTimeToNanos(event.time));
  if (event.name) writeString(writer, 2, event.name);
  writeAttributes(writer, 3, event.attributes);
  writeCount(writer, 4, event.droppedAttributesCount ?? 0);
  writer.end(start);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  writer.tag(13, LengthDelimited); // Span.links
  const start = writer.begin();
  writer.tag(1, LengthDelimited);
  writer.hexBytes(link.context.traceId);
  writer.tag(2, LengthDelimited);
  writer.hexBytes(link.context.spanId);
  const traceState = link.context.traceState?.serialize();
  if (traceState) writeString(writer, 3, traceState);
  writeAttributes(writer, 4, link.attributes);
  writeCount(writer, 5, link.droppedAttributesCount ?? 0);
  writer.tag(6, Fixed32);
  writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
  writer.end(start);
}

function writeAttributes(writer: ProtobufWriter, field: number, attributes?: Attributes): void {
  if (!attributes) return;
  for (const key of Object.keys(attributes)) {
    writer.tag(field, LengthDelimited); // repeated KeyValue
    const start = writer.begin();
    writeString(writer, 1, key);
    writer.tag(2, LengthDelimited);
    writeAnyValue(writer, attributes[key]);
    writer.end(start);
  }
}

/** An AnyValue message, tag excluded; unset values (null, undefined) leave it empty. */
function writeAnyValue(writer: ProtobufWriter, value: AttributeValue | null | undefined): void {
  const start = writer.begin();
  if (typeof value === 'string') {
    writeString(writer, 1, value);
  } else if (typeof value === 'boolean') {
    writer.tag(2, Varint);
    writer.uint32(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (isInt64(value)) {
      writer.tag(3, Varint);
      writer.int64(value);
    } else {
      writer.tag(4, Fixed64);
      writer.double(value);
    }
  } else if (Array.isArray(value)) {
    writer.tag(5, LengthDelimited);
    const array = writer.begin();
    for (const item of value) {
      writer.tag(1, LengthDelimited);
      writeAnyValue(writer, item);
    }
    writer.end(array);
  }
  writer.end(start);
}
