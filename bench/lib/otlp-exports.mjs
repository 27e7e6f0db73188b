// Realistic OTLP/protobuf trace exports for the collector ingest benchmark: the spans
// tracebridge's consumer records for one batch (an invocation span linking to every message,
// one SERVER span per message in the producer's trace, linked to the invocation), encoded by
// the official exporter's serializer. Copies get fresh ids, so the store holds every span.
import { randomBytes } from 'node:crypto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { tracedRecordHandler } from 'tracebridge';
import { initTracing } from 'tracebridge/setup';
import { processOrder } from '../fixtures/work.mjs';
import { lambdaContext, sqsEvent } from './lambda.mjs';

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;

/** Keeps what it is given, for serialising later. */
class CapturingExporter {
  spans = [];

  export(spans, resultCallback) {
    this.spans.push(...spans);
    resultCallback({ code: 0 });
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}

/** Every offset in `body` where one of the `ids` (hex) is encoded. */
function offsetsOf(body, ids) {
  const offsets = [];
  for (const id of ids) {
    const needle = Buffer.from(id, 'hex');
    for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) {
      offsets.push(at);
    }
  }
  return offsets;
}

/**
 * One export of `spansPerRequest` spans from tracebridge's SQS consumer: the invocation span and
 * `spansPerRequest - 1` message spans. Needs the Lambda variables of `lambdaEnv()` set.
 */
export async function consumerExport(spansPerRequest) {
  const exporter = new CapturingExporter();
  initTracing({ serviceName: 'orders-consumer', exporters: [exporter] });
  const handler = tracedRecordHandler((payload, _record, span) => {
    processOrder(payload.text, span);
  });
  await handler(sqsEvent(spansPerRequest - 1), lambdaContext());
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.spans));
  const traceIds = new Set();
  const spanIds = new Set();
  for (const span of exporter.spans) {
    traceIds.add(span.spanContext().traceId);
    spanIds.add(span.spanContext().spanId);
    if (span.parentSpanContext) spanIds.add(span.parentSpanContext.spanId);
    for (const link of span.links) {
      traceIds.add(link.context.traceId);
      spanIds.add(link.context.spanId);
    }
  }
  return {
    body,
    spans: exporter.spans.length,
    traceIdOffsets: offsetsOf(body, traceIds),
    spanIdOffsets: offsetsOf(body, spanIds),
  };
}

/**
 * `count` copies of `template`, each with every trace id and span id changed the same way
 * within the copy (XOR with a random mask), so parents and links still point where they did.
 */
export function freshCopies(template, count) {
  return Array.from({ length: count }, () => {
    const body = Buffer.from(template.body);
    const traceMask = randomBytes(TRACE_ID_BYTES);
    const spanMask = randomBytes(SPAN_ID_BYTES);
    for (const at of template.traceIdOffsets) {
      for (let i = 0; i < TRACE_ID_BYTES; i++) body[at + i] ^= traceMask[i];
    }
    for (const at of template.spanIdOffsets) {
      for (let i = 0; i < SPAN_ID_BYTES; i++) body[at + i] ^= spanMask[i];
    }
    return body;
  });
}
