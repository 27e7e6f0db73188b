import { createServer } from 'node:net';
import type { Server } from 'node:net';

import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EmulatorStartError, startKinesisEmulator } from './index.js';
import type { RunningEmulator } from './index.js';

// The lowest and highest hash keys: with two shards splitting the key space evenly, one
// lands in each shard.
const FIRST_SHARD_KEY = '0';
const LAST_SHARD_KEY = (2n ** 128n - 1n).toString();

const started: RunningEmulator[] = [];
const clients = new Map<string, KinesisClient>();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await start();
  const config = {
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  clients.set('a default client (HTTP/2)', new KinesisClient(config));
  clients.set(
    'an HTTP/1.1 client',
    new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() }),
  );
});

afterAll(async () => {
  for (const client of clients.values()) client.destroy();
  await Promise.all(started.map((running) => running.close()));
});

async function start(options?: Parameters<typeof startKinesisEmulator>[0]) {
  const running = await startKinesisEmulator(options);
  started.push(running);
  return running;
}

let streams = 0;
async function createStream(client: KinesisClient): Promise<{ name: string; arn: string }> {
  streams += 1;
  const name = `stream-${streams}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
  await waitUntilStreamExists({ client, maxWaitTime: 10, minDelay: 1 }, { StreamName: name });
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  expect(summary.StreamDescriptionSummary).toMatchObject({
    StreamStatus: 'ACTIVE',
    OpenShardCount: 2,
  });
  return { name, arn: summary.StreamDescriptionSummary!.StreamARN! };
}

type StreamRef = { StreamName: string } | { StreamARN: string };

// Every record's data, per shard, read from the start of each shard.
async function readShards(client: KinesisClient, stream: StreamRef): Promise<string[][]> {
  const { Shards = [] } = await client.send(new ListShardsCommand(stream));
  const shards: string[][] = [];
  for (const shard of Shards) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        ...stream,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await client.send(
      new GetRecordsCommand({ ...('StreamARN' in stream ? stream : {}), ShardIterator }),
    );
    shards.push(Records.map((record) => Buffer.from(record.Data ?? []).toString()));
  }
  return shards;
}

async function writeRecords(client: KinesisClient, stream: StreamRef): Promise<void> {
  const single = await client.send(
    new PutRecordCommand({
      ...stream,
      Data: Buffer.from('single'),
      PartitionKey: 'p',
      ExplicitHashKey: FIRST_SHARD_KEY,
    }),
  );
  expect(single.ShardId).toBe('shardId-000000000000');
  const batch = await client.send(
    new PutRecordsCommand({
      ...stream,
      Records: [
        { Data: Buffer.from('batch-first'), PartitionKey: 'p', ExplicitHashKey: FIRST_SHARD_KEY },
        { Data: Buffer.from('batch-last'), PartitionKey: 'p', ExplicitHashKey: LAST_SHARD_KEY },
      ],
    }),
  );
  expect(batch.FailedRecordCount).toBe(0);
}

describe.each(['a default client (HTTP/2)', 'an HTTP/1.1 client'])('through %s', (kind) => {
  it('creates a 2-shard stream, writes and reads records by StreamName', async () => {
    const client = clients.get(kind)!;
    const { name } = await createStream(client);

    await writeRecords(client, { StreamName: name });

    expect(await readShards(client, { StreamName: name })).toEqual([
      ['single', 'batch-first'],
      ['batch-last'],
    ]);
  });

  it('writes and reads records by StreamARN', async () => {
    const client = clients.get(kind)!;
    const { arn } = await createStream(client);

    await writeRecords(client, { StreamARN: arn });

    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
    expect(summary.StreamDescriptionSummary?.StreamARN).toBe(arn);
    expect(await readShards(client, { StreamARN: arn })).toEqual([
      ['single', 'batch-first'],
      ['batch-last'],
    ]);
  });
});

it('really uses HTTP/2 for the default client', () => {
  const config = clients.get('a default client (HTTP/2)')!.config;
  expect(config.requestHandler).toBeInstanceOf(NodeHttp2Handler);
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

  it('listens on 127.0.0.1 and frees its port on close(), open HTTP/2 sessions included', async () => {
    const running = await start();
    const { hostname, port } = new URL(running.endpoint);
    expect(hostname).toBe('127.0.0.1');
    const client = new KinesisClient({
      endpoint: running.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    clients.set('lifecycle', client);
    await createStream(client);

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

    const failure = startKinesisEmulator({ port });
    await expect(failure).rejects.toBeInstanceOf(EmulatorStartError);
    await expect(failure).rejects.toMatchObject({ cause: { code: 'EADDRINUSE' } });
  });
});
