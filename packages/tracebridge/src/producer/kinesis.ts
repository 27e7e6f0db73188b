import {
  injectKinesisRecordWithin,
  type KinesisRecordInput,
  kinesisRecordByteLength,
} from '../propagation/kinesis.js';
import { MAX_KINESIS_PUT_RECORDS_BYTES, MAX_KINESIS_RECORD_BYTES } from '../propagation/limits.js';
import { isPlainRecord, ownString } from '../propagation/propagator.js';
import { entriesOf, injectWithinRequest, lastSegment, type ProducerService } from './command.js';

const streamName = (input: Record<string, unknown>): string =>
  ownString(input, 'StreamName') ?? lastSegment(ownString(input, 'StreamARN'), /\//);

type RecordEntry = KinesisRecordInput & Record<string, unknown>;

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
        context
          ? injectKinesisRecordWithin(
              input as RecordEntry,
              context,
              options,
              MAX_KINESIS_RECORD_BYTES,
            )
          : input,
      results: (output) => [
        { messageId: ownString(output, 'SequenceNumber'), partition: ownString(output, 'ShardId') },
      ],
    },
    PutRecordsCommand: {
      operation: 'PutRecords',
      destination: streamName,
      entryCount: (input) => entriesOf(input, 'Records').length,
      inject: (input, contexts, options) => ({
        ...input,
        Records: injectWithinRequest(
          entriesOf(input, 'Records') as RecordEntry[],
          {
            maxRequestBytes: MAX_KINESIS_PUT_RECORDS_BYTES,
            maxEntryBytes: MAX_KINESIS_RECORD_BYTES,
          },
          kinesisRecordByteLength,
          (record, index, maxRecordBytes) => {
            const context = contexts[index];
            return context
              ? injectKinesisRecordWithin(record, context, options, maxRecordBytes)
              : record;
          },
        ),
      }),
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
