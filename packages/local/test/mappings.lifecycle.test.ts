import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

import { startKinesisEmulator, startSqsEmulator } from '../src/emulators/index.js';
import { MappingConfigError, MappingStartError, startMappings } from '../src/mappings/index.js';
import {
  bodiesOf,
  closeAfterAll,
  createQueue,
  createStream,
  createTopic,
  CREDENTIALS,
  dataOf,
  emulated,
  fakeInvoker,
  functionSpec,
  kinesisEvents,
  queueSpec,
  recordingLogger,
  recordsOf,
  REGION,
  sqsEvents,
  start,
  uniqueName,
  useMappingEmulators,
  waitFor,
} from './support/mappings-harness.js';

useMappingEmulators();

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
    await emulated.sqs.send(new SendMessageCommand({ QueueUrl: orders.ref, MessageBody: 'stuck' }));
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
      endpoints: { sqs: emulated.sqsEmulator.endpoint },
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
        endpoints: { sqs: emulated.sqsEmulator.endpoint },
        invoker: fakeInvoker().invoker,
        logger: recordingLogger(),
      }),
    ).rejects.toThrow(MappingConfigError);
  });
});

describe('recovery', () => {
  it('survives the emulator restarting on the same port, logging the outage once', async () => {
    const emulator = await startSqsEmulator();
    closeAfterAll(emulator);
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
      closeAfterAll(restarted);
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
    closeAfterAll(emulator);
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
      closeAfterAll(await startKinesisEmulator({ port }));
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
