import { createHash } from 'node:crypto';

import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

import {
  bodiesOf,
  createQueue,
  emulated,
  failedWith,
  fakeInvoker,
  messagesIn,
  queueSpec,
  recordsOf,
  sendBatch,
  sqsEvents,
  start,
  succeeded,
  useMappingEmulators,
  waitFor,
} from './support/mappings-harness.js';

useMappingEmulators();

describe('SQS event source mapping', () => {
  it('invokes with at most batchSize messages and deletes each batch that succeeds', async () => {
    const orders = await createQueue('orders');
    await sendBatch(orders.ref, ['1', '2', '3', '4', '5', '6', '7']);
    const { invoker, invocations } = fakeInvoker();
    const mappings = await start({
      eventSources: [sqsEvents('Orders', { batchSize: 3 })],
      queues: [queueSpec('Orders')],
      resources: { Orders: orders },
      invoker,
    });

    await waitFor('7 messages processed', () => mappings.stats().total.succeeded === 7);
    expect(invocations.every((invocation) => bodiesOf(invocation).length <= 3)).toBe(true);
    expect(invocations.flatMap(bodiesOf).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    await waitFor('an empty queue', async () => (await messagesIn(orders.ref)) === 0);
    expect(mappings.stats().mappings).toEqual([
      expect.objectContaining({
        kind: 'sqs',
        function: 'Consumer',
        source: 'Orders',
        delivered: 7,
        failed: 0,
      }),
    ]);
  });

  it('gathers messages across receives within the window until the batch is full', async () => {
    const orders = await createQueue('orders');
    const { invoker, invocations } = fakeInvoker();
    await start({
      // A window far longer than the test: only a full batch can trigger the invocation.
      eventSources: [sqsEvents('Orders', { batchSize: 4, maximumBatchingWindowSeconds: 300 })],
      queues: [queueSpec('Orders')],
      resources: { Orders: orders },
      invoker,
    });

    await emulated.sqs.send(new SendMessageCommand({ QueueUrl: orders.ref, MessageBody: 'first' }));
    await waitFor('the first message in the poller', async () => {
      const { Attributes = {} } = await emulated.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: orders.ref,
          AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Attributes.ApproximateNumberOfMessagesNotVisible === '1';
    });
    await sendBatch(orders.ref, ['second', 'third', 'fourth', 'fifth']);

    await waitFor('a full batch', () => invocations.length === 1);
    const bodies = bodiesOf(invocations[0]);
    expect(bodies).toHaveLength(4);
    expect(bodies).toContain('first');
  });

  it('invokes with what it has when the window closes', async () => {
    const orders = await createQueue('orders');
    const { invoker, invocations } = fakeInvoker();
    await start({
      eventSources: [sqsEvents('Orders', { batchSize: 10, maximumBatchingWindowSeconds: 1 })],
      queues: [queueSpec('Orders')],
      resources: { Orders: orders },
      invoker,
    });
    await sendBatch(orders.ref, ['a', 'b']);
    await waitFor('an invocation', () => invocations.length === 1);
    expect(bodiesOf(invocations[0]).sort()).toEqual(['a', 'b']);
  });

  it('builds the event exactly as Lambda does', async () => {
    const orders = await createQueue('orders');
    const traceHeader =
      'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=1111111111111111;Sampled=1';
    const sent = await emulated.sqs.send(
      new SendMessageCommand({
        QueueUrl: orders.ref,
        MessageBody: '{"order":42}',
        MessageAttributes: {
          traceparent: {
            DataType: 'String',
            StringValue: '00-0123456789abcdef0123456789abcdef-1111111111111111-01',
          },
          quantity: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: Uint8Array.of(0, 1, 254, 255) },
        },
        MessageSystemAttributes: {
          AWSTraceHeader: { DataType: 'String', StringValue: traceHeader },
        },
      }),
    );
    const { invoker, invocations } = fakeInvoker();
    await start({
      eventSources: [sqsEvents('Orders')],
      queues: [queueSpec('Orders')],
      resources: { Orders: orders },
      invoker,
    });
    await waitFor('an invocation', () => invocations.length === 1);

    expect(invocations[0]?.functionName).toBe('Consumer');
    expect(invocations[0]?.event).toEqual({
      Records: [
        {
          messageId: sent.MessageId,
          receiptHandle: expect.any(String) as unknown,
          body: '{"order":42}',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: expect.stringMatching(/^\d{13}$/) as unknown,
            SenderId: expect.any(String) as unknown,
            ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/) as unknown,
            AWSTraceHeader: traceHeader,
          },
          messageAttributes: {
            traceparent: {
              stringValue: '00-0123456789abcdef0123456789abcdef-1111111111111111-01',
              stringListValues: [],
              binaryListValues: [],
              dataType: 'String',
            },
            quantity: {
              stringValue: '3',
              stringListValues: [],
              binaryListValues: [],
              dataType: 'Number',
            },
            blob: {
              binaryValue: 'AAH+/w==',
              stringListValues: [],
              binaryListValues: [],
              dataType: 'Binary',
            },
          },
          md5OfMessageAttributes: sent.MD5OfMessageAttributes,
          md5OfBody: createHash('md5').update('{"order":42}').digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: orders.attributes.Arn,
          awsRegion: 'us-east-1',
        },
      ],
    });
  });

  it('redelivers exactly the messages a partial batch response names', async () => {
    const orders = await createQueue('orders');
    await sendBatch(orders.ref, ['a', 'b', 'c', 'd']);
    const failedOnce = new Set<string>();
    const { invoker, invocations } = fakeInvoker((event) => {
      const failures = (event as { Records: SQSRecord[] }).Records.filter(
        (record) => ['b', 'd'].includes(record.body) && !failedOnce.has(record.body),
      );
      for (const record of failures) failedOnce.add(record.body);
      return succeeded({
        batchItemFailures: failures.map((record) => ({ itemIdentifier: record.messageId })),
      });
    });
    const mappings = await start({
      eventSources: [sqsEvents('Orders', { reportBatchItemFailures: true })],
      queues: [queueSpec('Orders', { visibilityTimeoutSeconds: 1 })],
      resources: { Orders: orders },
      invoker,
    });

    await waitFor('all four processed', () => mappings.stats().total.succeeded === 4);
    const deliveries = invocations.flatMap((invocation) => recordsOf<SQSRecord>(invocation));
    expect(deliveries.map((record) => record.body).sort()).toEqual(['a', 'b', 'b', 'c', 'd', 'd']);
    const again = deliveries.filter((record) => record.attributes.ApproximateReceiveCount === '2');
    expect(again.map((record) => record.body).sort()).toEqual(['b', 'd']);
    expect(mappings.stats().total).toMatchObject({ failed: 2, retried: 2, deadLettered: 0 });
  });

  it('fails the whole batch when the partial batch response is invalid', async () => {
    const orders = await createQueue('orders');
    await sendBatch(orders.ref, ['a', 'b']);
    let calls = 0;
    const { invoker, invocations } = fakeInvoker(() => {
      calls += 1;
      return succeeded(
        calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'no-such-message' }] } : null,
      );
    });
    const mappings = await start({
      eventSources: [sqsEvents('Orders', { reportBatchItemFailures: true })],
      queues: [queueSpec('Orders', { visibilityTimeoutSeconds: 1 })],
      resources: { Orders: orders },
      invoker,
    });

    await waitFor('both processed', () => mappings.stats().total.succeeded === 2);
    expect(invocations.flatMap(bodiesOf).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('leaves a message that always fails to the redrive policy, which dead-letters it', async () => {
    const dlq = await createQueue('orders-dlq');
    const orders = await createQueue('orders', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.attributes.Arn,
        maxReceiveCount: 2,
      }),
    });
    await emulated.sqs.send(
      new SendMessageCommand({
        QueueUrl: orders.ref,
        MessageBody: 'poison',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } },
      }),
    );
    await emulated.sqs.send(new SendMessageCommand({ QueueUrl: orders.ref, MessageBody: 'fine' }));
    const { invoker, invocations } = fakeInvoker((event) =>
      (event as { Records: SQSRecord[] }).Records.some((record) => record.body === 'poison')
        ? failedWith('cannot parse poison')
        : succeeded(),
    );
    const mappings = await start({
      eventSources: [sqsEvents('Orders', { batchSize: 1 })],
      queues: [
        queueSpec('Orders', {
          visibilityTimeoutSeconds: 1,
          redrive: { deadLetterQueue: 'OrdersDlq', maxReceiveCount: 2 },
        }),
      ],
      resources: { Orders: orders, OrdersDlq: dlq },
      invoker,
    });

    let deadLettered: Message | undefined;
    await waitFor('the message in the dead-letter queue', async () => {
      const { Messages = [] } = await emulated.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.ref,
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 30,
        }),
      );
      deadLettered = Messages[0];
      return deadLettered !== undefined;
    });
    expect(deadLettered?.Body).toBe('poison');
    expect(deadLettered?.MessageAttributes?.kind?.StringValue).toBe('bad');
    expect(invocations.flatMap(bodiesOf).filter((body) => body === 'poison')).toHaveLength(2);
    await waitFor('the other message processed', () => mappings.stats().total.succeeded === 1);
    expect(mappings.stats().total).toMatchObject({ failed: 2, retried: 1, deadLettered: 1 });
    expect(await messagesIn(orders.ref)).toBe(0);
  });

  it('keeps the order of each message group of a FIFO queue, across a redelivery', async () => {
    const jobs = await createQueue('jobs', { FifoQueue: 'true' });
    const sends = ['g1-1', 'g2-1', 'g1-2', 'g2-2', 'g1-3', 'g2-3', 'g1-4', 'g2-4'];
    for (const body of sends) {
      await emulated.sqs.send(
        new SendMessageCommand({
          QueueUrl: jobs.ref,
          MessageBody: body,
          MessageGroupId: body.slice(0, 2),
          MessageDeduplicationId: body,
        }),
      );
    }
    let failed = false;
    const { invoker, invocations } = fakeInvoker((event) => {
      const retry = (event as { Records: SQSRecord[] }).Records.filter((record) => {
        if (record.body !== 'g1-2' || failed) return false;
        failed = true;
        return true;
      });
      return succeeded({
        batchItemFailures: retry.map((record) => ({ itemIdentifier: record.messageId })),
      });
    });
    const mappings = await start({
      eventSources: [sqsEvents('Jobs', { reportBatchItemFailures: true })],
      queues: [queueSpec('Jobs', { fifo: true, visibilityTimeoutSeconds: 1 })],
      resources: { Jobs: jobs },
      invoker,
    });

    await waitFor('all jobs processed', () => mappings.stats().total.succeeded === 8);
    const deliveries = invocations.flatMap((invocation) => recordsOf<SQSRecord>(invocation));
    const group = (id: string): string[] =>
      deliveries
        .filter((record) => record.attributes.MessageGroupId === id)
        .map((record) => record.body);
    expect(group('g1')).toEqual(['g1-1', 'g1-2', 'g1-2', 'g1-3', 'g1-4']);
    expect(group('g2')).toEqual(['g2-1', 'g2-2', 'g2-3', 'g2-4']);
    expect(deliveries[0]?.attributes).toMatchObject({
      MessageDeduplicationId: expect.any(String) as unknown,
      SequenceNumber: expect.stringMatching(/^\d+$/) as unknown,
    });
  });
});
