import type { QueueSpec } from '../model.js';
import { checkProperties, templateError } from './context.js';
import { isRecord } from '../json.js';
import type { PropertyRules, ReadContext, ResourceEntry } from './context.js';
import {
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  MAX_MAX_RECEIVE_COUNT,
  MAX_QUEUE_NAME_LENGTH,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MIN_MAX_RECEIVE_COUNT,
} from './limits.js';
import { readFlag, readInteger, readOptionalInteger, readText } from './properties.js';
import { readTarget } from './references.js';

const FIFO_SUFFIX = '.fifo';
const QUEUE_NAME = /^[A-Za-z0-9_-]+(\.fifo)?$/; // SQS CreateQueue: QueueName pattern

const QUEUE_RULES: PropertyRules = {
  read: ['QueueName', 'FifoQueue', 'VisibilityTimeout', 'RedrivePolicy'],
  // Encryption, tags and permissions change nothing locally; a local run ends long before
  // the retention period (4 days by default); a Lambda event source long-polls whatever
  // ReceiveMessageWaitTimeSeconds says; throughput limits are not reached.
  inert: [
    'Tags',
    'KmsMasterKeyId',
    'KmsDataKeyReusePeriodSeconds',
    'SqsManagedSseEnabled',
    'RedriveAllowPolicy',
    'MessageRetentionPeriod',
    'ReceiveMessageWaitTimeSeconds',
    'FifoThroughputLimit',
  ],
  defaults: { DelaySeconds: 0, ContentBasedDeduplication: false },
};

/** A queue as read before the references between queues (dead-letter queues) are. */
export type QueueBasics = Omit<QueueSpec, 'redrive'>;

/**
 * Reads an `AWS::SQS::Queue`, except its redrive policy (see {@link readRedrive}).
 *
 * @throws {@link TemplateError} for a name SQS refuses, or a FIFO queue without `.fifo`.
 *
 * @example
 * ```ts
 * const queue = readQueue(ctx, 'OrdersQueue', entry);
 * ```
 */
export function readQueue(ctx: ReadContext, id: string, entry: ResourceEntry): QueueBasics {
  const properties = entry.properties;
  checkProperties(ctx, id, properties, QUEUE_RULES);
  const fifo = readFlag(ctx, properties.FifoQueue, `${id}.FifoQueue`, false);
  const where = `${id}.QueueName`;
  const queueName = readText(ctx, properties.QueueName, where) ?? id + (fifo ? FIFO_SUFFIX : '');
  if (!QUEUE_NAME.test(queueName) || queueName.length > MAX_QUEUE_NAME_LENGTH) {
    throw templateError(
      ctx,
      where,
      `${queueName} is not a valid queue name`,
      `Use up to ${MAX_QUEUE_NAME_LENGTH} letters, digits, hyphens and underscores`,
    );
  }
  if (fifo !== queueName.endsWith(FIFO_SUFFIX)) {
    throw templateError(
      ctx,
      where,
      fifo ? `${queueName} lacks the .fifo suffix of a FIFO queue` : `${queueName} ends in .fifo`,
      fifo ? 'End the name with .fifo' : 'Set FifoQueue: true, or drop the suffix',
    );
  }
  return {
    logicalId: id,
    queueName,
    fifo,
    visibilityTimeoutSeconds: readInteger(
      ctx,
      properties.VisibilityTimeout,
      `${id}.VisibilityTimeout`,
      DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      { min: 0, max: MAX_VISIBILITY_TIMEOUT_SECONDS },
    ),
  };
}

/**
 * Reads a queue's `RedrivePolicy` (a map or, as CloudFormation also accepts, a JSON string)
 * once every queue is known.
 *
 * @throws {@link TemplateError} when the dead-letter queue is missing, is not in the
 *   template, or is not of the same type (FIFO or standard) as the queue.
 *
 * @example
 * ```ts
 * const redrive = readRedrive(ctx, 'OrdersQueue', entry, queues);
 * ```
 */
export function readRedrive(
  ctx: ReadContext,
  id: string,
  entry: ResourceEntry,
  queues: ReadonlyMap<string, QueueBasics>,
): QueueSpec['redrive'] {
  const where = `${id}.RedrivePolicy`;
  const raw = entry.properties.RedrivePolicy;
  if (raw === undefined || raw === null) return undefined;
  const policy = typeof raw === 'string' ? parsePolicy(ctx, where, raw) : raw;
  if (!isRecord(policy)) {
    throw templateError(
      ctx,
      where,
      'is not a map',
      'Write deadLetterTargetArn and maxReceiveCount under it',
    );
  }
  checkProperties(ctx, where, policy, {
    read: ['deadLetterTargetArn', 'maxReceiveCount'],
    inert: [],
  });
  const targetWhere = `${where}.deadLetterTargetArn`;
  if (policy.deadLetterTargetArn === undefined) {
    throw templateError(
      ctx,
      targetWhere,
      'is missing',
      'Point it at the dead-letter queue with !GetAtt Queue.Arn',
    );
  }
  const countWhere = `${where}.maxReceiveCount`;
  if (policy.maxReceiveCount === undefined) {
    throw templateError(
      ctx,
      countWhere,
      'is missing',
      'Set how many receives move a message to the dead-letter queue',
    );
  }
  const target = readTarget(ctx, policy.deadLetterTargetArn, targetWhere, {
    kinds: ['queue'],
    otherwise: 'messages are never dead-lettered',
  });
  if (target === undefined) return undefined;
  if (queues.get(target.id)?.fifo !== queues.get(id)?.fifo) {
    throw templateError(
      ctx,
      targetWhere,
      `${target.id} is not of the same type (FIFO or standard) as ${id}`,
      'Use a FIFO dead-letter queue for a FIFO queue and a standard one for a standard queue',
    );
  }
  const maxReceiveCount = readOptionalInteger(ctx, policy.maxReceiveCount, countWhere, {
    min: MIN_MAX_RECEIVE_COUNT,
    max: MAX_MAX_RECEIVE_COUNT,
  });
  return maxReceiveCount === undefined
    ? undefined
    : { deadLetterQueue: target.id, maxReceiveCount };
}

function parsePolicy(ctx: ReadContext, where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw templateError(ctx, where, 'is a string but not JSON', 'Write it as a map', cause);
  }
}
