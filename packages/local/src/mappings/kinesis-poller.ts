import { GetRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';

import { LOCAL_REGION } from '../model.js';
import type { InvocationResult } from '../model.js';
import { readBatchResponse } from './batch-response.js';
import { describeFailure, invokeBatch } from './invoke.js';
import { toKinesisRecord } from './kinesis-event.js';
import type { KinesisRecordSource } from './kinesis-event.js';
import { jsonBytes, takeWithinPayload } from './limits.js';
import type { KinesisSourcePlan } from './plan.js';
import { createBackoff, createEmulatorLink, isStopping, sleep } from './polling.js';
import type { PollerContext } from './polling.js';
import { getShardIterator, iteratorAfter } from './shard-iterator.js';
import type { RecordPosition } from './shard-iterator.js';
import type { Counters } from './stats.js';

/** What the poller of one shard needs. */
export interface ShardPollerOptions {
  readonly source: KinesisSourcePlan;
  readonly shardId: string;
  /** The iterator taken when the mappings started, so that `LATEST` means "after start". */
  readonly iterator: string;
  readonly kinesis: KinesisClient;
  /** How long to wait after a GetRecords that found nothing. */
  readonly pollIntervalMs: number;
  /** Shared by the shards of one mapping. */
  readonly counters: Counters;
  readonly context: PollerContext;
}

interface ShardState {
  iterator: string | undefined;
  /** The last record read: where reading resumes after an error. */
  lastRead: RecordPosition | undefined;
  /** No NextShardIterator: the shard was closed (resharding) and has been read to its end. */
  closed: boolean;
  /** Records read and not yet processed, in shard order: a retried batch goes back in front. */
  readonly pending: KinesisStreamRecord[];
  /** Failed invocations of the batch at the head of `pending`. */
  attempts: number;
}

/**
 * Polls one shard for one function the way Lambda's Kinesis event source mapping does
 * ("Using Lambda with Kinesis Data Streams",
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html): one batch of the shard
 * at a time, so records are processed in shard order and never by two invocations at
 * once; up to `batchSize` records gathered within the batching window (or the 6 MB payload
 * limit); a failed batch retried, with backoff, until it succeeds or
 * `maximumRetryAttempts` is used up, then discarded (with -1 Lambda retries until the
 * records expire from the stream; here, until it succeeds). With `ReportBatchItemFailures`, a response naming a sequence number checkpoints
 * before that record and retries from it. Resolves when `stop()` aborts the context's
 * signal, or when a closed shard has been read to its end.
 *
 * @example
 * ```ts
 * const running = runShardPoller({ source, shardId, iterator, kinesis, pollIntervalMs: 1_000, counters, context });
 * controller.abort();
 * await running;
 * ```
 */
export async function runShardPoller(options: ShardPollerOptions): Promise<void> {
  const { context } = options;
  const label = shardLabel(options);
  const link = createEmulatorLink(context, label);
  const retryBackoff = createBackoff(context.backoff);
  // What every record of the shard names, the same for each of them.
  const recordSource: KinesisRecordSource = {
    streamArn: options.source.streamArn,
    shardId: options.shardId,
    region: LOCAL_REGION,
    invokeIdentityArn: options.source.invokeIdentityArn,
  };
  const state: ShardState = {
    iterator: options.iterator,
    lastRead: undefined,
    closed: false,
    pending: [],
    attempts: 0,
  };
  while (!context.signal.aborted) {
    try {
      const batch = await gatherBatch(options, recordSource, state);
      link.ok();
      if (batch.length === 0) {
        if (state.closed) {
          context.logger.info(`${label}: the shard is closed and fully read.`);
          return;
        }
        await sleep(options.pollIntervalMs, context.signal);
        continue;
      }
      if (await deliver(options, label, state, batch)) {
        // The backoff grows with the retries of one batch. A partial batch response that moved
        // the checkpoint starts a new batch (attempts back to 1), which waits the shortest time:
        // otherwise, with a few failing records per batch, every later failure would wait the
        // longest backoff, as if the shard were stuck.
        if (state.attempts === 1) retryBackoff.reset();
        await sleep(retryBackoff.next(), context.signal);
      } else {
        retryBackoff.reset();
      }
    } catch (error) {
      if (isStopping(context.signal)) return;
      // An iterator may have expired (Kinesis keeps them 5 minutes) or died with the
      // emulator: a new one resumes after the last record read.
      state.iterator = undefined;
      await link.failed(error);
    }
  }
}

// Records join `pending` as they are read, so an error while gathering loses none.
async function gatherBatch(
  options: ShardPollerOptions,
  recordSource: KinesisRecordSource,
  state: ShardState,
): Promise<KinesisStreamRecord[]> {
  const { source, context } = options;
  const read = (limit: number): Promise<number> => readInto(state, options, recordSource, limit);
  if (state.pending.length < source.batchSize) {
    await read(source.batchSize - state.pending.length);
  }
  if (state.pending.length > 0) {
    // The window opens with the first record, so an idle shard is not invoked.
    const deadline = Date.now() + source.windowMs;
    let remaining = deadline - Date.now();
    while (
      state.pending.length < source.batchSize &&
      remaining > 0 &&
      !state.closed &&
      !context.signal.aborted
    ) {
      const found = await read(source.batchSize - state.pending.length);
      if (found === 0) await sleep(Math.min(remaining, options.pollIntervalMs), context.signal);
      remaining = deadline - Date.now();
    }
  }
  const { taken } = takeWithinPayload(state.pending.slice(0, source.batchSize), jsonBytes);
  state.pending.splice(0, taken.length);
  return taken;
}

// Reads up to `limit` records into `state.pending`; returns how many it read.
async function readInto(
  state: ShardState,
  options: ShardPollerOptions,
  recordSource: KinesisRecordSource,
  limit: number,
): Promise<number> {
  if (state.closed) return 0;
  state.iterator ??= await shardIterator(options, state);
  const output = await options.kinesis.send(
    new GetRecordsCommand({ ShardIterator: state.iterator, Limit: limit }),
    { abortSignal: options.context.signal },
  );
  state.iterator = output.NextShardIterator;
  if (state.iterator === undefined) state.closed = true;
  const records = output.Records ?? [];
  for (const record of records) {
    state.pending.push(toKinesisRecord(record, recordSource));
    if (record.SequenceNumber !== undefined) {
      state.lastRead = {
        sequenceNumber: record.SequenceNumber,
        arrivalMs: record.ApproximateArrivalTimestamp?.getTime(),
      };
    }
  }
  return records.length;
}

async function shardIterator(options: ShardPollerOptions, state: ShardState): Promise<string> {
  const request = {
    streamName: options.source.streamName,
    shardId: options.shardId,
    signal: options.context.signal,
  };
  if (state.lastRead === undefined) {
    return getShardIterator(options.kinesis, {
      ...request,
      type: options.source.startingPosition,
    });
  }
  const resumed = await iteratorAfter(options.kinesis, request, state.lastRead);
  if (resumed !== undefined) return resumed;
  options.context.logger.info(
    `${shardLabel(options)}: the stream no longer holds the last record read (it was created ` +
      'again, as when the in-memory emulator restarts, or the record expired); reading from its oldest record.',
  );
  state.lastRead = undefined;
  return getShardIterator(options.kinesis, { ...request, type: 'TRIM_HORIZON' });
}

function shardLabel(options: ShardPollerOptions): string {
  return `${options.source.label} (${options.shardId})`;
}

// Returns true when the batch's failed records are to be retried.
async function deliver(
  options: ShardPollerOptions,
  label: string,
  state: ShardState,
  batch: readonly KinesisStreamRecord[],
): Promise<boolean> {
  const { source, context, counters } = options;
  const result = await invokeBatch(options, { Records: batch }, batch.length);
  if (result === undefined) return false;

  const retryFrom = firstFailed(options, label, result, batch);
  if (retryFrom === undefined) {
    counters.succeeded += batch.length;
    state.attempts = 0;
    return false;
  }
  const retry = batch.slice(retryFrom);
  counters.succeeded += retryFrom;
  counters.failed += retry.length;
  // A checkpoint that moved makes the rest a new batch, with retries of its own.
  state.attempts = retryFrom > 0 ? 1 : state.attempts + 1;
  const limit = source.maximumRetryAttempts;
  if (limit !== -1 && state.attempts > limit) {
    counters.discarded += retry.length;
    state.attempts = 0;
    context.logger.warn(
      `${label}: discarding ${retry.length} records from ${retry[0]?.kinesis.sequenceNumber ?? '?'} ` +
        `after ${limit} retries (MaximumRetryAttempts), as Lambda does.`,
    );
    return false;
  }
  counters.retried += retry.length;
  state.pending.unshift(...retry);
  return true;
}

// Index of the record to retry from, or undefined when the whole batch succeeded.
function firstFailed(
  options: ShardPollerOptions,
  label: string,
  result: InvocationResult,
  batch: readonly KinesisStreamRecord[],
): number | undefined {
  const { source, context } = options;
  if (result.status !== 'ok') {
    context.logger.warn(
      `${label}: a batch of ${batch.length} failed (${describeFailure(result)}); retrying it.`,
    );
    return 0;
  }
  if (!source.reportBatchItemFailures) return undefined;
  const sequenceNumbers = new Set(batch.map((record) => record.kinesis.sequenceNumber));
  const outcome = readBatchResponse(result.payload, sequenceNumbers);
  switch (outcome.kind) {
    case 'success':
      return undefined;
    case 'failure':
      context.logger.warn(
        `${label}: the batch response is invalid (${outcome.reason}), so Lambda fails the whole ` +
          'batch; retrying it.',
      );
      return 0;
    case 'partial': {
      // Lambda checkpoints before the lowest sequence number reported; within a shard that
      // is the earliest of the batch's records.
      const index = batch.findIndex((record) => outcome.failed.has(record.kinesis.sequenceNumber));
      context.logger.info(
        `${label}: the function reported ${batch[index]?.kinesis.sequenceNumber ?? '?'} as failed; ` +
          'checkpointing before it and retrying from it.',
      );
      return index;
    }
  }
}
