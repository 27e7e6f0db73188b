import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CLIENT_CONFIG } from '../mappings/clients.js';
import type { Architecture, QueueSpec, ResolvedResources } from '../model.js';

/** Longest wait for a new Kinesis stream to become ACTIVE (kinesalite is told to take 0 ms). */
const STREAM_ACTIVE_TIMEOUT_MS = 10_000;
const STREAM_POLL_INTERVAL_MS = 50;

/** Where the emulators listen. */
export interface EmulatorEndpoints {
  readonly sqs: string;
  readonly kinesis: string;
}

/** A template resource could not be created in the emulators. */
export class DeployError extends Error {
  override readonly name = 'DeployError';
}

function queueAttributes(queue: QueueSpec, resources: ResolvedResources): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
  };
  if (queue.fifo) attributes.FifoQueue = 'true';
  if (queue.redrive) {
    const deadLetterArn = resources.get(queue.redrive.deadLetterQueue)?.attributes.Arn;
    if (deadLetterArn === undefined) {
      throw new DeployError(
        `queue ${queue.logicalId}: its dead-letter queue ${queue.redrive.deadLetterQueue} is not a queue of the template`,
      );
    }
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: deadLetterArn,
      maxReceiveCount: queue.redrive.maxReceiveCount,
    });
  }
  return attributes;
}

async function waitUntilActive(kinesis: KinesisClient, streamName: string): Promise<void> {
  const deadline = Date.now() + STREAM_ACTIVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, STREAM_POLL_INTERVAL_MS));
  }
  throw new DeployError(
    `stream ${streamName} did not become ACTIVE within ${STREAM_ACTIVE_TIMEOUT_MS} ms`,
  );
}

/**
 * Creates the template's queues (dead-letter queues first, so redrive policies can name them),
 * streams and topics in the emulators, under the physical names `resources` gives them.
 * Subscriptions and event source mappings are the mappings' part.
 *
 * @example
 * ```ts
 * const endpoints = { sqs: sqsEmulator.endpoint, kinesis: kinesisEmulator.endpoint };
 * await deployResources(architecture, endpoints, physicalResources(architecture, endpoints));
 * ```
 */
export async function deployResources(
  architecture: Architecture,
  endpoints: EmulatorEndpoints,
  resources: ResolvedResources,
): Promise<void> {
  const sqs = new SQSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: endpoints.sqs });
  const sns = new SNSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: endpoints.sqs });
  const kinesis = new KinesisClient({ ...LOCAL_CLIENT_CONFIG, endpoint: endpoints.kinesis });
  try {
    const deadLetterIds = new Set(
      architecture.queues.flatMap((queue) =>
        queue.redrive ? [queue.redrive.deadLetterQueue] : [],
      ),
    );
    const ordered = [...architecture.queues].sort(
      (a, b) => Number(deadLetterIds.has(b.logicalId)) - Number(deadLetterIds.has(a.logicalId)),
    );
    for (const queue of ordered) {
      await sqs.send(
        new CreateQueueCommand({
          QueueName: queue.queueName,
          Attributes: queueAttributes(queue, resources),
        }),
      );
    }
    for (const stream of architecture.streams) {
      await kinesis.send(
        new CreateStreamCommand({ StreamName: stream.streamName, ShardCount: stream.shardCount }),
      );
      await waitUntilActive(kinesis, stream.streamName);
    }
    for (const topic of architecture.topics) {
      await sns.send(new CreateTopicCommand({ Name: topic.topicName }));
    }
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(
      `could not create the template's resources in the emulators: ${String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    sqs.destroy();
    sns.destroy();
    kinesis.destroy();
  }
}
