// Decodes an OTLP/HTTP protobuf body (opentelemetry.proto.collector.trace.v1.
// ExportTraceServiceRequest) into the JSON-shaped model of otlp-types.ts. Field numbers are
// those of opentelemetry-proto v1 (trace.proto, common.proto, resource.proto); unknown fields
// are skipped, as protobuf requires, so newer exporters still decode.

import {
  fieldNumber,
  ProtobufDecodeError,
  ProtobufReader,
  WireType,
  wireTypeOf,
} from './protobuf-reader.js';
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

// Shared by every attribute without a value, rather than a new object for each: the model is
// read-only.
const UNSET_VALUE: OtlpAnyValue = Object.freeze({});

/**
 * Decodes the body of an OTLP/HTTP protobuf trace export.
 *
 * @throws {ProtobufDecodeError} when the bytes are not a well-formed request.
 * @example
 * const request = decodeExportTraceServiceRequest(new Uint8Array(body));
 * const names = request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
 */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): OtlpExportTraceServiceRequest {
  // One reader for the whole body, narrowed to each sub-message in turn: a reader or a tag
  // object per field and per attribute cost more than the rest of decoding a span.
  const reader = new ProtobufReader(bytes);
  const resourceSpans: OtlpResourceSpans[] = [];
  while (!reader.done) {
    const tag = reader.fieldTag();
    if (fieldNumber(tag) === 1) resourceSpans.push(nested(reader, tag, decodeResourceSpans));
    else reader.skip(wireTypeOf(tag));
  }
  return { resourceSpans };
}

function expectWireType(tag: number, wireType: number): void {
  if (wireTypeOf(tag) !== wireType) {
    throw new ProtobufDecodeError(
      `field ${fieldNumber(tag)} has wire type ${wireTypeOf(tag)}, expected ${wireType}`,
    );
  }
}

/** Decodes the sub-message the reader is at with `decode`, reading it in place. */
function nested<T>(reader: ProtobufReader, tag: number, decode: (reader: ProtobufReader) => T): T {
  if (wireTypeOf(tag) !== WireType.LengthDelimited) {
    throw new ProtobufDecodeError(`a sub-message has wire type ${wireTypeOf(tag)}`);
  }
  const outerEnd = reader.enter();
  const value = decode(reader);
  reader.leave(outerEnd);
  return value;
}

function string(reader: ProtobufReader, tag: number): string {
  expectWireType(tag, WireType.LengthDelimited);
  return reader.string();
}

function hex(reader: ProtobufReader, tag: number): string {
  expectWireType(tag, WireType.LengthDelimited);
  return reader.hex();
}

function uint(reader: ProtobufReader, tag: number): number {
  expectWireType(tag, WireType.Varint);
  return reader.varint();
}

function fixed32(reader: ProtobufReader, tag: number): number {
  expectWireType(tag, WireType.Fixed32);
  return reader.fixed32();
}

function nanos(reader: ProtobufReader, tag: number): string {
  expectWireType(tag, WireType.Fixed64);
  return reader.fixed64Decimal();
}

function decodeResourceSpans(reader: ProtobufReader): OtlpResourceSpans {
  let resource: OtlpResource = { attributes: [], droppedAttributesCount: 0 };
  const scopeSpans: OtlpScopeSpans[] = [];
  let schemaUrl = '';
  while (!reader.done) {
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) resource = nested(reader, tag, decodeResource);
    else if (field === 2) scopeSpans.push(nested(reader, tag, decodeScopeSpans));
    else if (field === 3) schemaUrl = string(reader, tag);
    else reader.skip(wireTypeOf(tag));
  }
  return { resource, scopeSpans, schemaUrl };
}

function decodeResource(reader: ProtobufReader): OtlpResource {
  const attributes: OtlpKeyValue[] = [];
  let droppedAttributesCount = 0;
  while (!reader.done) {
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) attributes.push(nested(reader, tag, decodeKeyValue));
    else if (field === 2) droppedAttributesCount = uint(reader, tag);
    else reader.skip(wireTypeOf(tag));
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
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) scope = nested(reader, tag, decodeScope);
    else if (field === 2) spans.push(nested(reader, tag, decodeSpan));
    else if (field === 3) schemaUrl = string(reader, tag);
    else reader.skip(wireTypeOf(tag));
  }
  return { scope, spans, schemaUrl };
}

function decodeScope(reader: ProtobufReader): OtlpInstrumentationScope {
  let name = '';
  let version = '';
  const attributes: OtlpKeyValue[] = [];
  let droppedAttributesCount = 0;
  while (!reader.done) {
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) name = string(reader, tag);
    else if (field === 2) version = string(reader, tag);
    else if (field === 3) attributes.push(nested(reader, tag, decodeKeyValue));
    else if (field === 4) droppedAttributesCount = uint(reader, tag);
    else reader.skip(wireTypeOf(tag));
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
    const tag = reader.fieldTag();
    switch (fieldNumber(tag)) {
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
        span.attributes.push(nested(reader, tag, decodeKeyValue));
        break;
      case 10:
        span.droppedAttributesCount = uint(reader, tag);
        break;
      case 11:
        span.events.push(nested(reader, tag, decodeEvent));
        break;
      case 12:
        span.droppedEventsCount = uint(reader, tag);
        break;
      case 13:
        span.links.push(nested(reader, tag, decodeLink));
        break;
      case 14:
        span.droppedLinksCount = uint(reader, tag);
        break;
      case 15:
        span.status = nested(reader, tag, decodeStatus);
        break;
      case 16:
        span.flags = fixed32(reader, tag);
        break;
      default:
        reader.skip(wireTypeOf(tag));
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
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) timeUnixNano = nanos(reader, tag);
    else if (field === 2) name = string(reader, tag);
    else if (field === 3) attributes.push(nested(reader, tag, decodeKeyValue));
    else if (field === 4) droppedAttributesCount = uint(reader, tag);
    else reader.skip(wireTypeOf(tag));
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
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) traceId = hex(reader, tag);
    else if (field === 2) spanId = hex(reader, tag);
    else if (field === 3) traceState = string(reader, tag);
    else if (field === 4) attributes.push(nested(reader, tag, decodeKeyValue));
    else if (field === 5) droppedAttributesCount = uint(reader, tag);
    else if (field === 6) flags = fixed32(reader, tag);
    else reader.skip(wireTypeOf(tag));
  }
  return { traceId, spanId, traceState, attributes, droppedAttributesCount, flags };
}

function decodeStatus(reader: ProtobufReader): OtlpStatus {
  let message = '';
  let code = 0;
  while (!reader.done) {
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 2) message = string(reader, tag);
    else if (field === 3) code = uint(reader, tag);
    else reader.skip(wireTypeOf(tag));
  }
  return { message, code };
}

function decodeKeyValue(reader: ProtobufReader): OtlpKeyValue {
  let key = '';
  let value: OtlpAnyValue = UNSET_VALUE;
  while (!reader.done) {
    const tag = reader.fieldTag();
    const field = fieldNumber(tag);
    if (field === 1) key = string(reader, tag);
    else if (field === 2) value = nested(reader, tag, decodeAnyValue);
    else reader.skip(wireTypeOf(tag));
  }
  return { key, value };
}

function decodeAnyValue(reader: ProtobufReader): OtlpAnyValue {
  // A oneof: when a writer sets several members, the last one on the wire wins.
  let value: OtlpAnyValue = UNSET_VALUE;
  while (!reader.done) {
    const tag = reader.fieldTag();
    switch (fieldNumber(tag)) {
      case 1:
        value = { stringValue: string(reader, tag) };
        break;
      case 2:
        value = { boolValue: uint(reader, tag) !== 0 };
        break;
      case 3:
        expectWireType(tag, WireType.Varint);
        value = { intValue: reader.int64Decimal() };
        break;
      case 4:
        expectWireType(tag, WireType.Fixed64);
        value = { doubleValue: reader.double() };
        break;
      case 5:
        value = { arrayValue: { values: nested(reader, tag, decodeArray) } };
        break;
      case 6:
        value = { kvlistValue: { values: nested(reader, tag, decodeKeyValueList) } };
        break;
      case 7:
        expectWireType(tag, WireType.LengthDelimited);
        value = { bytesValue: reader.bytesField().toString('base64') };
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return value;
}

function decodeArray(reader: ProtobufReader): OtlpAnyValue[] {
  const values: OtlpAnyValue[] = [];
  while (!reader.done) {
    const tag = reader.fieldTag();
    if (fieldNumber(tag) === 1) values.push(nested(reader, tag, decodeAnyValue));
    else reader.skip(wireTypeOf(tag));
  }
  return values;
}

function decodeKeyValueList(reader: ProtobufReader): OtlpKeyValue[] {
  const values: OtlpKeyValue[] = [];
  while (!reader.done) {
    const tag = reader.fieldTag();
    if (fieldNumber(tag) === 1) values.push(nested(reader, tag, decodeKeyValue));
    else reader.skip(wireTypeOf(tag));
  }
  return values;
}
