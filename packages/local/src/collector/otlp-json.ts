// Reads an OTLP/HTTP JSON body into the model of otlp-types.ts, filling in the defaults
// JSON encoders leave out, so both wire formats reach the collector in the same shape.
// OTLP/JSON allows 64-bit integers as numbers or strings; both are accepted, and kept as
// decimal strings like the protobuf decoder does.

import { isRecord } from '../json.js';
import { messageBudget } from './export-limits.js';
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpExportTraceServiceRequest,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
} from './otlp-types.js';

/** Thrown for a JSON body that is not an OTLP trace export request. */
export class OtlpJsonError extends Error {
  override readonly name = 'OtlpJsonError';
}

type JsonObject = Readonly<Record<string, unknown>>;

// The items of every list count against one budget per request, as the protobuf decoder's
// sub-messages do. Module state is safe here: parsing is synchronous, one request at a time.
let budget = messageBudget();

function object(value: unknown, where: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new OtlpJsonError(`${where} is not an object`);
  return value;
}

function array(value: unknown, where: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpJsonError(`${where} is not an array`);
  budget.spend(value.length);
  return value;
}

function text(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpJsonError(`${where} is not a string`);
  return value;
}

function count(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  const parsed = typeof value === 'string' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 0) {
    throw new OtlpJsonError(`${where} is not a non-negative integer`);
  }
  return parsed;
}

// A 64-bit integer has at most 20 digits, and a sign. Longer strings are refused before BigInt
// reads them: BigInt parses and prints in time that grows faster than the length, and a
// 16 MiB string of digits held the event loop for many seconds.
const MAX_INT64_CHARS = 21;

function int64(value: unknown, where: string): string {
  if (value === undefined || value === null) return '0';
  const isInteger =
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'string' && value.length <= MAX_INT64_CHARS);
  if (isInteger) {
    try {
      return BigInt(value).toString();
    } catch {
      // falls through to the error below
    }
  }
  throw new OtlpJsonError(`${where} is not an integer`);
}

/**
 * Parses the JSON value of an OTLP/HTTP JSON trace export.
 *
 * @throws {OtlpJsonError} when the value is not an ExportTraceServiceRequest.
 * @throws {ExportTooLargeError} for more than MAX_MESSAGES_PER_EXPORT list items in all.
 * @example
 * const request = parseOtlpJson(JSON.parse(body));
 */
export function parseOtlpJson(value: unknown): OtlpExportTraceServiceRequest {
  budget = messageBudget();
  const request = object(value, 'the request');
  return {
    resourceSpans: array(request.resourceSpans, 'resourceSpans').map((item, i) =>
      resourceSpans(object(item, `resourceSpans[${i}]`), `resourceSpans[${i}]`),
    ),
  };
}

function resourceSpans(json: JsonObject, where: string): OtlpResourceSpans {
  const resource = object(json.resource, `${where}.resource`);
  return {
    resource: {
      attributes: keyValues(resource.attributes, `${where}.resource.attributes`),
      droppedAttributesCount: count(resource.droppedAttributesCount, `${where}.resource`),
    },
    scopeSpans: array(json.scopeSpans, `${where}.scopeSpans`).map((item, i) =>
      scopeSpans(object(item, `${where}.scopeSpans[${i}]`), `${where}.scopeSpans[${i}]`),
    ),
    schemaUrl: text(json.schemaUrl, `${where}.schemaUrl`),
  };
}

function scopeSpans(json: JsonObject, where: string): OtlpScopeSpans {
  const scope = object(json.scope, `${where}.scope`);
  return {
    scope: {
      name: text(scope.name, `${where}.scope.name`),
      version: text(scope.version, `${where}.scope.version`),
      attributes: keyValues(scope.attributes, `${where}.scope.attributes`),
      droppedAttributesCount: count(scope.droppedAttributesCount, `${where}.scope`),
    },
    spans: array(json.spans, `${where}.spans`).map((item, i) =>
      span(object(item, `${where}.spans[${i}]`), `${where}.spans[${i}]`),
    ),
    schemaUrl: text(json.schemaUrl, `${where}.schemaUrl`),
  };
}

function span(json: JsonObject, where: string): OtlpSpan {
  const status = object(json.status, `${where}.status`);
  return {
    traceId: text(json.traceId, `${where}.traceId`).toLowerCase(),
    spanId: text(json.spanId, `${where}.spanId`).toLowerCase(),
    traceState: text(json.traceState, `${where}.traceState`),
    parentSpanId: text(json.parentSpanId, `${where}.parentSpanId`).toLowerCase(),
    flags: count(json.flags, `${where}.flags`),
    name: text(json.name, `${where}.name`),
    kind: count(json.kind, `${where}.kind`),
    startTimeUnixNano: int64(json.startTimeUnixNano, `${where}.startTimeUnixNano`),
    endTimeUnixNano: int64(json.endTimeUnixNano, `${where}.endTimeUnixNano`),
    attributes: keyValues(json.attributes, `${where}.attributes`),
    droppedAttributesCount: count(json.droppedAttributesCount, `${where}.droppedAttributesCount`),
    events: array(json.events, `${where}.events`).map((item, i) =>
      event(object(item, `${where}.events[${i}]`), `${where}.events[${i}]`),
    ),
    droppedEventsCount: count(json.droppedEventsCount, `${where}.droppedEventsCount`),
    links: array(json.links, `${where}.links`).map((item, i) =>
      link(object(item, `${where}.links[${i}]`), `${where}.links[${i}]`),
    ),
    droppedLinksCount: count(json.droppedLinksCount, `${where}.droppedLinksCount`),
    status: {
      message: text(status.message, `${where}.status.message`),
      code: count(status.code, `${where}.status.code`),
    },
  };
}

function event(json: JsonObject, where: string): OtlpEvent {
  return {
    timeUnixNano: int64(json.timeUnixNano, `${where}.timeUnixNano`),
    name: text(json.name, `${where}.name`),
    attributes: keyValues(json.attributes, `${where}.attributes`),
    droppedAttributesCount: count(json.droppedAttributesCount, `${where}.droppedAttributesCount`),
  };
}

function link(json: JsonObject, where: string): OtlpLink {
  return {
    traceId: text(json.traceId, `${where}.traceId`).toLowerCase(),
    spanId: text(json.spanId, `${where}.spanId`).toLowerCase(),
    traceState: text(json.traceState, `${where}.traceState`),
    attributes: keyValues(json.attributes, `${where}.attributes`),
    droppedAttributesCount: count(json.droppedAttributesCount, `${where}.droppedAttributesCount`),
    flags: count(json.flags, `${where}.flags`),
  };
}

function keyValues(value: unknown, where: string): OtlpKeyValue[] {
  return array(value, where).map((item, i) => {
    const pair = object(item, `${where}[${i}]`);
    return {
      key: text(pair.key, `${where}[${i}].key`),
      value: anyValue(pair.value, `${where}[${i}].value`),
    };
  });
}

function anyValue(value: unknown, where: string): OtlpAnyValue {
  const json = object(value, where);
  if ('stringValue' in json) return { stringValue: text(json.stringValue, where) };
  if ('boolValue' in json) {
    if (typeof json.boolValue !== 'boolean') throw new OtlpJsonError(`${where} is not a boolean`);
    return { boolValue: json.boolValue };
  }
  if ('intValue' in json) return { intValue: int64(json.intValue, where) };
  if ('doubleValue' in json) return { doubleValue: double(json.doubleValue, where) };
  if ('arrayValue' in json) {
    const values = array(object(json.arrayValue, where).values, where);
    return { arrayValue: { values: values.map((item, i) => anyValue(item, `${where}[${i}]`)) } };
  }
  if ('kvlistValue' in json) {
    return { kvlistValue: { values: keyValues(object(json.kvlistValue, where).values, where) } };
  }
  if ('bytesValue' in json) return { bytesValue: text(json.bytesValue, where) };
  return {};
}

function double(value: unknown, where: string): number {
  // proto3 JSON writes the non-finite doubles as strings.
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  throw new OtlpJsonError(`${where} is not a number`);
}
