import type { KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';

import {
  createStream,
  dataOf,
  failedWith,
  fakeInvoker,
  FIRST_SHARD_KEY,
  kinesisEvents,
  LAST_SHARD_KEY,
  putRecord,
  recordsOf,
  start,
  succeeded,
  useMappingEmulators,
  waitFor,
} from './support/mappings-harness.js';

useMappingEmulators();

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

  it('retries right away once a partial batch response has moved the checkpoint', async () => {
    const events = await createStream('events', 1);
    for (let index = 1; index <= 12; index += 1) await putRecord(events.ref, `r${index}`);
    // Every batch of more than one record fails on its second: each retry makes progress.
    const { invoker, invocations } = fakeInvoker((event) => {
      const batch = (event as { Records: KinesisStreamRecord[] }).Records;
      const second = batch[1];
      return succeeded(
        second ? { batchItemFailures: [{ itemIdentifier: second.kinesis.sequenceNumber }] } : {},
      );
    });
    const mappings = await start({
      eventSources: [kinesisEvents('Events', { batchSize: 12, reportBatchItemFailures: true })],
      resources: { Events: events },
      invoker,
      // A backoff still growing across the 11 retries would wait minutes in all.
      polling: { backoff: { initialMs: 50, maxMs: 60_000 } },
    });

    await waitFor('all twelve processed', () => mappings.stats().total.succeeded === 12);
    expect(invocations.map((invocation) => recordsOf(invocation).length)).toEqual(
      Array.from({ length: 12 }, (_, index) => 12 - index),
    );
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
