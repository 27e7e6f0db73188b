import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { toOtlpJson } from 'tracebridge/setup';
import { parseOtlpJson } from '../collector/otlp-json.js';
import type { TraceStore } from '../collector/store.js';

/**
 * A SpanExporter that puts spans straight into the collector's store: the runtime's own spans
 * (the Lambda service's) need no trip through HTTP to reach the process they are already in.
 * They take the same OTLP/JSON form any exporter sends, so the store sees them as it sees
 * every other export.
 *
 * @example
 * ```ts
 * const runner = createFunctionRunner({ functions, spanExporter: storeExporter(collector.store) });
 * ```
 */
export function storeExporter(store: TraceStore): SpanExporter {
  return {
    export(spans, resultCallback) {
      store.add(parseOtlpJson(toOtlpJson(spans)));
      resultCallback({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
}
