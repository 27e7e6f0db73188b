import { createHash } from 'node:crypto';

import { SubscribeCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

import type { SnsSourcePlan, SubscriptionPlan } from './plan.js';
import { readQueueFacts } from './queue-facts.js';

/** Longest SQS queue name (CreateQueue, QueueName). */
const MAX_QUEUE_NAME_LENGTH = 80;
const QUEUE_NAME_PREFIX = 'tracebridge-sns-';
const HASH_CHARS = 12; // enough to keep two triggers' queues apart
const UNSAFE_QUEUE_NAME_CHARS = /[^A-Za-z0-9_-]/g; // CreateQueue allows these only

/** The queue that stands in for Lambda's subscription to a topic. */
export interface SnsTrigger {
  readonly queueUrl: string;
  readonly subscriptionArn: string;
}

/**
 * Subscribes a queue to a topic through the SNS API, raw or not, as the template's
 * `AWS::SNS::Subscription` (or a SAM `SNS` event with `SqsSubscription`) does. Subscribing
 * again with the same settings is harmless: SNS returns the existing subscription.
 *
 * @returns the subscription's ARN.
 *
 * @example
 * ```ts
 * await subscribeQueue(sns, sqs, { label, topicArn, queueUrl, rawMessageDelivery: true });
 * ```
 */
export async function subscribeQueue(
  sns: SNSClient,
  sqs: SQSClient,
  subscription: SubscriptionPlan,
): Promise<string> {
  const { arn } = await readQueueFacts(sqs, subscription.queueUrl);
  return subscribe(sns, subscription.topicArn, arn, subscription.rawMessageDelivery);
}

/**
 * Prepares an SNS trigger of a function. fauxqs has no Lambda protocol, so a queue of the
 * runtime's own, subscribed without raw delivery, receives what SNS would have pushed to
 * Lambda; its envelopes become Lambda's SNS events.
 *
 * @example
 * ```ts
 * const trigger = await prepareSnsTrigger(sns, sqs, source);
 * ```
 */
export async function prepareSnsTrigger(
  sns: SNSClient,
  sqs: SQSClient,
  source: SnsSourcePlan,
): Promise<SnsTrigger> {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: triggerQueueName(source.functionId, source.topicArn) }),
  );
  const queueUrl = created.QueueUrl;
  if (queueUrl === undefined) throw new Error('CreateQueue returned no QueueUrl.');
  const { arn } = await readQueueFacts(sqs, queueUrl);
  return { queueUrl, subscriptionArn: await subscribe(sns, source.topicArn, arn, false) };
}

/**
 * The name of the queue that stands in for a function's subscription to a topic: readable,
 * within SQS's limits, and distinct for every function and topic.
 *
 * @example
 * ```ts
 * triggerQueueName('Notifier', 'arn:aws:sns:us-east-1:000000000000:alerts'); // 'tracebridge-sns-Notifier-…'
 * ```
 */
export function triggerQueueName(functionId: string, topicArn: string): string {
  const hash = createHash('sha256')
    .update(`${functionId}\n${topicArn}`)
    .digest('hex')
    .slice(0, HASH_CHARS);
  const room = MAX_QUEUE_NAME_LENGTH - QUEUE_NAME_PREFIX.length - hash.length - 1;
  const readable = functionId.replace(UNSAFE_QUEUE_NAME_CHARS, '_').slice(0, room);
  return `${QUEUE_NAME_PREFIX}${readable}-${hash}`;
}

async function subscribe(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  raw: boolean,
): Promise<string> {
  const output = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: String(raw) },
      ReturnSubscriptionArn: true,
    }),
  );
  if (output.SubscriptionArn === undefined)
    throw new Error('Subscribe returned no SubscriptionArn.');
  return output.SubscriptionArn;
}
