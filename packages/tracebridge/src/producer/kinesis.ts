import type { Context } from '@opentelemetry/api';
import {
  injectKinesisRecordWithin,
  type KinesisInjectOptions,
  type KinesisRecordInput,
  kinesisRecordByteLength,
} from '../propagation/kinesis.js';
import { MAX_KINESIS_PUT_RECORDS_BYTES, MAX_KINESIS_RECORD_BYTES } from '../propagation/limits.js';
import { isPlainRecord, ownString, w3cPropagator } from '../propagation/propagator.js';
import { contextTextMap } from '../propagation/sqs.js';
import { entriesOf, lastSegment, type ProducerService } from './command.js';

const streamName = (input: Record<string, unknown>): string =>
  ownString(input, 'StreamName') ?? lastSegment(ownString(input, 'StreamARN'), /\//);

function injectRecord(
  record: Record<string, unknown>,
  context: Context | undefined,
  options: KinesisInjectOptions,
  maxRecordBytes: number,
): Record<string, unknown> {
  const textMap = context && contextTextMap(context, options.propagator ?? w3cPropagator);
  if (!textMap) return record;
  return injectKinesisRecordWithin(
    record as KinesisRecordInput & Record<string, unknown>,
    textMap,
    options.binaryEnvelope ?? false,
    maxRecordBytes,
  );
}

/** Kinesis sends: PutRecord and PutRecords (whose request as a whole is capped at 5 MiB). */
export const kinesisProducer: ProducerService = {
  system: 'aws.kinesis',
  rpcService: 'Kinesis',
  commands: {
    PutRecordCommand: {
      operation: 'PutRecord',
      destination: streamName,
      entryCount: () => undefined,
      inject: (input, [context], options) =>
        injectRecord(input, context, options, MAX_KINESIS_RECORD_BYTES),
      results: (output) => [
        { messageId: ownString(output, 'SequenceNumber'), partition: ownString(output, 'ShardId') },
      ],
    },
    PutRecordsCommand: {
      operation: 'PutRecords',
      destination: streamName,
      entryCount: (input) => entriesOf(input, 'Records').length,
      inject: (input, contexts, options) => {
        const records = entriesOf(input, 'Records');
        let requestBytes = records.reduce(
          (sum, record) => sum + kinesisRecordByteLength(record),
          0,
        );
        const Records = records.map((record, index) => {
          const recordBytes = kinesisRecordByteLength(record);
          const room = MAX_KINESIS_PUT_RECORDS_BYTES - requestBytes;
          const limit = Math.min(MAX_KINESIS_RECORD_BYTES, recordBytes + Math.max(room, 0));
          const injected = injectRecord(record, contexts[index], options, limit);
          requestBytes += kinesisRecordByteLength(injected) - recordBytes;
          return injected;
        });
        return { ...input, Records };
      },
      results: (output) => {
        const records =
          isPlainRecord(output) && Array.isArray(output.Records) ? output.Records : [];
        return records.map((record) => {
          const errorCode = ownString(record, 'ErrorCode');
          return {
            messageId: ownString(record, 'SequenceNumber'),
            partition: ownString(record, 'ShardId'),
            error: errorCode && `${errorCode}: ${ownString(record, 'ErrorMessage') ?? ''}`,
          };
        });
      },
    },
  },
};
