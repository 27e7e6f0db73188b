import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { tracedHandler, tracePropagation } from 'tracebridge';
import { initTracing } from 'tracebridge/setup';
import { type Order, payloadDigest } from './order.js';

initTracing();

const sqs = new SQSClient({});
const kinesis = new KinesisClient({});
sqs.middlewareStack.use(tracePropagation());
kinesis.middlewareStack.use(tracePropagation());

const tracer = trace.getTracer('orders-producer');
const queueUrl = process.env.QUEUE_URL;
const streamName = process.env.STREAM_NAME;

/** The producer's input: who orders, and optionally a fixed order id. */
export interface PlaceOrderEvent {
  readonly customer?: string;
  readonly orderId?: string;
}

function newOrder(event: PlaceOrderEvent): Order {
  return {
    id: event.orderId ?? crypto.randomUUID(),
    customer: event.customer ?? 'customer-1',
    items: [{ sku: 'sku-42', quantity: 2 }],
    totalCents: 4_998,
    placedAt: new Date().toISOString(),
  };
}

/** Places one order and hands it to the queue and to the stream, in one trace. */
export const handler = tracedHandler(async (event: PlaceOrderEvent) =>
  tracer.startActiveSpan('place order', async (span) => {
    try {
      if (!queueUrl || !streamName) throw new Error('QUEUE_URL and STREAM_NAME must be set');
      const order = newOrder(event);
      span.setAttribute('order.id', order.id);
      const body = JSON.stringify(order);
      span.setAttribute('order.payload_sha256', payloadDigest(Buffer.from(body)));
      const [sent, put] = await Promise.all([
        sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })),
        kinesis.send(
          new PutRecordCommand({
            StreamName: streamName,
            PartitionKey: order.id,
            Data: Buffer.from(body),
          }),
        ),
      ]);
      return { orderId: order.id, messageId: sent.MessageId, sequenceNumber: put.SequenceNumber };
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }),
);
