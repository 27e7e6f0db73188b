import { createServer } from 'node:net';
import type { Server } from 'node:net';

import {
  BatchRequestTooLongException,
  CreateTopicCommand,
  InvalidParameterException,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import type { MessageAttributeValue as SnsAttributeValue } from '@aws-sdk/client-sns';
import {
  BatchRequestTooLong,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import type {
  Message,
  MessageAttributeValue,
  QueueAttributeName,
  ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { EmulatorStartError, startSqsEmulator } from './index.js';
import type { RunningEmulator } from './index.js';

const SENT_TRACE = 'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=1111111111111111;Sampled=1';
const LAMBDA_TRACE = 'Root=1-67a1b2c3-fedcba9876543210fedcba98;Parent=2222222222222222;Sampled=1';
const LIMIT = 262_144;

const started: RunningEmulator[] = [];
const clients: (SQSClient | SNSClient)[] = [];
let emulator: RunningEmulator;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(async () => {
  emulator = await start();
  sqs = sqsClient(emulator);
  sns = snsClient(emulator);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(started.map((running) => running.close()));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function start(options?: Parameters<typeof startSqsEmulator>[0]): Promise<RunningEmulator> {
  const running = await startSqsEmulator(options);
  started.push(running);
  return running;
}

function clientConfig(running: RunningEmulator) {
  return {
    endpoint: running.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

function sqsClient(running: RunningEmulator): SQSClient {
  const client = new SQSClient(clientConfig(running));
  clients.push(client);
  return client;
}

function snsClient(running: RunningEmulator): SNSClient {
  const client = new SNSClient(clientConfig(running));
  clients.push(client);
  return client;
}

// Inside a Lambda invocation the SDK copies _X_AMZN_TRACE_ID into X-Amzn-Trace-Id.
function inLambdaInvocation(traceHeader: string): void {
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'producer');
  vi.stubEnv('_X_AMZN_TRACE_ID', traceHeader);
}

let queues = 0;
async function createQueue(client = sqs): Promise<string> {
  queues += 1;
  const created = await client.send(new CreateQueueCommand({ QueueName: `queue-${queues}` }));
  return created.QueueUrl!;
}

async function receive(
  queueUrl: string,
  input: Partial<ReceiveMessageCommandInput> = {},
  client = sqs,
): Promise<Message[]> {
  const received = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['AWSTraceHeader'],
      ...input,
    }),
  );
  return received.Messages ?? [];
}

async function receiveOne(queueUrl: string, input?: Partial<ReceiveMessageCommandInput>) {
  const messages = await receive(queueUrl, input);
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

function stringAttributes(count: number): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, index) => [
      `attribute${index}`,
      { DataType: 'String', StringValue: `value${index}` },
    ]),
  );
}

const sentTraceAttribute = {
  AWSTraceHeader: { DataType: 'String', StringValue: SENT_TRACE },
} as const;

describe('AWSTraceHeader', () => {
  it('comes from the AWSTraceHeader message system attribute', async () => {
    const queueUrl = await createQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'hello',
        MessageSystemAttributes: sentTraceAttribute,
      }),
    );

    const message = await receiveOne(queueUrl);
    expect(message.Attributes?.AWSTraceHeader).toBe(SENT_TRACE);
  });

  it('comes from the X-Amzn-Trace-Id header the SDK sends inside a Lambda invocation', async () => {
    const queueUrl = await createQueue();
    inLambdaInvocation(LAMBDA_TRACE);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));

    const message = await receiveOne(queueUrl);
    expect(message.Attributes?.AWSTraceHeader).toBe(LAMBDA_TRACE);
  });

  it('takes the system attribute over the header when both are present', async () => {
    const queueUrl = await createQueue();
    inLambdaInvocation(LAMBDA_TRACE);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'hello',
        MessageSystemAttributes: sentTraceAttribute,
      }),
    );

    const message = await receiveOne(queueUrl);
    expect(message.Attributes?.AWSTraceHeader).toBe(SENT_TRACE);
  });

  it('is returned only when asked for, by either parameter, by name or with All', async () => {
    const queueUrl = await createQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'hello',
        MessageSystemAttributes: sentTraceAttribute,
      }),
    );

    const notAsked = await receiveOne(queueUrl, { MessageSystemAttributeNames: [] });
    expect(notAsked.Attributes?.AWSTraceHeader).toBeUndefined();
    const otherName = await receiveOne(queueUrl, { MessageSystemAttributeNames: ['SenderId'] });
    expect(Object.keys(otherName.Attributes ?? {})).toEqual(['SenderId']);
    const legacyAll = await receiveOne(queueUrl, {
      MessageSystemAttributeNames: [],
      AttributeNames: ['All'],
    });
    expect(legacyAll.Attributes?.AWSTraceHeader).toBe(SENT_TRACE);
    expect(legacyAll.Attributes?.SentTimestamp).toBeDefined();
    const legacyByName = await receiveOne(queueUrl, {
      MessageSystemAttributeNames: [],
      // The SDK types this deprecated parameter with queue attribute names only; SQS reads
      // message system attribute names from it too (the X-Ray guide's SQS example does).
      AttributeNames: ['AWSTraceHeader' as QueueAttributeName],
    });
    expect(legacyByName.Attributes?.AWSTraceHeader).toBe(SENT_TRACE);
    const all = await receiveOne(queueUrl, { MessageSystemAttributeNames: ['All'] });
    expect(all.Attributes?.AWSTraceHeader).toBe(SENT_TRACE);
  });

  it('is set per entry in a batch, falling back to the header', async () => {
    const queueUrl = await createQueue();
    inLambdaInvocation(LAMBDA_TRACE);
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'own', MessageBody: 'own', MessageSystemAttributes: sentTraceAttribute },
          { Id: 'inherited', MessageBody: 'inherited' },
        ],
      }),
    );
    expect(sent.Successful).toHaveLength(2);

    const messages = await receive(queueUrl);
    const traceOf = (body: string) =>
      messages.find((message) => message.Body === body)?.Attributes?.AWSTraceHeader;
    expect(traceOf('own')).toBe(SENT_TRACE);
    expect(traceOf('inherited')).toBe(LAMBDA_TRACE);
  });

  it('is absent when a message was sent with neither', async () => {
    const queueUrl = await createQueue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'traced', MessageBody: 'traced', MessageSystemAttributes: sentTraceAttribute },
          { Id: 'untraced', MessageBody: 'untraced' },
        ],
      }),
    );

    const messages = await receive(queueUrl);
    const untraced = messages.find((message) => message.Body === 'untraced');
    expect(untraced?.Attributes?.AWSTraceHeader).toBeUndefined();
  });

  it('leaves message attribute selection and its MD5 as SQS computes them', async () => {
    const queueUrl = await createQueue();
    const only = { a: { DataType: 'String', StringValue: 'kept' } };
    const reference = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'a only',
        MessageAttributes: only,
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'a and b',
        MessageAttributes: { ...only, b: { DataType: 'Number', StringValue: '7' } },
        MessageSystemAttributes: sentTraceAttribute,
      }),
    );

    const messages = await receive(queueUrl, { MessageAttributeNames: ['a'] });
    const selected = messages.find((message) => message.Body === 'a and b');
    expect(selected?.MessageAttributes).toEqual(only);
    expect(selected?.MD5OfMessageAttributes).toBe(reference.MD5OfMessageAttributes);
    expect(selected?.Attributes?.AWSTraceHeader).toBe(SENT_TRACE);
  });

  it('returns no message attributes to a receive that names none, as SQS does', async () => {
    const queueUrl = await createQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'with a trace context',
        MessageAttributes: {
          traceparent: {
            DataType: 'String',
            StringValue: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
          },
        },
      }),
    );

    const [message] = await receive(queueUrl, { MessageAttributeNames: [] });
    expect(message?.Body).toBe('with a trace context');
    expect(message?.MessageAttributes).toBeUndefined();
    expect(message?.MD5OfMessageAttributes).toBeUndefined();
  });
});

describe('the 10 message attribute quota', () => {
  it('accepts ten attributes and rejects an eleventh as SQS does', async () => {
    const queueUrl = await createQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'ten',
        MessageAttributes: stringAttributes(10),
        MessageSystemAttributes: sentTraceAttribute,
      }),
    );

    const eleven = sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'eleven',
        MessageAttributes: stringAttributes(11),
      }),
    );
    await expect(eleven).rejects.toBeInstanceOf(SQSServiceException);
    await expect(eleven).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Number of message attributes [11] exceeds the allowed maximum [10].',
      $metadata: { httpStatusCode: 400 },
    });
    const messages = await receive(queueUrl);
    expect(messages.map((message) => message.Body)).toEqual(['ten']);
    expect(Object.keys(messages[0]!.MessageAttributes ?? {})).toHaveLength(10);
  });

  it('fails only the over-quota entry of a batch', async () => {
    const queueUrl = await createQueue();
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'first', MessageBody: 'first', MessageAttributes: stringAttributes(10) },
          { Id: 'over', MessageBody: 'over', MessageAttributes: stringAttributes(11) },
          { Id: 'last', MessageBody: 'last' },
        ],
      }),
    );

    expect(sent.Successful?.map((entry) => entry.Id).sort()).toEqual(['first', 'last']);
    expect(sent.Failed).toEqual([
      {
        Id: 'over',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message: 'Number of message attributes [11] exceeds the allowed maximum [10].',
      },
    ]);
    const bodies = (await receive(queueUrl)).map((message) => message.Body);
    expect(bodies.sort()).toEqual(['first', 'last']);
  });
});

describe('the message size limit', () => {
  // 'a' + 'String' + 'v': attributes count by name, data type and value.
  const attribute = { a: { DataType: 'String', StringValue: 'v' } };
  const attributeBytes = 1 + 6 + 1;

  it('accepts a message exactly at 256 KiB, attributes included, and rejects one byte more', async () => {
    const queueUrl = await createQueue();
    const atLimit = 'x'.repeat(LIMIT - attributeBytes);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: atLimit,
        MessageAttributes: attribute,
        // System attributes do not count towards the size.
        MessageSystemAttributes: sentTraceAttribute,
      }),
    );

    const over = sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: `${atLimit}x`,
        MessageAttributes: attribute,
      }),
    );
    await expect(over).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message:
        'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
    });
    const messages = await receive(queueUrl);
    expect(messages.map((message) => message.Body?.length)).toEqual([atLimit.length]);
  });

  it('counts multi-byte characters and decoded binary values in bytes', async () => {
    const queueUrl = await createQueue();
    const binary = { b: { DataType: 'Binary', BinaryValue: new Uint8Array(999) } };
    const euros = '€'.repeat((LIMIT - (1 + 6 + 999)) / 3); // 3 bytes each in UTF-8
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: euros, MessageAttributes: binary }),
    );

    const over = sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: `${euros}x`,
        MessageAttributes: binary,
      }),
    );
    await expect(over).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('rejects a batch over the limit in total with BatchRequestTooLong', async () => {
    const queueUrl = await createQueue();
    const half = 'x'.repeat(LIMIT / 2);
    const batch = sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'one', MessageBody: half },
          { Id: 'two', MessageBody: `${half}x` },
        ],
      }),
    );
    await expect(batch).rejects.toBeInstanceOf(BatchRequestTooLong);
    await expect(batch).rejects.toMatchObject({
      message: 'Batch requests cannot be longer than 262144 bytes. You have sent 262145 bytes.',
    });
    expect(await receive(queueUrl)).toEqual([]);
  });

  describe('raised to 1 MiB', () => {
    let raisedSqs: SQSClient;

    beforeAll(async () => {
      raisedSqs = sqsClient(await start({ maxMessageBytes: 1_048_576 }));
    });

    it('accepts 1 MiB and rejects one byte more', async () => {
      const queueUrl = await createQueue(raisedSqs);
      const mebibyte = 'x'.repeat(1_048_576);
      await raisedSqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: mebibyte }));
      const over = raisedSqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `${mebibyte}x` }),
      );
      await expect(over).rejects.toMatchObject({
        message:
          'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
      });
    });
  });

  it('refuses a limit outside the range of SQS', async () => {
    await expect(startSqsEmulator({ maxMessageBytes: 2_000_000 })).rejects.toThrow(
      EmulatorStartError,
    );
  });
});

describe('the characters of a message body', () => {
  it('accepts characters above U+FFFF, as SQS does, alone and in a batch', async () => {
    const queueUrl = await createQueue();
    const body = 'order 😀 𝄞 𠀋 done';
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [{ Id: 'emoji', MessageBody: `${body} again` }],
      }),
    );
    expect(batch.Failed ?? []).toEqual([]);
    const bodies = (await receive(queueUrl)).map((message) => message.Body);
    expect(bodies.sort()).toEqual([body, `${body} again`]);
  });

  it('still refuses what SQS refuses: control characters and lone surrogates', async () => {
    const queueUrl = await createQueue();
    for (const body of ['bell \u0007', 'lone \uD83D surrogate', 'not a character \uFFFE']) {
      const sent = sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      await expect(sent).rejects.toThrow(/^Invalid characters found/);
    }
  });
});

describe('SNS on the same endpoint', () => {
  let topicArn: string;
  let rawQueueUrl: string;
  let wrappedQueueUrl: string;

  beforeAll(async () => {
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'events' }))).TopicArn!;
    rawQueueUrl = await createQueue();
    wrappedQueueUrl = await createQueue();
    for (const [queueUrl, raw] of [
      [rawQueueUrl, 'true'],
      [wrappedQueueUrl, 'false'],
    ] as const) {
      const queue = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queue.Attributes!.QueueArn!,
          Attributes: { RawMessageDelivery: raw },
        }),
      );
    }
  });

  // Each test reads everything it published, so the queues start empty.
  async function drain(queueUrl: string): Promise<Message[]> {
    return receive(queueUrl, { VisibilityTimeout: 30 });
  }

  const traceparent = {
    traceparent: {
      DataType: 'String',
      StringValue: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
    },
  };

  it("delivers raw and wrapped, carrying the publisher's X-Amzn-Trace-Id", async () => {
    inLambdaInvocation(LAMBDA_TRACE);
    const published = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'hello', MessageAttributes: traceparent }),
    );

    const [raw] = await drain(rawQueueUrl);
    expect(raw?.Body).toBe('hello');
    expect(raw?.MessageAttributes).toEqual(traceparent);
    expect(raw?.Attributes?.AWSTraceHeader).toBe(LAMBDA_TRACE);

    const [wrapped] = await drain(wrappedQueueUrl);
    expect(wrapped?.MessageAttributes).toBeUndefined();
    expect(wrapped?.Attributes?.AWSTraceHeader).toBe(LAMBDA_TRACE);
    expect(JSON.parse(wrapped?.Body ?? '')).toMatchObject({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: topicArn,
      Message: 'hello',
      MessageAttributes: {
        traceparent: { Type: 'String', Value: traceparent.traceparent.StringValue },
      },
    });
  });

  it('leaves no AWSTraceHeader when the publisher sent none', async () => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'untraced' }));

    const [raw] = await drain(rawQueueUrl);
    const [wrapped] = await drain(wrappedQueueUrl);
    expect(raw?.Body).toBe('untraced');
    expect(raw?.Attributes?.AWSTraceHeader).toBeUndefined();
    expect(JSON.parse(wrapped?.Body ?? '')).toMatchObject({ Message: 'untraced' });
    expect(wrapped?.Attributes?.AWSTraceHeader).toBeUndefined();
  });

  it('carries the trace header to every entry of a PublishBatch', async () => {
    inLambdaInvocation(LAMBDA_TRACE);
    await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'one', MessageAttributes: traceparent },
          { Id: 'two', Message: 'two' },
        ],
      }),
    );

    for (const queueUrl of [rawQueueUrl, wrappedQueueUrl]) {
      const messages = await drain(queueUrl);
      expect(messages).toHaveLength(2);
      for (const message of messages) {
        expect(message.Attributes?.AWSTraceHeader).toBe(LAMBDA_TRACE);
        expect(message.Body).not.toContain('AWS.tracebridge');
      }
    }
  });

  it('delivers ten attributes raw with the trace header besides them', async () => {
    inLambdaInvocation(LAMBDA_TRACE);
    const ten: Record<string, SnsAttributeValue> = stringAttributes(10);
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'ten', MessageAttributes: ten }),
    );

    const [raw] = await drain(rawQueueUrl);
    expect(raw?.MessageAttributes).toEqual(ten);
    expect(raw?.Attributes?.AWSTraceHeader).toBe(LAMBDA_TRACE);
    const [wrapped] = await drain(wrappedQueueUrl);
    expect(wrapped?.Attributes?.AWSTraceHeader).toBe(LAMBDA_TRACE);
  });

  it('accepts an 11th attribute, which raw delivery to SQS then discards', async () => {
    const eleven: Record<string, SnsAttributeValue> = stringAttributes(11);
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: 'eleven', MessageAttributes: eleven }),
    );
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'after' }));

    expect((await drain(rawQueueUrl)).map((message) => message.Body)).toEqual(['after']);
    const wrapped = (await drain(wrappedQueueUrl)).map(
      (message) => JSON.parse(message.Body ?? '') as { Message: string; MessageAttributes: object },
    );
    expect(wrapped.map((envelope) => envelope.Message)).toEqual(['eleven', 'after']);
    expect(Object.keys(wrapped[0]!.MessageAttributes)).toHaveLength(11);
  });

  it('rejects a message whose body and attributes exceed 256 KiB', async () => {
    const attribute = { a: { DataType: 'String', StringValue: 'v' } };
    const atLimit = 'x'.repeat(LIMIT - (1 + 6 + 1));
    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: atLimit, MessageAttributes: attribute }),
    );

    const over = sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: `${atLimit}x`,
        MessageAttributes: attribute,
      }),
    );
    await expect(over).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(over).rejects.toMatchObject({ message: 'Invalid parameter: Message too long' });
    expect(await drain(rawQueueUrl)).toHaveLength(1);
    expect(await drain(wrappedQueueUrl)).toHaveLength(1);
  });

  it('rejects a PublishBatch over 256 KiB in total', async () => {
    const half = 'x'.repeat(LIMIT / 2);
    const batch = sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: half },
          { Id: 'two', Message: `${half}x` },
        ],
      }),
    );
    await expect(batch).rejects.toBeInstanceOf(BatchRequestTooLongException);
    expect(await drain(rawQueueUrl)).toEqual([]);
  });
});

describe('lifecycle', () => {
  let blocker: Server;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('listens on 127.0.0.1 and frees its port on close()', async () => {
    const running = await start();
    const { hostname, port } = new URL(running.endpoint);
    expect(hostname).toBe('127.0.0.1');

    await running.close();
    await running.close();
    const reuse = createServer();
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.listen(Number(port), '127.0.0.1', resolve);
    });
    await new Promise((resolve) => reuse.close(resolve));
  });

  it('fails to start on a taken port with EmulatorStartError carrying the cause', async () => {
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : -1;

    const failure = startSqsEmulator({ port });
    await expect(failure).rejects.toBeInstanceOf(EmulatorStartError);
    await expect(failure).rejects.toMatchObject({ cause: { code: 'EADDRINUSE' } });
  });
});
