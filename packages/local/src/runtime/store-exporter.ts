import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type {
  OtlpAnyValue,
  OtlpExportTraceServiceRequest,
  OtlpKeyValue,
  OtlpResourceSpans,
} from '../collector/otlp-types.js';
import type { TraceStore } from '../collector/store.js';

function anyValue(value: AttributeValue): OtlpAnyValue {
  if (Array.isArray(value)) {
    return {
      arrayValue: {
        values: value.flatMap((item): OtlpAnyValue[] =>
          item === null || item === undefined ? [] : [anyValue(item)],
        ),
      },
    };
  }
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function keyValues(attributes: Attributes): OtlpKeyValue[] {
  return Object.entries(attributes).flatMap(([key, value]) =>
    value === undefined ? [] : [{ key, value: anyValue(value) }],
  );
}

function nanos([seconds, nanoseconds]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();
}

/** ReadableSpans as the decoded OTLP request the collector's store takes. */
export function toOtlpRequest(spans: readonly ReadableSpan[]): OtlpExportTraceServiceRequest {
  const resourceSpans: OtlpResourceSpans[] = spans.map((span) => ({
    resource: { attributes: keyValues(span.resource.attributes), droppedAttributesCount: 0 },
    schemaUrl: '',
    scopeSpans: [
      {
        scope: {
          name: span.instrumentationScope.name,
          version: span.instrumentationScope.version ?? '',
          attributes: [],
          droppedAttributesCount: 0,
        },
        schemaUrl: '',
        spans: [
          {
            traceId: span.spanContext().traceId,
            spanId: span.spanContext().spanId,
            parentSpanId: span.parentSpanContext?.spanId ?? '',
            traceState: span.spanContext().traceState?.serialize() ?? '',
            flags: span.spanContext().traceFlags,
            name: span.name,
            // OTLP numbers kinds from 1 (INTERNAL); the API from 0.
            kind: span.kind + 1,
            startTimeUnixNano: nanos(span.startTime),
            endTimeUnixNano: nanos(span.endTime),
            attributes: keyValues(span.attributes),
            droppedAttributesCount: span.droppedAttributesCount,
            events: span.events.map((event) => ({
              name: event.name,
              timeUnixNano: nanos(event.time),
              attributes: keyValues(event.attributes ?? {}),
              droppedAttributesCount: event.droppedAttributesCount ?? 0,
            })),
            droppedEventsCount: span.droppedEventsCount,
            links: span.links.map((link) => ({
              traceId: link.context.traceId,
              spanId: link.context.spanId,
              traceState: link.context.traceState?.serialize() ?? '',
              flags: link.context.traceFlags,
              attributes: keyValues(link.attributes ?? {}),
              droppedAttributesCount: link.droppedAttributesCount ?? 0,
            })),
            droppedLinksCount: span.droppedLinksCount,
            status: { code: span.status.code, message: span.status.message ?? '' },
          },
        ],
      },
    ],
  }));
  return { resourceSpans };
}

/**
 * A SpanExporter that puts spans straight into the collector's store: the runtime's own spans
 * (the Lambda service's) need no trip through HTTP to reach the process they are already in.
 *
 * @example
 * ```ts
 * const runner = createFunctionRunner({ functions, spanExporter: storeExporter(collector.store) });
 * ```
 */
export function storeExporter(store: TraceStore): SpanExporter {
  return {
    export(spans, resultCallback) {
      store.add(toOtlpRequest(spans));
      resultCallback({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
}
