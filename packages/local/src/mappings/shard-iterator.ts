import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

/** A shard of a stream, and the signal that cancels calls to it. */
export interface ShardRef {
  readonly streamName: string;
  readonly shardId: string;
  readonly signal?: AbortSignal;
}

/** Where a shard iterator starts. */
export interface ShardIteratorRequest extends ShardRef {
  readonly type: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER';
  /** With `AT_SEQUENCE_NUMBER`: the record to start at. */
  readonly sequenceNumber?: string;
}

/** A record's identity in a shard. */
export interface RecordPosition {
  readonly sequenceNumber: string;
  readonly arrivalMs: number | undefined;
}

/**
 * Gets a shard iterator with GetShardIterator.
 *
 * @example
 * ```ts
 * const iterator = await getShardIterator(kinesis, { streamName: 'events', shardId, type: 'LATEST' });
 * ```
 */
export async function getShardIterator(
  kinesis: KinesisClient,
  request: ShardIteratorRequest,
): Promise<string> {
  const output = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: request.streamName,
      ShardId: request.shardId,
      ShardIteratorType: request.type,
      StartingSequenceNumber: request.sequenceNumber,
    }),
    { abortSignal: request.signal },
  );
  if (output.ShardIterator === undefined) {
    throw new Error(`GetShardIterator returned no iterator for ${request.shardId}.`);
  }
  return output.ShardIterator;
}

/**
 * An iterator just after the record at `position`, if the shard still holds that record;
 * `undefined` when it does not (the stream was created again, or the record expired).
 * Checking the record itself matters: kinesalite numbers records from the stream's creation
 * second, so a stream created again within that second accepts the old number, and can
 * even give its own first record the same number; only the arrival time tells them apart.
 *
 * @example
 * ```ts
 * const iterator = (await iteratorAfter(kinesis, shard, lastRead)) ?? (await fromTheStart());
 * ```
 */
export async function iteratorAfter(
  kinesis: KinesisClient,
  shard: ShardRef,
  position: RecordPosition,
): Promise<string | undefined> {
  let iterator: string;
  try {
    iterator = await getShardIterator(kinesis, {
      ...shard,
      type: 'AT_SEQUENCE_NUMBER',
      sequenceNumber: position.sequenceNumber,
    });
  } catch (error) {
    // A number from another stream: this one was created again.
    if (error instanceof Error && error.name === 'InvalidArgumentException') return undefined;
    throw error;
  }
  const output = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }), {
    abortSignal: shard.signal,
  });
  const found = output.Records?.[0];
  const same =
    found?.SequenceNumber === position.sequenceNumber &&
    found.ApproximateArrivalTimestamp?.getTime() === position.arrivalMs;
  return same ? output.NextShardIterator : undefined;
}
