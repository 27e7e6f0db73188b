// Decodes an OTLP/HTTP protobuf body (opentelemetry.proto.collector.trace.v1.
// ExportTraceServiceRequest) into the JSON-shaped model of otlp-types.ts. Field numbers are
// those of opentelemetry-proto v1 (trace.proto, common.proto, resource.proto); unknown fields
// are skipped, as protobuf requires, so newer exporters still decode.

import { ProtobufDecodeError, ProtobufReader, WireType } from './protobuf-reader.js';
import type {
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

/**
 * Decodes the body of an OTLP/HTTP protobuf trace export.
 *
 * @throws {ProtobufDecodeError} when the bytes are not a well-formed request.
 * @example
 * const request = decodeExportTraceServiceRequest(new Uint8Array(body));
 * const names = request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
 */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): OtlpExportTraceServiceRequest {
  const reader = new ProtobufReader(bytes);
  const resourceSpans: OtlpResourceSpans[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) resourceSpans.push(decodeResourceSpans(nested(reader, tag.wireType)));
    else reader.skip(tag.wireType);
  }
  return { resourceSpans };
}

type Tag = ReturnType<ProtobufReader['tag']>;

function expectWireType(tag: Tag, wireType: number): void {
  if (tag.wireType !== wireType) {
    throw new ProtobufDecodeError(
      `field ${tag.field} has wire type ${tag.wireType}, expected ${wireType}`,
    );
  }
}

function nested(reader: ProtobufReader, wireType: number): ProtobufReader {
  if (wireType !== WireType.LengthDelimited) {
    throw new ProtobufDecodeError(`a sub-message has wire type ${wireType}`);
  }
  return reader.message();
}

function string(reader: ProtobufReader, tag: Tag): string {
  expectWireType(tag, WireType.LengthDelimited);
  return reader.string();
}

function hex(reader: ProtobufReader, tag: Tag): string {
  expectWireType(tag, WireType.LengthDelimited);
  return reader.hex();
}

function uint(reader: ProtobufReader, tag: Tag): number {
  expectWireType(tag, WireType.Varint);
  return reader.varint();
}

function fixed32(reader: ProtobufReader, tag: Tag): number {
  expectWireType(tag, WireType.Fixed32);
  return reader.fixed32();
}

function nanos(reader: ProtobufReader, tag: Tag): string {
  expectWireType(tag, WireType.Fixed64);
  return reader.fixed64().toString();
}

function decodeResourceSpans(reader: ProtobufReader): OtlpResourceSpans {
  let resource: OtlpResource = { attributes: [], droppedAttributesCount: 0 };
  const scopeSpans: OtlpScopeSpans[] = [];
  let schemaUrl = '';
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) resource = decodeResource(nested(reader, tag.wireType));
    else if (tag.field === 2) scopeSpans.push(decodeScopeSpans(nested(reader, tag.wireType)));
    else if (tag.field === 3) schemaUrl = string(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { resource, scopeSpans, schemaUrl };
}

function decodeResource(reader: ProtobufReader): OtlpResource {
  const attributes: OtlpKeyValue[] = [];
  let droppedAttributesCount = 0;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) attributes.push(decodeKeyValue(nested(reader, tag.wireType)));
    else if (tag.field === 2) droppedAttributesCount = uint(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { attributes, droppedAttributesCount };
}

function decodeScopeSpans(reader: ProtobufReader): OtlpScopeSpans {
  let scope: OtlpInstrumentationScope = {
    name: '',
    version: '',
    attributes: [],
    droppedAttributesCount: 0,
  };
  const spans: OtlpSpan[] = [];
  let schemaUrl = '';
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) scope = decodeScope(nested(reader, tag.wireType));
    else if (tag.field === 2) spans.push(decodeSpan(nested(reader, tag.wireType)));
    else if (tag.field === 3) schemaUrl = string(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { scope, spans, schemaUrl };
}

function decodeScope(reader: ProtobufReader): OtlpInstrumentationScope {
  let name = '';
  let version = '';
  const attributes: OtlpKeyValue[] = [];
  let droppedAttributesCount = 0;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) name = string(reader, tag);
    else if (tag.field === 2) version = string(reader, tag);
    else if (tag.field === 3) attributes.push(decodeKeyValue(nested(reader, tag.wireType)));
    else if (tag.field === 4) droppedAttributesCount = uint(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { name, version, attributes, droppedAttributesCount };
}

function decodeSpan(reader: ProtobufReader): OtlpSpan {
  const span = {
    traceId: '',
    spanId: '',
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [] as OtlpKeyValue[],
    droppedAttributesCount: 0,
    events: [] as OtlpEvent[],
    droppedEventsCount: 0,
    links: [] as OtlpLink[],
    droppedLinksCount: 0,
    status: { message: '', code: 0 } as OtlpStatus,
  };
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag.field) {
      case 1:
        span.traceId = hex(reader, tag);
        break;
      case 2:
        span.spanId = hex(reader, tag);
        break;
      case 3:
        span.traceState = string(reader, tag);
        break;
      case 4:
        span.parentSpanId = hex(reader, tag);
        break;
      case 5:
        span.name = string(reader, tag);
        break;
      case 6:
        span.kind = uint(reader, tag);
        break;
      case 7:
        span.startTimeUnixNano = nanos(reader, tag);
        break;
      case 8:
        span.endTimeUnixNano = nanos(reader, tag);
        break;
      case 9:
        span.attributes.push(decodeKeyValue(nested(reader, tag.wireType)));
        break;
      case 10:
        span.droppedAttributesCount = uint(reader, tag);
        break;
      case 11:
        span.events.push(decodeEvent(nested(reader, tag.wireType)));
        break;
      case 12:
        span.droppedEventsCount = uint(reader, tag);
        break;
      case 13:
        span.links.push(decodeLink(nested(reader, tag.wireType)));
        break;
      case 14:
        span.droppedLinksCount = uint(reader, tag);
        break;
      case 15:
        span.status = decodeStatus(nested(reader, tag.wireType));
        break;
      case 16:
        span.flags = fixed32(reader, tag);
        break;
      default:
        reader.skip(tag.wireType);
    }
  }
  return span;
}

function decodeEvent(reader: ProtobufReader): OtlpEvent {
  let timeUnixNano = '0';
  let name = '';
  const attributes: OtlpKeyValue[] = [];
  let droppedAttributesCount = 0;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) timeUnixNano = nanos(reader, tag);
    else if (tag.field === 2) name = string(reader, tag);
    else if (tag.field === 3) attributes.push(decodeKeyValue(nested(reader, tag.wireType)));
    else if (tag.field === 4) droppedAttributesCount = uint(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { timeUnixNano, name, attributes, droppedAttributesCount };
}

function decodeLink(reader: ProtobufReader): OtlpLink {
  let traceId = '';
  let spanId = '';
  let traceState = '';
  const attributes: OtlpKeyValue[] = [];
  let droppedAttributesCount = 0;
  let flags = 0;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) traceId = hex(reader, tag);
    else if (tag.field === 2) spanId = hex(reader, tag);
    else if (tag.field === 3) traceState = string(reader, tag);
    else if (tag.field === 4) attributes.push(decodeKeyValue(nested(reader, tag.wireType)));
    else if (tag.field === 5) droppedAttributesCount = uint(reader, tag);
    else if (tag.field === 6) flags = fixed32(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { traceId, spanId, traceState, attributes, droppedAttributesCount, flags };
}

function decodeStatus(reader: ProtobufReader): OtlpStatus {
  let message = '';
  let code = 0;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 2) message = string(reader, tag);
    else if (tag.field === 3) code = uint(reader, tag);
    else reader.skip(tag.wireType);
  }
  return { message, code };
}

function decodeKeyValue(reader: ProtobufReader): OtlpKeyValue {
  let key = '';
  let value: OtlpAnyValue = {};
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) key = string(reader, tag);
    else if (tag.field === 2) value = decodeAnyValue(nested(reader, tag.wireType));
    else reader.skip(tag.wireType);
  }
  return { key, value };
}

function decodeAnyValue(reader: ProtobufReader): OtlpAnyValue {
  // A oneof: when a writer sets several members, the last one on the wire wins.
  let value: OtlpAnyValue = {};
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag.field) {
      case 1:
        value = { stringValue: string(reader, tag) };
        break;
      case 2:
        value = { boolValue: uint(reader, tag) !== 0 };
        break;
      case 3:
        expectWireType(tag, WireType.Varint);
        value = { intValue: reader.int64().toString() };
        break;
      case 4:
        expectWireType(tag, WireType.Fixed64);
        value = { doubleValue: reader.double() };
        break;
      case 5:
        value = { arrayValue: { values: decodeArray(nested(reader, tag.wireType)) } };
        break;
      case 6:
        value = { kvlistValue: { values: decodeKeyValueList(nested(reader, tag.wireType)) } };
        break;
      case 7:
        expectWireType(tag, WireType.LengthDelimited);
        value = { bytesValue: Buffer.from(reader.bytesField()).toString('base64') };
        break;
      default:
        reader.skip(tag.wireType);
    }
  }
  return value;
}

function decodeArray(reader: ProtobufReader): OtlpAnyValue[] {
  const values: OtlpAnyValue[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) values.push(decodeAnyValue(nested(reader, tag.wireType)));
    else reader.skip(tag.wireType);
  }
  return values;
}

function decodeKeyValueList(reader: ProtobufReader): OtlpKeyValue[] {
  const values: OtlpKeyValue[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    if (tag.field === 1) values.push(decodeKeyValue(nested(reader, tag.wireType)));
    else reader.skip(tag.wireType);
  }
  return values;
}
