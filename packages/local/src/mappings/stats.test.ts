import { describe, expect, it } from 'vitest';

import { createCounters, snapshotStats } from './stats.js';

describe('snapshotStats', () => {
  it('lists each mapping and sums them, without sharing the live counters', () => {
    const sqs = createCounters();
    const kinesis = createCounters();
    sqs.succeeded = 3;
    sqs.deadLettered = 1;
    kinesis.succeeded = 2;
    kinesis.discarded = 1;
    const stats = snapshotStats([
      { kind: 'sqs', function: 'consumer', source: 'Orders', counters: sqs },
      { kind: 'kinesis', function: 'consumer', source: 'Events', counters: kinesis },
    ]);
    sqs.succeeded = 100;

    expect(stats.mappings[0]).toMatchObject({ kind: 'sqs', source: 'Orders', succeeded: 3 });
    expect(stats.total).toMatchObject({ succeeded: 5, deadLettered: 1, discarded: 1, failed: 0 });
  });
});
