import {
  context as otelContext,
  type Context,
  trace,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { warnOnce } from './diag.js';
import { contextTextMap, type InjectOptions } from './inject.js';
import {
  type RecordInspection,
  recordContext,
  RecordSource,
  serialisedPayload,
} from './inspection.js';
import { contextFromJsonObject } from './json-context.js';
import { insertContextMember, utf8ByteLength } from './json-text.js';
import { EVENTBRIDGE_TIME_FIELD_BYTES, MAX_EVENTBRIDGE_PUT_EVENTS_BYTES } from './limits.js';
import { OTEL_JSON_KEY } from './names.js';
import { copyWith, isPlainRecord, isTextMap, omitKey, ownProperty } from './propagator.js';
import { formatXRayHeader } from './xray.js';

/** The fields of a PutEvents entry that carry a context or count toward its size. */
export interface EventBridgeEntryInput {
  Source?: string | undefined;
  DetailType?: string | undefined;
  Detail?: string | undefined;
  Resources?: string[] | undefined;
  Time?: Date | undefined;
  TraceHeader?: string | undefined;
}

/**
 * Size of a PutEvents entry as EventBridge computes it ("Calculating PutEvents event entry
 * size"): 14 bytes for `Time` when set, plus the UTF-8 bytes of `Source`, `DetailType`,
 * `Detail` and each of `Resources`.
 */
export function eventBridgeEntryByteLength(entry: EventBridgeEntryInput): number {
  let bytes = entry.Time ? EVENTBRIDGE_TIME_FIELD_BYTES : 0;
  bytes += utf8ByteLength(entry.Source ?? '');
  bytes += utf8ByteLength(entry.DetailType ?? '');
  bytes += utf8ByteLength(entry.Detail ?? '');
  for (const resource of entry.Resources ?? []) bytes += utf8ByteLength(resource);
  return bytes;
}

/**
 * {@link injectEventBridgeEntry} within `maxEntryBytes`: the producer gives each entry of a
 * PutEvents call the room the entries before it left in the request.
 */
export function injectEventBridgeEntryWithin<Entry extends EventBridgeEntryInput>(
  entry: Entry,
  context: Context,
  propagator: TextMapPropagator | undefined,
  maxEntryBytes: number,
): Entry {
  const textMap = contextTextMap(context, propagator);
  const spanContext = trace.getSpanContext(context);
  if (!textMap || !spanContext) return entry;
  const TraceHeader = entry.TraceHeader ?? formatXRayHeader(spanContext);
  // EventBridge and Lambda parse the detail, and a JSON parser keeps the last of two equal keys:
  // the user's own `_otel` would replace ours, and removing ours would then remove theirs.
  const detail =
    entry.Detail === undefined
      ? undefined
      : insertContextMember(entry.Detail, JSON.stringify(textMap), true);
  if (detail === undefined) return copyWith(entry, { TraceHeader });
  const injected = copyWith(entry, { Detail: detail, TraceHeader });
  if (eventBridgeEntryByteLength(injected) <= maxEntryBytes) return injected;
  warnOnce(
    'eventbridge-entry-size',
    `an EventBridge entry was too close to the ${MAX_EVENTBRIDGE_PUT_EVENTS_BYTES}-byte limit for an _otel member; the context travels in TraceHeader only`,
  );
  return copyWith(entry, { TraceHeader });
}

/**
 * Returns a copy of a PutEvents entry that carries `context`: an `_otel` member inserted
 * textually after the opening brace of a JSON object `Detail` (never past the 256 KiB limit, and
 * not when the `Detail` has a top-level `_otel` of its own) and `TraceHeader` in X-Ray format
 * (kept if the caller set one). EventBridge hands `TraceHeader` on
 * to X-Ray-aware targets; `_otel` reaches every target inside the event. Never mutates, never
 * throws.
 *
 * @example
 * ```ts
 * import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
 * import { injectEventBridgeEntry } from 'tracebridge';
 *
 * const entry = { Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify(order) };
 * await events.send(new PutEventsCommand({ Entries: [injectEventBridgeEntry(entry)] }));
 * ```
 */
export function injectEventBridgeEntry<Entry extends EventBridgeEntryInput>(
  entry: Entry,
  context: Context = otelContext.active(),
  options: InjectOptions = {},
): Entry {
  return injectEventBridgeEntryWithin(
    entry,
    context,
    options.propagator,
    MAX_EVENTBRIDGE_PUT_EVENTS_BYTES,
  );
}

/**
 * Reads an EventBridge event delivered straight to Lambda. Lambda has already parsed it, so the
 * payload is the `detail` object serialised again as JSON, without `_otel` when that is a text map
 * (an `_otel` of any other shape is the producer's own data).
 */
export function inspectEventBridgeEvent(
  event: unknown,
  propagator: TextMapPropagator,
): RecordInspection {
  const detail = ownProperty(event, 'detail');
  const found = isPlainRecord(detail) ? contextFromJsonObject(detail, propagator) : undefined;
  const ours = isPlainRecord(detail) && isTextMap(ownProperty(detail, OTEL_JSON_KEY));
  const payload = ours ? omitKey(detail, OTEL_JSON_KEY) : (detail ?? null);
  return {
    context: recordContext(found, RecordSource.EVENTBRIDGE),
    payload: serialisedPayload(payload),
  };
}
