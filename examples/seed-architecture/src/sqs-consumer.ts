import { trace } from '@opentelemetry/api';
import { tracedRecordHandler } from 'tracebridge';
import { initTracing } from 'tracebridge/setup';
import { parseOrder, payloadDigest } from './order.js';

initTracing();

const tracer = trace.getTracer('orders-sqs-consumer');

/** Reserves stock for every order on the queue; a failing order is retried by SQS alone. */
export const handler = tracedRecordHandler(async (payload, _record, span) => {
  const order = parseOrder(payload.text);
  span.setAttribute('order.id', order.id);
  span.setAttribute('order.payload_sha256', payloadDigest(payload.bytes));
  await tracer.startActiveSpan('reserve stock', async (reserve) => {
    reserve.setAttribute('order.items', order.items.length);
    await Promise.resolve();
    reserve.end();
  });
});
