import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  type RunningEmulator,
  startKinesisEmulator,
  startSqsEmulator,
} from '@tracebridge/local/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { extractRecordContext, recordPayload, tracePropagation } from '../src/index.js';
import { setUpTestTracing } from '../src/test-support/tracing.js';
import { kinesisRecordFromApi, sqsRecordFromMessage } from './lambda-events.js';

const tracing = setUpTestTracing();
const config = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
let sqsEmulator: RunningEmulator;
let kinesisEmulator: RunningEmulator;
let sqs: SQSClient;
let sns: SNSClient;
let kinesis: KinesisClient;

beforeAll(async () => {
  [sqsEmulator, kinesisEmulator] = await Promise.all([startSqsEmulator(), startKinesisEmulator()]);
  const traced = tracePropagation({ tracerProvider: tracing.provider });
  sqs = new SQSClient({ ...config, endpoint: sqsEmulator.endpoint });
  sns = new SNSClient({ ...config, endpoint: sqsEmulator.endpoint });
  kinesis = new KinesisClient({ ...config, endpoint: kinesisEmulator.endpoint });
  for (const client of [sqs, sns, kinesis]) client.middlewareStack.use(traced);
});
afterEach(() => {
  tracing.reset();
});
afterAll(async () => {
  await Promise.all([sqsEmulator.close(), kinesisEmulator.close()]);
  await tracing.shutdown();
});

let queueCount = 0;
async function newQueue(): Promise<{ name: string; url: string }> {
  const name = `queue-${++queueCount}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { name, url: QueueUrl! };
}

async function receiveAll(url: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < count) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

const sameSpan = (actual: SpanContext | undefined, expected: ReadableSpan) => {
  expect(actual?.traceId).toBe(expected.spanContext().traceId);
  expect(actual?.spanId).toBe(expected.spanContext().spanId);
};
const createSpans = (destination: string) =>
  tracing.spans().filter((span) => span.name === `create ${destination}`);

describe('SQS through the official client and the emulator', () => {
  it("extracts exactly the send span's context on the far side, inside a Lambda invocation too", async () => {
    const queue = await newQueue();
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'producer';
    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"order":1}' }));
    } finally {
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      delete process.env._X_AMZN_TRACE_ID;
    }
    const [message] = await receiveAll(queue.url, 1);
    const record = sqsRecordFromMessage(message!, queue.name);
    const send = tracing.spanNamed(`send ${queue.name}`);
    const extracted = extractRecordContext(record);
    sameSpan(extracted.spanContext, send);
    expect(extracted.carrier).toBe('message-attributes');
    expect(message!.Attributes?.AWSTraceHeader).toContain(send.spanContext().spanId);
    expect(recordPayload(record).text).toBe('{"order":1}');
  });

  it('gives every entry of SendMessageBatch its own context', async () => {
    const queue = await newQueue();
    const entries = Array.from({ length: 10 }, (_, index) => ({
      Id: `m${index}`,
      MessageBody: `body ${index}`,
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    const creates = createSpans(queue.name);
    const messages = await receiveAll(queue.url, 10);
    for (const message of messages) {
      const index = Number(message.Body!.split(' ')[1]);
      sameSpan(
        extractRecordContext(sqsRecordFromMessage(message, queue.name)).spanContext,
        creates[index]!,
      );
    }
  });

  it('still sends, and still carries the context in AWSTraceHeader, when 10 attributes are taken', async () => {
    const queue = await newQueue();
    const MessageAttributes = Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [
        `a${index}`,
        { DataType: 'String', StringValue: `v${index}` },
      ]),
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'full', MessageAttributes }),
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'full again', MessageAttributes }),
    );
    const messages = await receiveAll(queue.url, 2);
    const record = sqsRecordFromMessage(
      messages.find((message) => message.Body === 'full')!,
      queue.name,
    );
    expect(Object.keys(record.messageAttributes)).toHaveLength(10);
    const extracted = extractRecordContext(record);
    expect(extracted.carrier).toBe('aws-trace-header');
    expect(extracted.spanContext?.spanId).toBe(
      tracing
        .spans()
        .find(
          (span) =>
            span.attributes['messaging.message.id'] ===
            messages.find((m) => m.Body === 'full')!.MessageId,
        )!
        .spanContext().spanId,
    );
    expect(tracing.warnings.filter((warning) => warning.includes('no room'))).toHaveLength(1);
  });

  it('never pushes a message over 256 KiB: near the limit the context moves to AWSTraceHeader', async () => {
    const queue = await newQueue();
    const body = 'x'.repeat(262_144 - 20);
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    const [message] = await receiveAll(queue.url, 1);
    const record = sqsRecordFromMessage(message!, queue.name);
    expect(recordPayload(record).text).toBe(body);
    expect(extractRecordContext(record).carrier).toBe('aws-trace-header');
  });

  it('never pushes a SendMessageBatch over its 256 KiB total: late entries fall back to AWSTraceHeader', async () => {
    const queue = await newQueue();
    const entries = Array.from({ length: 10 }, (_, index) => ({
      Id: `big${index}`,
      MessageBody: `${index}${'y'.repeat(26_200)}`,
    }));
    const result = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }),
    );
    expect(result.Failed ?? []).toEqual([]);
    const records = (await receiveAll(queue.url, 10)).map((message) =>
      sqsRecordFromMessage(message, queue.name),
    );
    const carriers = records.map((record) => extractRecordContext(record).carrier);
    expect(carriers).toContain('aws-trace-header');
    expect(carriers).toContain('message-attributes');
    expect(records.every((record) => extractRecordContext(record).spanContext !== undefined)).toBe(
      true,
    );
  });
});

describe('SNS to SQS through the official clients and the emulator', () => {
  it.each([true, false])(
    'carries the context of Publish and PublishBatch entries (raw delivery: %s)',
    async (raw) => {
      const queue = await newQueue();
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `topic-${queue.name}` }));
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
          Attributes: { RawMessageDelivery: String(raw) },
        }),
      );
      await sns.send(new PublishCommand({ TopicArn, Message: '{"single":true}' }));
      const entries = [0, 1, 2].map((index) => ({
        Id: `e${index}`,
        Message: `{"entry":${index}}`,
      }));
      await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
      const topic = `topic-${queue.name}`;
      const send = tracing
        .spans()
        .find(
          (span) =>
            span.name === `send ${topic}` && !span.attributes['messaging.batch.message_count'],
        )!;
      const creates = createSpans(topic);
      const messages = await receiveAll(queue.url, 4);
      for (const message of messages) {
        const record = sqsRecordFromMessage(message, queue.name);
        const payload = recordPayload(record).text;
        const extracted = extractRecordContext(record);
        expect(extracted.carrier).toBe(raw ? 'message-attributes' : 'sns-envelope');
        expect(extracted.wrapped).toBe(raw ? undefined : 'sns');
        const expected =
          payload === '{"single":true}'
            ? send
            : creates[(JSON.parse(payload) as { entry: number }).entry]!;
        sameSpan(extracted.spanContext, expected);
      }
    },
  );
});

describe('Kinesis through the official client and the emulator', () => {
  it('round-trips PutRecord and PutRecords: the context per record, the payload byte for byte', async () => {
    const stream = 'orders-stream';
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const single = Buffer.from(
      '{ "id": 12345678901234567890123, "note": "caf\u00e9 \ud83d\ude00", "id": 2 }',
    );
    const batch = [Buffer.from('{"n":1}'), Buffer.from('[1,2,3]'), Uint8Array.of(0, 159, 146, 150)];
    await kinesis.send(
      new PutRecordCommand({ StreamName: stream, PartitionKey: 'p', Data: single }),
    );
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: batch.map((Data) => ({ Data, PartitionKey: 'p' })),
      }),
    );
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const shardId = Shards[0]!.ShardId!;
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    const records = Records.map((record) => kinesisRecordFromApi(record, stream, shardId));
    expect(records).toHaveLength(4);
    const sent = [single, ...batch];
    records.forEach((record, index) => {
      expect(Buffer.from(recordPayload(record).bytes).equals(Buffer.from(sent[index]!))).toBe(true);
    });
    sameSpan(extractRecordContext(records[0]).spanContext, tracing.spanNamed(`send ${stream}`));
    sameSpan(extractRecordContext(records[1]).spanContext, createSpans(stream)[0]!);
    expect(extractRecordContext(records[2]).carrier).toBe('none');
    expect(extractRecordContext(records[3]).carrier).toBe('none');
  });
});
