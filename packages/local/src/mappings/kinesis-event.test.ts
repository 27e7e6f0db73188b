import { describe, expect, it } from 'vitest';

import { toKinesisRecord } from './kinesis-event.js';

describe('toKinesisRecord', () => {
  it('builds the record Lambda delivers', () => {
    const record = toKinesisRecord(
      {
        SequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        PartitionKey: '1',
        Data: Buffer.from('Hello, this is a test.'),
        ApproximateArrivalTimestamp: new Date(1_545_084_650_987),
      },
      {
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
        shardId: 'shardId-000000000006',
        region: 'us-east-1',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/ConsumerRole',
      },
    );
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: '1',
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
        approximateArrivalTimestamp: 1_545_084_650.987,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/ConsumerRole',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
    });
  });
});
