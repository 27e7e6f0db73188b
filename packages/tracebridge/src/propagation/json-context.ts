import type { TextMapPropagator } from '@opentelemetry/api';
import { parseDatadogHeaders } from './datadog.js';
import {
  ContextCarrier,
  ContextFormat,
  contextFromSpanContext,
  contextFromTextMap,
  type ExtractedContext,
  extractWithPropagator,
  type FoundContext,
} from './extracted.js';
import {
  findLeadingContextMember,
  type JsonSource,
  parseJsonObject,
  removeRange,
} from './json-text.js';
import { DATADOG_KEY, OTEL_JSON_KEY, TRACEPARENT } from './names.js';
import { isPlainRecord, ownProperty, textMapGetter } from './propagator.js';

/** CloudEvents attribute present in every structured-mode event. */
const CLOUDEVENTS_SPEC_VERSION = 'specversion';

/** Substrings without which a JSON payload cannot carry a context, checked before parsing it. */
const CONTEXT_MARKERS = [`"${OTEL_JSON_KEY}"`, `"${DATADOG_KEY}"`, `"${TRACEPARENT}"`];

/**
 * Reads Datadog's carrier: an object of `x-datadog-*` fields, or the same as JSON text. dd-trace
 * also writes W3C fields into it; those win because they keep the full 128-bit ids.
 */
export function contextFromDatadog(
  value: unknown,
  propagator: TextMapPropagator,
): ExtractedContext | undefined {
  const headers = typeof value === 'string' ? parseJsonObject(value) : value;
  if (!isPlainRecord(headers)) return undefined;
  return (
    extractWithPropagator(headers, textMapGetter, propagator) ??
    contextFromSpanContext(parseDatadogHeaders(headers), ContextFormat.DATADOG)
  );
}

/**
 * Looks for a context in a parsed JSON object: its `_otel` key, its `_datadog` key, or the W3C
 * keys of a CloudEvent. Never throws on any input.
 */
export function contextFromJsonObject(
  object: Record<string, unknown>,
  propagator: TextMapPropagator,
): FoundContext | undefined {
  const otel = ownProperty(object, OTEL_JSON_KEY);
  const fromOtel = isPlainRecord(otel)
    ? contextFromTextMap(otel, propagator, ContextCarrier.JSON_PAYLOAD)
    : undefined;
  if (fromOtel) return fromOtel;
  const datadog = contextFromDatadog(ownProperty(object, DATADOG_KEY), propagator);
  if (datadog) return { extracted: datadog, carrier: ContextCarrier.DATADOG };
  return typeof ownProperty(object, CLOUDEVENTS_SPEC_VERSION) === 'string'
    ? contextFromTextMap(object, propagator, ContextCarrier.CLOUDEVENTS)
    : undefined;
}

function mayCarryContext(source: JsonSource): boolean {
  const haystack =
    typeof source === 'string'
      ? source
      : Buffer.from(source.buffer, source.byteOffset, source.length);
  return CONTEXT_MARKERS.some((marker) => haystack.includes(marker));
}

/** A JSON payload with tracebridge's leading `_otel` member removed, and the context found. */
export interface JsonPayloadReading<Source extends JsonSource> {
  readonly payload: Source;
  readonly found: FoundContext | undefined;
}

/**
 * Reads a payload that may be JSON: removes the leading `_otel` member tracebridge inserted (so
 * the payload is byte-for-byte the producer's) and, when asked, finds the context in it or,
 * failing that, anywhere at the top level of the object. Non-JSON payloads come back unchanged.
 */
export function readJsonPayload<Source extends JsonSource>(
  source: Source,
  propagator: TextMapPropagator,
  searchForContext = true,
): JsonPayloadReading<Source> {
  const leading = findLeadingContextMember(source);
  const payload = leading
    ? (removeRange(source, leading.removeStart, leading.removeEnd) as Source)
    : source;
  if (!searchForContext) return { payload, found: undefined };
  const found =
    leading && contextFromTextMap(leading.carrier, propagator, ContextCarrier.JSON_PAYLOAD);
  return { payload, found: found ?? searchJsonPayload(payload, propagator) };
}

function searchJsonPayload(
  source: JsonSource,
  propagator: TextMapPropagator,
): FoundContext | undefined {
  if (!mayCarryContext(source)) return undefined;
  const object = parseJsonObject(source);
  return object ? contextFromJsonObject(object, propagator) : undefined;
}
