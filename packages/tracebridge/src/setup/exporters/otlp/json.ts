// Encodes ReadableSpans as OTLP/JSON: the proto3 JSON mapping of ExportTraceServiceRequest
// with OTLP's exceptions (trace and span ids in hex, enums as numbers; OTLP specification,
// "JSON Protobuf Encoding"). 64-bit integers are decimal strings, as proto3 JSON has them.

import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { groupSpans, hrTimeToNanos, isInt64, otlpSpanKind, spanFlags } from './common.js';

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/**
 * The OTLP/JSON request object for a batch of spans (pass it to `JSON.stringify`).
 *
 * @example
 * const body = JSON.stringify(toOtlpJson(spans)); // POST as application/json
 */
export function toOtlpJson(spans: readonly ReadableSpan[]): JsonObject {
  return {
    resourceSpans: groupSpans(spans).map(({ resource, scopes }) =>
      withOptional(
        {
          resource: { attributes: keyValues(resource.attributes) },
          scopeSpans: scopes.map(({ scope, spans: scoped }) =>
            withOptional(
              {
                scope: withOptional({ name: scope.name }, { version: scope.version }),
                spans: scoped.map(spanJson),
              },
              { schemaUrl: scope.schemaUrl },
            ),
          ),
        },
        { schemaUrl: resource.schemaUrl },
      ),
    ),
  };
}

/** Adds the entries whose value is neither undefined nor empty. */
function withOptional(
  object: JsonObject,
  optional: Readonly<Record<string, JsonValue | undefined>>,
): JsonObject {
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined && value !== '' && value !== 0) object[key] = value;
  }
  return object;
}

function spanJson(span: ReadableSpan): JsonObject {
  const context = span.spanContext();
  const { code, message } = span.status;
  return withOptional(
    {
      traceId: context.traceId,
      spanId: context.spanId,
      name: span.name,
      kind: otlpSpanKind(span.kind),
      startTimeUnixNano: hrTimeToNanos(span.startTime).toString(),
      endTimeUnixNano: hrTimeToNanos(span.endTime).toString(),
      attributes: keyValues(span.attributes),
      events: span.events.map(eventJson),
      links: span.links.map(linkJson),
      flags: spanFlags(context.traceFlags, span.parentSpanContext?.isRemote),
    },
    {
      status: code || message ? withOptional({}, { code, message }) : undefined,
      traceState: context.traceState?.serialize(),
      parentSpanId: span.parentSpanContext?.spanId,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    },
  );
}

function eventJson(event: TimedEvent): JsonObject {
  return withOptional(
    {
      timeUnixNano: hrTimeToNanos(event.time).toString(),
      name: event.name,
      attributes: keyValues(event.attributes),
    },
    { droppedAttributesCount: event.droppedAttributesCount },
  );
}

function linkJson(link: Link): JsonObject {
  return withOptional(
    {
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: keyValues(link.attributes),
      flags: spanFlags(link.context.traceFlags, link.context.isRemote),
    },
    {
      traceState: link.context.traceState?.serialize(),
      droppedAttributesCount: link.droppedAttributesCount,
    },
  );
}

function keyValues(attributes: Attributes | undefined): JsonObject[] {
  if (!attributes) return [];
  return Object.keys(attributes).map((key) => ({ key, value: anyValue(attributes[key]) }));
}

function anyValue(value: AttributeValue | null | undefined): JsonObject {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (isInt64(value)) return { intValue: BigInt(value).toString() };
    // proto3 JSON spells the non-finite doubles "NaN", "Infinity" and "-Infinity".
    return { doubleValue: Number.isFinite(value) ? value : String(value) };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return {};
}
