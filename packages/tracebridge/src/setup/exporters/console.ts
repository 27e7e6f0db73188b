import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { toOtlpJson } from './otlp/json.js';
import { EXPORTED, type ExportResult } from './tracker.js';

/**
 * Prints each batch as one line of OTLP/JSON on stdout: in Lambda, one CloudWatch log event
 * per batch that any OTLP tool can read back.
 *
 * @example
 * ```ts
 * initTracing({ exporters: ['console'] });
 * ```
 */
export class ConsoleExporter implements SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    console.log(JSON.stringify(toOtlpJson(spans)));
    resultCallback(EXPORTED);
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
