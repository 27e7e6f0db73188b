import type { _Record as KinesisApiRecord } from '@aws-sdk/client-kinesis';
import type { Message } from '@aws-sdk/client-sqs';
import { toKinesisRecord, toSqsRecord } from '@tracebridge/local/mappings';
import type { KinesisStreamRecord, SQSRecord } from 'aws-lambda';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** The record Lambda's SQS event source mapping builds from a received message. */
export function sqsRecordFromMessage(message: Message, queueName: string): SQSRecord {
  return toSqsRecord(message, {
    queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`,
    region: REGION,
  });
}

/** The record Lambda's Kinesis event source mapping builds from a GetRecords record. */
export function kinesisRecordFromApi(
  record: KinesisApiRecord,
  streamName: string,
  shardId: string,
): KinesisStreamRecord {
  return toKinesisRecord(record, {
    streamArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${streamName}`,
    shardId,
    region: REGION,
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/consumer`,
  });
}
