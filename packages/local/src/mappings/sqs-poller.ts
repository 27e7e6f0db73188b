import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

import type { InvocationResult } from '../model.js';
import { readBatchResponse } from './batch-response.js';
import { describeFailure, invokeBatch } from './invoke.js';
import { jsonBytes, takeWithinPayload } from './limits.js';
import type { SqsSourcePlan } from './plan.js';
import { createBackoff, createEmulatorLink, isStopping, sleep } from './polling.js';
import type { PollerContext } from './polling.js';
import { toSqsRecord } from './sqs-event.js';
import type { SqsRecordSource } from './sqs-event.js';
import type { Counters } from './stats.js';

/** Most messages one ReceiveMessage returns, and most entries of one DeleteMessageBatch (SQS API Reference). */
export const MAX_SQS_MESSAGES_PER_CALL = 10;

/** Longest long poll SQS allows: ReceiveMessage `WaitTimeSeconds` (SQS API Reference). */
export const MAX_SQS_WAIT_TIME_SECONDS = 20;

// In the last second of a batching window a long poll would overrun it (WaitTimeSeconds
// counts whole seconds), so the poller short-polls, pausing this long between tries.
const SHORT_POLL_PAUSE_MS = 100;
const MS_PER_SECOND = 1_000;

/** What one SQS poller needs. */
export interface SqsPollerOptions {
  readonly source: SqsSourcePlan;
  /** The queue's ARN and region, as every record names them. */
  readonly recordSource: SqsRecordSource;
  /** The queue's redrive policy's `maxReceiveCount`; `undefined` when it has none. */
  readonly maxReceiveCount: number | undefined;
  readonly sqs: SQSClient;
  /** `WaitTimeSeconds` of each long poll, 1 to 20. */
  readonly waitTimeSeconds: number;
  readonly counters: Counters;
  readonly context: PollerContext;
}

/**
 * Polls one queue for one function the way Lambda's SQS event source mapping does
 * ("Using Lambda with Amazon SQS", https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html):
 * long polling, batches of up to `batchSize` gathered within the batching window (or the
 * 6 MB payload limit), one invocation at a time; on success the batch is deleted, except
 * the messages a partial batch response names; on a failure nothing is deleted and the
 * messages come back after the visibility timeout, until the queue's redrive policy moves
 * them to the dead-letter queue (fauxqs applies `RedrivePolicy` on receive, as SQS does).
 * A FIFO queue hands out a group's next message only once the previous one is deleted, so
 * order within a group holds. Resolves when `stop()` aborts the context's signal.
 *
 * @example
 * ```ts
 * const running = runSqsPoller({ source, recordSource, maxReceiveCount: 3, sqs, waitTimeSeconds: 20, counters, context });
 * controller.abort();
 * await running;
 * ```
 */
export async function runSqsPoller(options: SqsPollerOptions): Promise<void> {
  const { context } = options;
  const link = createEmulatorLink(context, options.source.label);
  const failureBackoff = createBackoff(context.backoff);
  let carried: SQSRecord[] = [];
  while (!context.signal.aborted) {
    try {
      const gathered = await gatherBatch(options, carried);
      link.ok();
      const { taken, rest } = takeWithinPayload(gathered, jsonBytes);
      carried = rest;
      if (taken.length === 0) continue;
      // After a failed invocation Lambda backs off ("Handling errors for an SQS event source
      // in Lambda", https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
      if (await deliver(options, taken)) {
        await sleep(failureBackoff.next(), context.signal);
      } else {
        failureBackoff.reset();
      }
    } catch (error) {
      if (isStopping(context.signal)) return;
      await link.failed(error);
    }
  }
}

// Lambda keeps reading until the batch is full or the window ends; the window opens with
// the first message, so an idle queue is never invoked with an empty batch.
async function gatherBatch(
  options: SqsPollerOptions,
  carried: readonly SQSRecord[],
): Promise<SQSRecord[]> {
  const { source, context } = options;
  const batch = [...carried];
  if (carried.length === 0) {
    const first = await receive(options, source.batchSize, options.waitTimeSeconds);
    if (first.length === 0) return [];
    batch.push(...first);
  }
  const deadline = Date.now() + source.windowMs;
  let remaining = deadline - Date.now();
  while (batch.length < source.batchSize && remaining > 0 && !context.signal.aborted) {
    const wait = Math.min(Math.floor(remaining / MS_PER_SECOND), options.waitTimeSeconds);
    const more = await receive(options, source.batchSize - batch.length, wait);
    merge(batch, more);
    if (more.length === 0 && wait === 0) {
      await sleep(Math.min(remaining, SHORT_POLL_PAUSE_MS), context.signal);
    }
    remaining = deadline - Date.now();
  }
  return batch;
}

// A window longer than the visibility timeout can receive a message twice; the newer
// receipt handle is the one that deletes it.
function merge(batch: SQSRecord[], received: readonly SQSRecord[]): void {
  for (const record of received) {
    const index = batch.findIndex((held) => held.messageId === record.messageId);
    if (index === -1) batch.push(record);
    else batch[index] = record;
  }
}

async function receive(
  options: SqsPollerOptions,
  wanted: number,
  waitTimeSeconds: number,
): Promise<SQSRecord[]> {
  const { source } = options;
  const output = await options.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: source.queueUrl,
      MaxNumberOfMessages: Math.min(wanted, MAX_SQS_MESSAGES_PER_CALL),
      WaitTimeSeconds: waitTimeSeconds,
      // The template's visibility timeout, whatever the queue was created with.
      VisibilityTimeout: source.queue.visibilityTimeoutSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
    { abortSignal: options.context.signal },
  );
  return (output.Messages ?? []).map((message) => toSqsRecord(message, options.recordSource));
}

// Returns true when Lambda would back off: the invocation failed, and the mapping does not
// report batch item failures, with which "Lambda doesn't scale down message polling when
// function invocations fail" (same page).
async function deliver(options: SqsPollerOptions, records: readonly SQSRecord[]): Promise<boolean> {
  const result = await invokeBatch(options, { Records: records }, records.length);
  if (result === undefined) return false;

  const failed = failedMessageIds(options, result, records);
  for (const record of records) {
    if (failed.has(record.messageId)) settleFailure(options, record);
  }
  await deleteRecords(
    options,
    records.filter((record) => !failed.has(record.messageId)),
  );
  return result.status !== 'ok' && !options.source.reportBatchItemFailures;
}

function failedMessageIds(
  options: SqsPollerOptions,
  result: InvocationResult,
  records: readonly SQSRecord[],
): ReadonlySet<string> {
  const { source, context } = options;
  const all = new Set(records.map((record) => record.messageId));
  const comeBack = `they come back after the visibility timeout (${source.queue.visibilityTimeoutSeconds} s)`;
  if (result.status !== 'ok') {
    context.logger.warn(
      `${source.label}: a batch of ${records.length} failed (${describeFailure(result)}); ${comeBack}.`,
    );
    return all;
  }
  if (!source.reportBatchItemFailures) return new Set();
  const outcome = readBatchResponse(result.payload, all);
  switch (outcome.kind) {
    case 'success':
      return new Set();
    case 'partial':
      context.logger.info(
        `${source.label}: ${outcome.failed.size} of ${records.length} messages reported as failed; ${comeBack}.`,
      );
      return outcome.failed;
    case 'failure':
      context.logger.warn(
        `${source.label}: the batch response is invalid (${outcome.reason}), so Lambda fails the ` +
          `whole batch of ${records.length}; ${comeBack}.`,
      );
      return all;
  }
}

// A message that fails on its last allowed receive will be moved to the dead-letter queue
// when it is received next ("Using dead-letter queues in Amazon SQS",
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html):
// it is settled now, so the counts tell when every message has been dealt with.
function settleFailure(options: SqsPollerOptions, record: SQSRecord): void {
  const { counters, maxReceiveCount } = options;
  counters.failed += 1;
  const receives = Number(record.attributes.ApproximateReceiveCount);
  if (maxReceiveCount !== undefined && receives >= maxReceiveCount) {
    counters.deadLettered += 1;
    options.context.logger.warn(
      `${options.source.label}: message ${record.messageId} failed on receive ${receives} of ` +
        `${maxReceiveCount}; the queue moves it to its dead-letter queue.`,
    );
  } else {
    counters.retried += 1;
  }
}

async function deleteRecords(
  options: SqsPollerOptions,
  records: readonly SQSRecord[],
): Promise<void> {
  for (let start = 0; start < records.length; start += MAX_SQS_MESSAGES_PER_CALL) {
    const chunk = records.slice(start, start + MAX_SQS_MESSAGES_PER_CALL);
    const output = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.source.queueUrl,
        Entries: chunk.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
      { abortSignal: options.context.signal },
    );
    options.counters.succeeded += output.Successful?.length ?? 0;
    const undeleted = output.Failed?.length ?? 0;
    if (undeleted > 0) {
      options.context.logger.warn(
        `${options.source.label}: ${undeleted} processed messages could not be deleted; ` +
          'they will be delivered again.',
      );
    }
  }
}
