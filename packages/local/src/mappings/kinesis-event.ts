import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';

/** Where a Kinesis record comes from and who reads it, as Lambda names them in every record. */
export interface KinesisRecordSource {
  readonly streamArn: string;
  readonly shardId: string;
  readonly region: string;
  /** The execution role Lambda reads the stream with. */
  readonly invokeIdentityArn: string;
}

// Versions Lambda writes into every Kinesis record (the schema of `kinesis`, the event's).
const KINESIS_SCHEMA_VERSION = '1.0';
const EVENT_VERSION = '1.0';
const MS_PER_SECOND = 1_000;

/**
 * Builds the record Lambda puts in a Kinesis event for a record read with GetRecords: the
 * data in base64, the arrival time in epoch seconds with milliseconds as the fraction, and
 * an `eventID` of shard id and sequence number. Source: "Using Lambda with Kinesis Data
 * Streams", example event, https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html.
 *
 * @example
 * ```ts
 * const event = { Records: records.map((r) => toKinesisRecord(r, source)) };
 * ```
 */
export function toKinesisRecord(
  record: KinesisRecord,
  source: KinesisRecordSource,
): KinesisStreamRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  return {
    kinesis: {
      kinesisSchemaVersion: KINESIS_SCHEMA_VERSION,
      partitionKey: record.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp:
        (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / MS_PER_SECOND,
    },
    eventSource: 'aws:kinesis',
    eventVersion: EVENT_VERSION,
    eventID: `${source.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}
