import type {
  Architecture,
  EventSourceSpec,
  FunctionSpec,
  QueueSpec,
  ResolvedResources,
} from '../model.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../model.js';
import { MappingConfigError } from './errors.js';
import {
  MAX_BATCH_SIZE,
  MAX_BATCH_SIZE_WITHOUT_WINDOW,
  MAX_BATCHING_WINDOW_SECONDS,
  MAX_FIFO_BATCH_SIZE,
  MAX_STREAM_RETRY_ATTEMPTS,
} from './limits.js';

/** The parts of an architecture the mappings read. */
export type MappedArchitecture = Pick<
  Architecture,
  'functions' | 'queues' | 'eventSources' | 'subscriptions'
>;

interface PlannedSource {
  /** How logs name the mapping, e.g. `SQS Orders -> consumer`. */
  readonly label: string;
  readonly functionName: string;
  /** Logical id of the queue, stream or topic. */
  readonly sourceId: string;
}

/** An SQS event source, resolved. */
export interface SqsSourcePlan extends PlannedSource {
  readonly kind: 'sqs';
  readonly queueUrl: string;
  readonly queue: QueueSpec;
  readonly batchSize: number;
  readonly windowMs: number;
  readonly reportBatchItemFailures: boolean;
}

/** A Kinesis event source, resolved. */
export interface KinesisSourcePlan extends PlannedSource {
  readonly kind: 'kinesis';
  readonly streamName: string;
  readonly streamArn: string;
  readonly invokeIdentityArn: string;
  readonly batchSize: number;
  readonly windowMs: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly reportBatchItemFailures: boolean;
  /** -1: until the records expire. */
  readonly maximumRetryAttempts: number;
}

/** An SNS trigger, resolved. */
export interface SnsSourcePlan extends PlannedSource {
  readonly kind: 'sns';
  /** Logical id of the function, for the name of the queue that stands in for Lambda. */
  readonly functionId: string;
  readonly topicArn: string;
}

export type SourcePlan = SqsSourcePlan | KinesisSourcePlan | SnsSourcePlan;

/** A topic subscription that delivers to a queue, resolved. */
export interface SubscriptionPlan {
  readonly label: string;
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly rawMessageDelivery: boolean;
}

/** Everything `startMappings` starts, checked against Lambda's rules. */
export interface MappingPlan {
  readonly sources: readonly SourcePlan[];
  readonly subscriptions: readonly SubscriptionPlan[];
  /** Labels of the event sources that are turned off (`Enabled: false`). */
  readonly disabled: readonly string[];
}

const MS_PER_SECOND = 1_000;

/**
 * Resolves every event source and subscription to physical resources and checks its
 * settings against the ranges CreateEventSourceMapping accepts, so that a template Lambda
 * would refuse fails here too, before anything polls.
 *
 * @throws {@link MappingConfigError} naming the event source and what to change.
 *
 * @example
 * ```ts
 * const plan = planMappings(architecture, resources);
 * for (const source of plan.sources) console.log(source.label);
 * ```
 */
export function planMappings(
  architecture: MappedArchitecture,
  resources: ResolvedResources,
): MappingPlan {
  const sources: SourcePlan[] = [];
  const disabled: string[] = [];
  for (const spec of architecture.eventSources) {
    const fn = findFunction(architecture.functions, spec.function);
    const sourceId = sourceIdOf(spec);
    const label = `${kindName(spec)} ${sourceId} -> ${fn.functionName}`;
    if (spec.kind !== 'sns' && !spec.enabled) {
      disabled.push(label);
      continue;
    }
    const base = { label, functionName: fn.functionName, sourceId };
    switch (spec.kind) {
      case 'sqs': {
        const queue = architecture.queues.find((candidate) => candidate.logicalId === spec.queue);
        if (queue === undefined) {
          throw new MappingConfigError(`${label}: the template defines no queue "${spec.queue}".`);
        }
        checkBatching(label, spec.batchSize, spec.maximumBatchingWindowSeconds, {
          sqs: true,
          fifo: queue.fifo,
        });
        sources.push({
          ...base,
          kind: 'sqs',
          queueUrl: physical(resources, spec.queue, label),
          queue,
          batchSize: spec.batchSize,
          windowMs: spec.maximumBatchingWindowSeconds * MS_PER_SECOND,
          reportBatchItemFailures: spec.reportBatchItemFailures,
        });
        break;
      }
      case 'kinesis': {
        checkBatching(label, spec.batchSize, spec.maximumBatchingWindowSeconds, {
          sqs: false,
          fifo: false,
        });
        checkRetryAttempts(label, spec.maximumRetryAttempts);
        const streamName = physical(resources, spec.stream, label);
        sources.push({
          ...base,
          kind: 'kinesis',
          streamName,
          streamArn:
            resources.get(spec.stream)?.attributes.Arn ??
            `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stream/${streamName}`,
          // SAM names a function's implicit execution role `<logical id>Role`.
          invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${fn.logicalId}Role`,
          batchSize: spec.batchSize,
          windowMs: spec.maximumBatchingWindowSeconds * MS_PER_SECOND,
          startingPosition: spec.startingPosition,
          reportBatchItemFailures: spec.reportBatchItemFailures,
          maximumRetryAttempts: spec.maximumRetryAttempts,
        });
        break;
      }
      case 'sns':
        sources.push({
          ...base,
          kind: 'sns',
          functionId: fn.logicalId,
          topicArn: physical(resources, spec.topic, label),
        });
        break;
    }
  }

  const subscriptions = architecture.subscriptions.map((subscription): SubscriptionPlan => {
    const label = `SNS ${subscription.topic} -> SQS ${subscription.queue}`;
    return {
      label,
      topicArn: physical(resources, subscription.topic, label),
      queueUrl: physical(resources, subscription.queue, label),
      rawMessageDelivery: subscription.rawMessageDelivery,
    };
  });
  return { sources, subscriptions, disabled };
}

function findFunction(functions: readonly FunctionSpec[], id: string): FunctionSpec {
  const found =
    functions.find((fn) => fn.logicalId === id) ?? functions.find((fn) => fn.functionName === id);
  if (found === undefined) {
    throw new MappingConfigError(
      `An event source names the function "${id}", which the template does not define.`,
    );
  }
  return found;
}

function physical(resources: ResolvedResources, logicalId: string, label: string): string {
  const resource = resources.get(logicalId);
  if (resource === undefined) {
    throw new MappingConfigError(
      `${label}: "${logicalId}" has not been created; create the template's resources and pass them ` +
        'in `resources` before starting the mappings.',
    );
  }
  return resource.ref;
}

// Ranges from CreateEventSourceMapping (BatchSize, MaximumBatchingWindowInSeconds) and the
// SQS parameters page ("Batching window is not supported for FIFO queues",
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html). The API
// reference extends "a BatchSize above 10 needs a window" to streams, but Kinesis's own
// defaults (BatchSize 100, no window) break that rule, so only SQS is held to it.
function checkBatching(
  label: string,
  batchSize: number,
  windowSeconds: number,
  queue: { readonly sqs: boolean; readonly fifo: boolean },
): void {
  const { fifo } = queue;
  const maxBatch = fifo ? MAX_FIFO_BATCH_SIZE : MAX_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
    throw new MappingConfigError(
      `${label}: BatchSize must be an integer from 1 to ${maxBatch}${fifo ? ' for a FIFO queue' : ''}, got ${batchSize}.`,
    );
  }
  if (
    !Number.isInteger(windowSeconds) ||
    windowSeconds < 0 ||
    windowSeconds > MAX_BATCHING_WINDOW_SECONDS
  ) {
    throw new MappingConfigError(
      `${label}: MaximumBatchingWindowInSeconds must be an integer from 0 to ${MAX_BATCHING_WINDOW_SECONDS}, got ${windowSeconds}.`,
    );
  }
  if (fifo && windowSeconds > 0) {
    throw new MappingConfigError(
      `${label}: Lambda supports no batching window on a FIFO queue; remove MaximumBatchingWindowInSeconds.`,
    );
  }
  if (queue.sqs && batchSize > MAX_BATCH_SIZE_WITHOUT_WINDOW && windowSeconds < 1) {
    throw new MappingConfigError(
      `${label}: a BatchSize above ${MAX_BATCH_SIZE_WITHOUT_WINDOW} needs MaximumBatchingWindowInSeconds of at least 1.`,
    );
  }
}

function checkRetryAttempts(label: string, attempts: number): void {
  if (!Number.isInteger(attempts) || attempts < -1 || attempts > MAX_STREAM_RETRY_ATTEMPTS) {
    throw new MappingConfigError(
      `${label}: MaximumRetryAttempts must be an integer from -1 (until the records expire) to ` +
        `${MAX_STREAM_RETRY_ATTEMPTS}, got ${attempts}.`,
    );
  }
}

function sourceIdOf(spec: EventSourceSpec): string {
  switch (spec.kind) {
    case 'sqs':
      return spec.queue;
    case 'kinesis':
      return spec.stream;
    case 'sns':
      return spec.topic;
  }
}

function kindName(spec: EventSourceSpec): string {
  switch (spec.kind) {
    case 'sqs':
      return 'SQS';
    case 'kinesis':
      return 'Kinesis';
    case 'sns':
      return 'SNS';
  }
}
