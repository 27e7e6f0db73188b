import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';

import { describeFailure, invokeBatch } from './invoke.js';
import type { SnsSourcePlan } from './plan.js';
import { createEmulatorLink, isStopping } from './polling.js';
import type { PollerContext } from './polling.js';
import type { SnsTrigger } from './sns.js';
import { toSnsEvent } from './sns-event.js';
import { MAX_SQS_MESSAGES_PER_CALL } from './sqs-poller.js';
import type { Counters } from './stats.js';

/**
 * Most retries of an asynchronous invocation, which is how SNS invokes Lambda: a failed
 * event runs at most twice more ("Asynchronous invocation",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
export const MAX_ASYNC_RETRIES = 2;

/**
 * Lambda's longest function timeout, 900 s ("Lambda quotas"): a message stays hidden this
 * long while its invocation runs, so it is never delivered twice at once.
 */
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

/** What the poller of one SNS trigger needs. */
export interface SnsPollerOptions {
  readonly source: SnsSourcePlan;
  readonly trigger: SnsTrigger;
  readonly sqs: SQSClient;
  readonly waitTimeSeconds: number;
  /** Wait before each retry, in seconds; its length is the number of retries (at most 2). */
  readonly retryDelaysSeconds: readonly number[];
  readonly counters: Counters;
  readonly context: PollerContext;
}

/**
 * Delivers every message published to a topic to a subscribed function, one invocation per
 * message, as SNS does through Lambda's asynchronous invocation: the function's response is
 * ignored; an error, a timeout or a crash runs the event again after the next delay of
 * `retryDelaysSeconds` (Lambda waits 1 minute, then 2), and after the last retry the event
 * is discarded. Resolves when `stop()` aborts the context's signal.
 *
 * @example
 * ```ts
 * const running = runSnsPoller({ source, trigger, sqs, waitTimeSeconds: 20, retryDelaysSeconds: [1, 2], counters, context });
 * ```
 */
export async function runSnsPoller(options: SnsPollerOptions): Promise<void> {
  const { context } = options;
  const link = createEmulatorLink(context, options.source.label);
  while (!context.signal.aborted) {
    try {
      const output = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.trigger.queueUrl,
          MaxNumberOfMessages: MAX_SQS_MESSAGES_PER_CALL,
          WaitTimeSeconds: options.waitTimeSeconds,
          VisibilityTimeout: MAX_FUNCTION_TIMEOUT_SECONDS,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: context.signal },
      );
      link.ok();
      for (const message of output.Messages ?? []) {
        if (isStopping(context.signal)) return;
        await deliver(options, message);
      }
    } catch (error) {
      if (isStopping(context.signal)) return;
      await link.failed(error);
    }
  }
}

async function deliver(options: SnsPollerOptions, message: Message): Promise<void> {
  const { source, context, counters } = options;
  const event = toSnsEvent(message.Body ?? '', options.trigger.subscriptionArn);
  if (event === undefined) {
    context.logger.warn(`${source.label}: dropped a message that is not an SNS notification.`);
    await remove(options, message);
    return;
  }
  const result = await invokeBatch(options, event, 1);
  if (result === undefined) return;
  if (result.status === 'ok') {
    await remove(options, message);
    counters.succeeded += 1;
    return;
  }

  counters.failed += 1;
  // The queue counts the attempts: each one received the message once more.
  const attempt = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
  const delay = options.retryDelaysSeconds[attempt - 1];
  const messageId = event.Records[0]?.Sns.MessageId ?? '?';
  if (delay === undefined) {
    await remove(options, message);
    counters.discarded += 1;
    context.logger.warn(
      `${source.label}: message ${messageId} failed (${describeFailure(result)}) after ` +
        `${options.retryDelaysSeconds.length} retries; discarded, as Lambda does.`,
    );
    return;
  }
  await options.sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: options.trigger.queueUrl,
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: delay,
    }),
    { abortSignal: context.signal },
  );
  counters.retried += 1;
  context.logger.warn(
    `${source.label}: message ${messageId} failed (${describeFailure(result)}); retrying in ${delay} s.`,
  );
}

async function remove(options: SnsPollerOptions, message: Message): Promise<void> {
  await options.sqs.send(
    new DeleteMessageCommand({
      QueueUrl: options.trigger.queueUrl,
      ReceiptHandle: message.ReceiptHandle,
    }),
    { abortSignal: options.context.signal },
  );
}
