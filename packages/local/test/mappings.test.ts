import { createHash } from 'node:crypto';

import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startKinesisEmulator, startSqsEmulator } from '../src/emulators/index.js';
import type { RunningEmulator } from '../src/emulators/index.js';
import { MappingConfigError, MappingStartError, startMappings } from '../src/mappings/index.js';
import type {
  LambdaSnsEvent,
  MappedArchitecture,
  MappingLogger,
  RunningMappings,
} from '../src/mappings/index.js';
import type {
  EventSourceSpec,
  FunctionInvoker,
  QueueSpec,
  ResolvedResource,
} from '../src/model.js';
import {
  failedWith,
  fakeInvoker,
  functionSpec,
  kinesisEvents,
  queueSpec,
  recordingLogger,
  recordsOf,
  sqsEvents,
  succeeded,
  waitFor,
} from './support/mappings-harness.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
// The lowest and highest hash keys: with two shards splitting the key space, one in each.
const FIRST_SHARD_KEY = '0';
const LAST_SHARD_KEY = (2n ** 128n - 1n).toString();
// Short waits keep the suite quick; the SQS long poll keeps Lambda's 20 s, which stop() cuts.
const POLLING = {
  kinesisPollIntervalMs: 50,
  backoff: { initialMs: 20, maxMs: 200 },
  snsRetryDelaysSeconds: [1, 1],
};

let sqsEmulator: RunningEmulator;
let kinesisEmulator: RunningEmulator;
let sqs: SQSClient;
let sns: SNSClient;
let kinesis: KinesisClient;
const running: RunningMappings[] = [];
const emulators: RunningEmulator[] = [];

beforeAll(async () => {
  [sqsEmulator, kinesisEmulator] = await Promise.all([startSqsEmulator(), startKinesisEmulator()]);
  emulators.push(sqsEmulator, kinesisEmulator);
  const config = { region: REGION, credentials: CREDENTIALS };
  sqs = new SQSClient({ ...config, endpoint: sqsEmulator.endpoint });
  sns = new SNSClient({ ...config, endpoint: sqsEmulator.endpoint });
  kinesis = new KinesisClient({
    ...config,
    endpoint: kinesisEmulator.endpoint,
    requestHandler: new NodeHttpHandler(),
  });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((mappings) => mappings.stop()));
});

afterAll(async () => {
  sqs.destroy();
  sns.destroy();
  kinesis.destroy();
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

let names = 0;
function uniqueName(prefix: string): string {
  names += 1;
  return `${prefix}-${names}`;
}

interface Resources {
  readonly [logicalId: string]: ResolvedResource;
}

async function createQueue(
  logicalId: string,
  attributes: Record<string, string> = {},
  client = sqs,
): Promise<ResolvedResource> {
  const fifo = attributes.FifoQueue === 'true';
  const name = fifo ? `${uniqueName(logicalId)}.fifo` : uniqueName(logicalId);
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const arn = await queueArn(QueueUrl!, client);
  return { ref: QueueUrl!, attributes: { Arn: arn, QueueName: name } };
}

async function queueArn(queueUrl: string, client = sqs): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

async function messagesIn(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

async function sendBatch(queueUrl: string, bodies: readonly string[]): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

async function createStream(logicalId: string, shardCount: number): Promise<ResolvedResource> {
  const name = uniqueName(logicalId);
  // The emulator makes a stream ACTIVE as it creates it.
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  return { ref: name, attributes: {} };
}

async function putRecord(stream: string, data: string, hashKey = FIRST_SHARD_KEY): Promise<string> {
  const { SequenceNumber } = await kinesis.send(
    new PutRecordCommand({
      StreamName: stream,
      Data: Buffer.from(data),
      PartitionKey: 'key',
      ExplicitHashKey: hashKey,
    }),
  );
  return SequenceNumber!;
}

async function createTopic(logicalId: string): Promise<ResolvedResource> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName(logicalId) }));
  return { ref: TopicArn!, attributes: {} };
}

interface StartOptions {
  readonly eventSources?: readonly EventSourceSpec[];
  readonly queues?: readonly QueueSpec[];
  readonly subscriptions?: MappedArchitecture['subscriptions'];
  readonly resources: Resources;
  readonly invoker: FunctionInvoker;
  readonly logger?: MappingLogger;
  readonly sqsEndpoint?: string;
  readonly kinesisEndpoint?: string;
}

async function start(options: StartOptions): Promise<RunningMappings> {
  const functions = [...new Set((options.eventSources ?? []).map((source) => source.function))];
  const mappings = await startMappings({
    architecture: {
      functions: functions.map(functionSpec),
      queues: options.queues ?? [],
      eventSources: options.eventSources ?? [],
      subscriptions: options.subscriptions ?? [],
    },
    resources: new Map(Object.entries(options.resources)),
    endpoints: {
      sqs: options.sqsEndpoint ?? sqsEmulator.endpoint,
      kinesis: options.kinesisEndpoint ?? kinesisEmulator.endpoint,
    },
    invoker: options.invoker,
    logger: options.logger ?? recordingLogger(),
    polling: POLLING,
  });
  running.push(mappings);
  return mappings;
}

function bodiesOf(invocation: Parameters<typeof recordsOf>[0]): string[] {
  return recordsOf<SQSRecord>(invocation).map((record) => record.body);
}

function dataOf(record: KinesisStreamRecord): string {
  return Buffer.from(record.kinesis.data, 'base64').toString();
}

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

    await sqs.send(new SendMessageCommand({ QueueUrl: orders.ref, MessageBody: 'first' }));
    await waitFor('the first message in the poller', async () => {
      const { Attributes = {} } = await sqs.send(
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
    const sent = await sqs.send(
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
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: orders.ref,
        MessageBody: 'poison',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: orders.ref, MessageBody: 'fine' }));
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
      const { Messages = [] } = await sqs.send(
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
      await sqs.send(
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

describe('Kinesis event source mapping', () => {
  it('reads every shard in order, never invoking one shard twice at once', async () => {
    const events = await createStream('events', 2);
    const expected = new Map<string, string[]>();
    for (let index = 0; index < 6; index += 1) {
      for (const key of [FIRST_SHARD_KEY, LAST_SHARD_KEY]) {
        const data = `${key === FIRST_SHARD_KEY ? 'low' : 'high'}-${index}`;
        await putRecord(events.ref, data, key);
        expected.set(key, [...(expected.get(key) ?? []), data]);
      }
    }
    const inFlight = new Map<string, number>();
    let overlapped = false;
    const seen = new Map<string, string[]>();
    const { invoker } = fakeInvoker(async (event) => {
      const records = (event as { Records: KinesisStreamRecord[] }).Records;
      const shard = records[0]!.eventID.split(':')[0]!;
      inFlight.set(shard, (inFlight.get(shard) ?? 0) + 1);
      overlapped ||= inFlight.get(shard)! > 1;
      // Yield long enough for another batch of the same shard to overlap, if one could.
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen.set(shard, [...(seen.get(shard) ?? []), ...records.map(dataOf)]);
      inFlight.set(shard, inFlight.get(shard)! - 1);
      return succeeded();
    });
    const mappings = await start({
      eventSources: [kinesisEvents('Events', { batchSize: 2 })],
      resources: { Events: events },
      invoker,
    });

    await waitFor('12 records processed', () => mappings.stats().total.succeeded === 12);
    expect(overlapped).toBe(false);
    expect([...seen.values()].sort()).toEqual([...expected.values()].sort());
    expect(mappings.stats().total.batches).toBe(6);
  });

  it('builds the event exactly as Lambda does', async () => {
    const events = await createStream('events', 1);
    const sequenceNumber = await putRecord(events.ref, 'hello');
    const { invoker, invocations } = fakeInvoker();
    await start({
      eventSources: [kinesisEvents('Events')],
      resources: { Events: events },
      invoker,
    });
    await waitFor('an invocation', () => invocations.length === 1);

    expect(invocations[0]?.event).toEqual({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'key',
            sequenceNumber,
            data: Buffer.from('hello').toString('base64'),
            approximateArrivalTimestamp: expect.any(Number) as unknown,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `shardId-000000000000:${sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/ConsumerRole',
          awsRegion: 'us-east-1',
          eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${events.ref}`,
        },
      ],
    });
    const arrival = recordsOf<KinesisStreamRecord>(invocations[0])[0]!.kinesis
      .approximateArrivalTimestamp;
    expect(Math.abs(arrival - Date.now() / 1000)).toBeLessThan(600);
  });

  it('retries from the sequence number a partial batch response names', async () => {
    const events = await createStream('events', 1);
    const sequenceNumbers: string[] = [];
    for (const data of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      sequenceNumbers.push(await putRecord(events.ref, data));
    }
    let calls = 0;
    const { invoker, invocations } = fakeInvoker(() => {
      calls += 1;
      return succeeded(
        calls === 1 ? { batchItemFailures: [{ itemIdentifier: sequenceNumbers[2] }] } : {},
      );
    });
    const mappings = await start({
      eventSources: [kinesisEvents('Events', { batchSize: 5, reportBatchItemFailures: true })],
      resources: { Events: events },
      invoker,
    });

    await waitFor('all five processed', () => mappings.stats().total.succeeded === 5);
    const batches = invocations.map((invocation) =>
      recordsOf<KinesisStreamRecord>(invocation).map(dataOf),
    );
    expect(batches).toEqual([
      ['r1', 'r2', 'r3', 'r4', 'r5'],
      ['r3', 'r4', 'r5'],
    ]);
  });

  it('retries a failing batch maximumRetryAttempts times, then discards it and moves on', async () => {
    const events = await createStream('events', 1);
    await putRecord(events.ref, 'poison');
    await putRecord(events.ref, 'next');
    const { invoker, invocations } = fakeInvoker((event) =>
      (event as { Records: KinesisStreamRecord[] }).Records.map(dataOf).includes('poison')
        ? failedWith('poison')
        : succeeded(),
    );
    const mappings = await start({
      eventSources: [kinesisEvents('Events', { batchSize: 1, maximumRetryAttempts: 2 })],
      resources: { Events: events },
      invoker,
    });

    await waitFor('the next record processed', () => mappings.stats().total.succeeded === 1);
    expect(
      invocations.flatMap((invocation) => recordsOf<KinesisStreamRecord>(invocation).map(dataOf)),
    ).toEqual(['poison', 'poison', 'poison', 'next']);
    expect(mappings.stats().total).toMatchObject({ failed: 3, retried: 2, discarded: 1 });
  });

  it('starts at the oldest record with TRIM_HORIZON and after the start with LATEST', async () => {
    const events = await createStream('events', 1);
    await putRecord(events.ref, 'old');
    const { invoker, invocations } = fakeInvoker();
    await start({
      eventSources: [
        kinesisEvents('Events', { function: 'Horizon', startingPosition: 'TRIM_HORIZON' }),
        kinesisEvents('Events', { function: 'Latest', startingPosition: 'LATEST' }),
      ],
      resources: { Events: events },
      invoker,
    });
    await putRecord(events.ref, 'new');

    const dataFor = (functionName: string): string[] =>
      invocations
        .filter((invocation) => invocation.functionName === functionName)
        .flatMap((invocation) => recordsOf<KinesisStreamRecord>(invocation).map(dataOf));
    await waitFor(
      'both functions up to date',
      () => dataFor('Horizon').includes('new') && dataFor('Latest').includes('new'),
    );
    expect(dataFor('Horizon')).toEqual(['old', 'new']);
    expect(dataFor('Latest')).toEqual(['new']);
  });
});

describe('SNS', () => {
  it('subscribes queues to topics with and without raw delivery', async () => {
    const topic = await createTopic('alerts');
    const raw = await createQueue('raw');
    const wrapped = await createQueue('wrapped');
    await start({
      subscriptions: [
        { topic: 'Alerts', queue: 'Raw', rawMessageDelivery: true },
        { topic: 'Alerts', queue: 'Wrapped', rawMessageDelivery: false },
      ],
      resources: { Alerts: topic, Raw: raw, Wrapped: wrapped },
      invoker: fakeInvoker().invoker,
    });
    await sns.send(
      new PublishCommand({
        TopicArn: topic.ref,
        Subject: 'disk',
        Message: 'disk almost full',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );

    const receiveOne = async (queueUrl: string): Promise<Message> => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 5,
        }),
      );
      expect(Messages).toHaveLength(1);
      return Messages[0]!;
    };
    const rawMessage = await receiveOne(raw.ref);
    expect(rawMessage.Body).toBe('disk almost full');
    expect(rawMessage.MessageAttributes?.severity?.StringValue).toBe('high');

    const envelope = JSON.parse((await receiveOne(wrapped.ref)).Body!) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topic.ref,
      Subject: 'disk',
      Message: 'disk almost full',
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
  });

  it("invokes a subscribed function with Lambda's SNS event, retrying a failure twice", async () => {
    const topic = await createTopic('alerts');
    const attempts = new Map<string, number>();
    const { invoker, invocations } = fakeInvoker((event) => {
      const message = (event as LambdaSnsEvent).Records[0]!.Sns.Message;
      const attempt = (attempts.get(message) ?? 0) + 1;
      attempts.set(message, attempt);
      if (message === 'always fails' || (message === 'flaky' && attempt === 1))
        return failedWith(message);
      return succeeded();
    });
    const mappings = await start({
      eventSources: [{ kind: 'sns', function: 'Notifier', topic: 'Alerts' }],
      resources: { Alerts: topic },
      invoker,
    });
    const published = await sns.send(
      new PublishCommand({
        TopicArn: topic.ref,
        Subject: 'disk',
        Message: 'disk almost full',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    await sns.send(new PublishCommand({ TopicArn: topic.ref, Message: 'flaky' }));
    await sns.send(new PublishCommand({ TopicArn: topic.ref, Message: 'always fails' }));

    await waitFor('every message settled', () => {
      const { total } = mappings.stats();
      return total.succeeded === 2 && total.discarded === 1;
    });
    const first = invocations.find(
      (invocation) =>
        (invocation.event as LambdaSnsEvent).Records[0]?.Sns.Message === 'disk almost full',
    );
    expect(first?.functionName).toBe('Notifier');
    expect(first?.event).toEqual({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: expect.stringMatching(new RegExp(`^${topic.ref}:`)) as unknown,
          Sns: {
            Type: 'Notification',
            MessageId: published.MessageId,
            TopicArn: topic.ref,
            Subject: 'disk',
            Message: 'disk almost full',
            Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
            SignatureVersion: '1',
            Signature: expect.any(String) as unknown,
            SigningCertUrl: expect.stringMatching(/^https:\/\//) as unknown,
            UnsubscribeUrl: expect.stringMatching(/^https:\/\//) as unknown,
            MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
          },
        },
      ],
    });
    expect(Object.fromEntries(attempts)).toEqual({
      'disk almost full': 1,
      flaky: 2,
      'always fails': 3,
    });
    expect(mappings.stats().total).toMatchObject({
      batches: 6,
      failed: 4,
      retried: 3,
      discarded: 1,
    });
  });
});

describe('stop()', () => {
  it('ends long polls, waits and invocations in progress at once, and only once', async () => {
    const orders = await createQueue('orders');
    const events = await createStream('events', 1);
    const topic = await createTopic('alerts');
    // A function that never returns: stop() must not wait for it.
    const { invoker, invocations } = fakeInvoker(() => new Promise(() => undefined));
    const mappings = await start({
      eventSources: [
        sqsEvents('Orders'),
        kinesisEvents('Events', { function: 'StreamConsumer' }),
        { kind: 'sns', function: 'Notifier', topic: 'Alerts' },
      ],
      queues: [queueSpec('Orders')],
      resources: { Orders: orders, Events: events, Alerts: topic },
      invoker,
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: orders.ref, MessageBody: 'stuck' }));
    await waitFor('the stuck invocation', () => invocations.length === 1);

    // Every poller is now in a 20 s long poll, a Kinesis wait or the endless invocation; the
    // test's timeout is shorter than any of them.
    const stopping = mappings.stop();
    expect(mappings.stop()).toBe(stopping);
    await stopping;
    expect(mappings.stats().total).toMatchObject({ batches: 1, delivered: 1, succeeded: 0 });
  }, 10_000);
});

describe('startMappings', () => {
  it('fails with MappingStartError, and leaves nothing running, when a queue does not exist', async () => {
    const orders = await createQueue('orders');
    const missing = { ref: `${orders.ref}-missing`, attributes: {} };
    const starting = startMappings({
      architecture: {
        functions: [functionSpec('Consumer')],
        queues: [queueSpec('Orders'), queueSpec('Missing')],
        eventSources: [sqsEvents('Orders'), sqsEvents('Missing')],
        subscriptions: [],
      },
      resources: new Map([
        ['Orders', orders],
        ['Missing', missing],
      ]),
      endpoints: { sqs: sqsEmulator.endpoint },
      invoker: fakeInvoker().invoker,
      logger: recordingLogger(),
    });
    await expect(starting).rejects.toThrow(MappingStartError);
    await expect(starting).rejects.toThrow(/SQS Missing -> Consumer: could not be set up/);
  });

  it('fails with MappingConfigError when an emulator endpoint is missing', async () => {
    const events = await createStream('events', 1);
    await expect(
      startMappings({
        architecture: {
          functions: [functionSpec('Consumer')],
          queues: [],
          eventSources: [kinesisEvents('Events')],
          subscriptions: [],
        },
        resources: new Map([['Events', events]]),
        endpoints: { sqs: sqsEmulator.endpoint },
        invoker: fakeInvoker().invoker,
        logger: recordingLogger(),
      }),
    ).rejects.toThrow(MappingConfigError);
  });
});

describe('recovery', () => {
  it('survives the emulator restarting on the same port, logging the outage once', async () => {
    const emulator = await startSqsEmulator();
    emulators.push(emulator);
    const port = Number(new URL(emulator.endpoint).port);
    const client = new SQSClient({
      region: REGION,
      credentials: CREDENTIALS,
      endpoint: emulator.endpoint,
    });
    try {
      const name = uniqueName('restart');
      const create = () => client.send(new CreateQueueCommand({ QueueName: name }));
      const { QueueUrl } = await create();
      const logger = recordingLogger();
      const { invoker, invocations } = fakeInvoker();
      await start({
        eventSources: [sqsEvents('Orders')],
        queues: [queueSpec('Orders')],
        resources: { Orders: { ref: QueueUrl!, attributes: {} } },
        invoker,
        logger,
        sqsEndpoint: emulator.endpoint,
      });
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'before' }));
      await waitFor('the first message', () => invocations.length === 1);

      await emulator.close();
      await waitFor('the outage noticed', () => logger.lines('warn', 'SQS Orders').length > 0);
      const restarted = await startSqsEmulator({ port });
      emulators.push(restarted);
      await create();
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after' }));

      await waitFor('the message sent after the restart', () => invocations.length === 2);
      expect(invocations.flatMap(bodiesOf)).toEqual(['before', 'after']);
      expect(logger.lines('warn', 'SQS Orders')).toHaveLength(1);
      expect(logger.lines('info', 'recovered')).toHaveLength(1);
    } finally {
      client.destroy();
    }
  });

  it('resumes a shard after the Kinesis emulator restarts and the stream is created again', async () => {
    const emulator = await startKinesisEmulator();
    emulators.push(emulator);
    const port = Number(new URL(emulator.endpoint).port);
    const client = new KinesisClient({
      region: REGION,
      credentials: CREDENTIALS,
      endpoint: emulator.endpoint,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      const name = uniqueName('restart');
      const create = () =>
        client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      const put = (data: string) =>
        client.send(
          new PutRecordCommand({ StreamName: name, Data: Buffer.from(data), PartitionKey: 'key' }),
        );
      await create();
      const logger = recordingLogger();
      const { invoker, invocations } = fakeInvoker();
      await start({
        eventSources: [kinesisEvents('Events')],
        resources: { Events: { ref: name, attributes: {} } },
        invoker,
        logger,
        kinesisEndpoint: emulator.endpoint,
      });
      await put('before');
      await waitFor('the first record', () => invocations.length === 1);

      await emulator.close();
      await waitFor('the outage noticed', () => logger.lines('warn', 'Kinesis Events').length > 0);
      emulators.push(await startKinesisEmulator({ port }));
      await create();
      await put('after');

      await waitFor('the record put after the restart', () => invocations.length === 2);
      const data = invocations.flatMap((invocation) =>
        recordsOf<KinesisStreamRecord>(invocation).map(dataOf),
      );
      expect(data).toEqual(['before', 'after']);
      expect(logger.lines('warn', 'Kinesis Events')).toHaveLength(1);
      expect(logger.lines('info', 'no longer holds the last record read')).toHaveLength(1);
      expect(logger.lines('info', 'recovered')).toHaveLength(1);
    } finally {
      client.destroy();
    }
  });
});
