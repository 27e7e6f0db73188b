import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../test-support/lambda-context.js';
import {
  dynamoDbRecord,
  eventBridgeEvent,
  kinesisRecord,
  numberedSpanContext,
  snsNotificationBody,
  snsAttribute,
  snsRecord,
  sqsAttribute,
  sqsRecord,
  traceparentOf,
  xrayHeaderOf,
} from '../test-support/records.js';
import { setUpTestTracing } from '../test-support/tracing.js';
import { injectKinesisRecord } from '../propagation/kinesis.js';
import { contextWith, kinesisRecordFromPut } from '../test-support/records.js';
import { tracedRecordHandler, type TracedRecordHandlerOptions } from './records.js';

const tracing = setUpTestTracing();
afterEach(() => {
  tracing.reset();
  delete process.env._X_AMZN_TRACE_ID;
});
afterAll(() => tracing.shutdown());

const options = (extra: TracedRecordHandlerOptions = {}): TracedRecordHandlerOptions => ({
  tracerProvider: tracing.provider,
  ...extra,
});
const recordSpans = () => tracing.spans().filter((span) => span.name.startsWith('process '));
const invocationSpan = () => tracing.spanNamed('orders-consumer');
const linksTo = (span: ReadableSpan) => span.links.map((link) => link.context.spanId);

describe('tracedRecordHandler with an SQS batch of 10 mixed carriers', () => {
  const contexts = Array.from({ length: 10 }, (_, index) => numberedSpanContext(index + 1));
  const carriers = [
    (i: number) =>
      sqsRecord({ messageAttributes: { traceparent: sqsAttribute(traceparentOf(contexts[i]!)) } }),
    (i: number) => sqsRecord({ attributes: { AWSTraceHeader: xrayHeaderOf(contexts[i]!) } }),
    (i: number) =>
      sqsRecord({
        body: snsNotificationBody({
          Message: '{"order":7}',
          MessageAttributes: { traceparent: snsAttribute(traceparentOf(contexts[i]!)) },
        }),
      }),
    () => sqsRecord({ body: 'no context at all' }),
    () => sqsRecord({ messageAttributes: { traceparent: sqsAttribute('00-nonsense-01') } }),
  ];
  const records = Array.from({ length: 10 }, (_, index) =>
    carriers[index % carriers.length]!(index),
  );
  const expectedParents = records.map((_, index) =>
    index % 5 < 3 ? contexts[index]!.spanId : undefined,
  );

  it('continues each message trace in a SERVER span linked to the invocation, and back', async () => {
    process.env._X_AMZN_TRACE_ID = xrayHeaderOf(numberedSpanContext(99));
    const payloads: string[] = [];
    const response = await tracedRecordHandler((payload) => {
      payloads.push(payload.text);
    }, options())({ Records: records }, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const invocation = invocationSpan();
    expect(invocation.kind).toBe(SpanKind.SERVER);
    expect(invocation.parentSpanContext?.spanId).toBe(numberedSpanContext(99).spanId);
    expect(invocation.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'messaging.batch.message_count': 10,
      'cloud.account.id': '123456789012',
    });
    expect(linksTo(invocation)).toEqual(expectedParents.filter((id) => id !== undefined));

    const spans = recordSpans();
    expect(spans).toHaveLength(10);
    spans.forEach((span, index) => {
      expect(span.name).toBe('process orders');
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.parentSpanContext?.spanId).toBe(expectedParents[index]);
      if (expectedParents[index] === undefined) {
        expect(span.spanContext().traceId).not.toBe(invocation.spanContext().traceId);
      } else {
        expect(span.spanContext().traceId).toBe(contexts[index]!.traceId);
      }
      expect(linksTo(span)).toEqual([invocation.spanContext().spanId]);
      expect(span.attributes).toMatchObject({
        'messaging.system': 'aws_sqs',
        'messaging.destination.name': 'orders',
        'messaging.operation.type': 'process',
        'messaging.message.id': records[index]!.messageId,
        'tracebridge.message.delivery_attempt': 1,
      });
      expect(span.attributes['tracebridge.message.wait_ms']).toBeGreaterThan(0);
    });
    expect(payloads[2]).toBe('{"order":7}');
  });
});

describe('partial batch responses', () => {
  const failing = (ids: Set<string>) => (_: unknown, record: { messageId?: string }) => {
    if (ids.has(record.messageId ?? ''))
      throw new Error(`cannot process ${String(record.messageId)}`);
  };

  it('reports the SQS messages that threw, by message id, with error spans', async () => {
    const records = Array.from({ length: 5 }, () => sqsRecord());
    const bad = new Set([records[1]!.messageId, records[3]!.messageId]);
    const response = await tracedRecordHandler(failing(bad), options())(
      { Records: records },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([...bad].map((id) => ({ itemIdentifier: id })));
    const failed = recordSpans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(2);
    expect(failed[0]!.events.map((event) => event.name)).toEqual(['exception']);
    expect(invocationSpan().attributes['tracebridge.batch.failed_count']).toBe(2);
  });

  it('processes in order a record function that answers now synchronously, now with a promise', async () => {
    const records = Array.from({ length: 5 }, () => sqsRecord());
    const seen: string[] = [];
    const mixed = (_: unknown, record: { messageId?: string }): unknown => {
      const id = record.messageId ?? '';
      seen.push(id);
      const index = records.findIndex((item) => item.messageId === id);
      if (index === 2) return Promise.reject(new Error('rejected'));
      if (index === 3) throw new Error('thrown');
      return index === 4 ? Promise.resolve() : undefined;
    };

    const response = await tracedRecordHandler(mixed, options())(
      { Records: records },
      lambdaContext(),
    );

    expect(seen).toEqual(records.map((record) => record.messageId));
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: records[2]!.messageId },
      { itemIdentifier: records[3]!.messageId },
    ]);
    expect(recordSpans()).toHaveLength(5);
  });

  it('stops a FIFO message group at its first failure and goes on with the other groups', async () => {
    const fifoArn = 'arn:aws:sqs:us-east-2:123456789012:orders.fifo';
    const groups = ['a', 'b', 'a', 'a', 'b'];
    const records = groups.map((group) =>
      sqsRecord({ eventSourceARN: fifoArn, attributes: { MessageGroupId: group } }),
    );
    const processed: string[] = [];
    const handler = tracedRecordHandler((_, record: { messageId: string }) => {
      processed.push(record.messageId);
      if (record.messageId === records[2]!.messageId) throw new Error('poison');
    }, options());
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      records[2]!.messageId,
      records[3]!.messageId,
    ]);
    expect(processed).toEqual([0, 1, 2, 4].map((index) => records[index]!.messageId));
    expect(recordSpans()[0]!.name).toBe('process orders.fifo');
  });

  it.each([
    [
      'Kinesis',
      (n: number) => kinesisRecord(`{"n":${n}}`, { kinesis: { sequenceNumber: `4959${n}` } }),
    ],
    ['DynamoDB', (n: number) => dynamoDbRecord({ dynamodb: { SequenceNumber: `4959${n}` } })],
  ])(
    'reports the first failed %s sequence number and leaves the rest for the retry',
    async (_, make) => {
      const records = [1, 2, 3, 4].map((n) => make(n));
      let calls = 0;
      const response = await tracedRecordHandler(() => {
        calls++;
        if (calls === 2) throw new Error('downstream unavailable');
      }, options())({ Records: records }, lambdaContext());
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: '49592' }]);
      expect(calls).toBe(2);
      expect(recordSpans()).toHaveLength(2);
    },
  );

  it('re-throws the error of an SNS record unchanged, so Lambda retries the event', async () => {
    const error = new TypeError('bad notification');
    const handler = tracedRecordHandler(() => {
      throw error;
    }, options());
    await expect(handler({ Records: [snsRecord()] }, lambdaContext())).rejects.toBe(error);
    expect(invocationSpan().status.code).toBe(SpanStatusCode.ERROR);
    expect(recordSpans()[0]!.attributes['messaging.system']).toBe('aws.sns');
  });
});

describe('record span options and context', () => {
  it('makes the invocation the parent and the message a link when asked, with CONSUMER spans', async () => {
    const message = numberedSpanContext(5);
    const record = sqsRecord({
      messageAttributes: { traceparent: sqsAttribute(traceparentOf(message)) },
    });
    await tracedRecordHandler(
      () => undefined,
      options({ recordParent: 'invocation', recordSpanKind: 'consumer' }),
    )({ Records: [record] }, lambdaContext());
    const [span] = recordSpans();
    expect(span!.kind).toBe(SpanKind.CONSUMER);
    expect(span!.parentSpanContext?.spanId).toBe(invocationSpan().spanContext().spanId);
    expect(linksTo(span!)).toEqual([invocationSpan().spanContext().spanId, message.spanId]);
  });

  it("runs the record function inside the record span, so the user's spans nest under it", async () => {
    await tracedRecordHandler(() => {
      tracing.provider.getTracer('user').startSpan('save order').end();
      expect(trace.getActiveSpan()?.isRecording()).toBe(true);
    }, options())({ Records: [sqsRecord()] }, lambdaContext());
    expect(tracing.spanNamed('save order').parentSpanContext?.spanId).toBe(
      recordSpans()[0]!.spanContext().spanId,
    );
  });

  it('processes a standard queue with bounded concurrency', async () => {
    let running = 0;
    let peak = 0;
    const handler = tracedRecordHandler(
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
      options({ concurrency: 3 }),
    );
    await handler({ Records: Array.from({ length: 10 }, () => sqsRecord()) }, lambdaContext());
    expect(peak).toBe(3);
    expect(recordSpans()).toHaveLength(10);
  });

  it('hands an EventBridge event to the record function as one record with its detail', async () => {
    const message = numberedSpanContext(8);
    const event = eventBridgeEvent({ _otel: { traceparent: traceparentOf(message) }, order: 3 });
    let received = '';
    await tracedRecordHandler((payload) => {
      received = payload.text;
    }, options())(event, lambdaContext());
    expect(received).toBe('{"order":3}');
    expect(recordSpans()[0]!.parentSpanContext?.spanId).toBe(message.spanId);
  });
});

describe('Kinesis batches with JSON and binary data', () => {
  it("continues each record's trace and hands over the producer's exact bytes", async () => {
    const json = injectKinesisRecord(
      { PartitionKey: 'a', Data: Buffer.from('{"big":12345678901234567890,"t":"\\u00e9"}') },
      contextWith(numberedSpanContext(1)),
    );
    const binary = injectKinesisRecord(
      { PartitionKey: 'b', Data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) },
      contextWith(numberedSpanContext(2)),
      { binaryEnvelope: true },
    );
    const plain = { PartitionKey: 'c', Data: Uint8Array.of(1, 2, 3) };
    const records = [json, binary, plain].map((input) => kinesisRecordFromPut(input));
    const received: Buffer[] = [];
    const response = await tracedRecordHandler((payload) => {
      received.push(Buffer.from(payload.bytes));
    }, options())({ Records: records }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(received.map((bytes) => bytes.toString('hex'))).toEqual([
      Buffer.from('{"big":12345678901234567890,"t":"\\u00e9"}').toString('hex'),
      'deadbeef',
      '010203',
    ]);
    const spans = recordSpans();
    expect(spans.map((span) => span.parentSpanContext?.spanId)).toEqual([
      numberedSpanContext(1).spanId,
      numberedSpanContext(2).spanId,
      undefined,
    ]);
    expect(spans.map((span) => span.attributes['tracebridge.context.carrier'])).toEqual([
      'json-payload',
      'binary-envelope',
      'none',
    ]);
    expect(spans[0]!.attributes).toMatchObject({
      'messaging.system': 'aws.kinesis',
      'messaging.destination.name': 'orders-stream',
      'messaging.destination.partition.id': 'shardId-000000000006',
    });
    expect(linksTo(invocationSpan())).toEqual([
      numberedSpanContext(1).spanId,
      numberedSpanContext(2).spanId,
    ]);
  });
});

describe('tracedRecordHandler with records the fuzz suite found it mishandled', () => {
  it('reads an eventSourceARN that is not a string as no FIFO queue, instead of throwing', async () => {
    const record = { ...sqsRecord(), eventSourceARN: JSON.parse('{"toString":1}') as string };
    const response = await tracedRecordHandler(() => undefined, options())(
      { Records: [record] },
      lambdaContext(),
    );
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('re-throws a failure it cannot name, rather than report the batch as processed', async () => {
    const failure = new Error('no id to report');
    const handler = tracedRecordHandler(() => {
      throw failure;
    }, options());
    const kinesis = kinesisRecord('x');
    delete (kinesis.kinesis as Partial<typeof kinesis.kinesis>).sequenceNumber;
    await expect(handler({ Records: [kinesis] }, lambdaContext())).rejects.toBe(failure);
    await expect(handler({ custom: 'event' }, lambdaContext())).rejects.toBe(failure);
  });

  it('passes on thrown values String() cannot print, and a thrown null, unchanged', async () => {
    for (const thrown of [Object.create(null) as unknown, null]) {
      const handler = tracedRecordHandler(() => {
        throw thrown;
      }, options());
      await expect(handler({ Records: [snsRecord()] }, lambdaContext())).rejects.toBe(thrown);
    }
  });
});
