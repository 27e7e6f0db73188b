import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type Architecture, LOCAL_ACCOUNT_ID, LOCAL_REGION, type QueueSpec } from '../model.js';

/** Credentials the emulators accept; they check nothing, but the SDK wants some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Longest wait for a new Kinesis stream to become ACTIVE (kinesalite is told to take 0 ms). */
const STREAM_ACTIVE_TIMEOUT_MS = 10_000;
const STREAM_POLL_INTERVAL_MS = 50;

/** Where the emulators listen. */
export interface EmulatorEndpoints {
  readonly sqs: string;
  readonly kinesis: string;
}

/** What the emulators named on creation, where it differs from what the template implies. */
export interface DeployedResources {
  /** Queue URLs by logical id, exactly as SQS returned them (fauxqs uses its own host name). */
  readonly queueUrls: ReadonlyMap<string, string>;
}

/** A template resource could not be created in the emulators. */
export class DeployError extends Error {
  override readonly name = 'DeployError';
}

function queueArn(name: string): string {
  return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}`;
}

function queueAttributes(queue: QueueSpec, queues: readonly QueueSpec[]): Record<string, string> {
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
  };
  if (queue.fifo) attributes.FifoQueue = 'true';
  if (queue.redrive) {
    const deadLetter = queues.find(
      (candidate) => candidate.logicalId === queue.redrive?.deadLetterQueue,
    );
    if (!deadLetter) {
      throw new DeployError(
        `queue ${queue.logicalId}: its dead-letter queue ${queue.redrive.deadLetterQueue} is not a queue of the template`,
      );
    }
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: queueArn(deadLetter.queueName),
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
 * streams and topics in the emulators. Subscriptions and event source mappings are the
 * mappings' part.
 *
 * @example
 * ```ts
 * await deployResources(architecture, { sqs: sqsEmulator.endpoint, kinesis: kinesisEmulator.endpoint });
 * ```
 */
export async function deployResources(
  architecture: Architecture,
  endpoints: EmulatorEndpoints,
): Promise<DeployedResources> {
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient({ ...config, endpoint: endpoints.sqs });
  const sns = new SNSClient({ ...config, endpoint: endpoints.sqs });
  const kinesis = new KinesisClient({ ...config, endpoint: endpoints.kinesis });
  try {
    const deadLetterIds = new Set(
      architecture.queues.flatMap((queue) =>
        queue.redrive ? [queue.redrive.deadLetterQueue] : [],
      ),
    );
    const ordered = [...architecture.queues].sort(
      (a, b) => Number(deadLetterIds.has(b.logicalId)) - Number(deadLetterIds.has(a.logicalId)),
    );
    const queueUrls = new Map<string, string>();
    for (const queue of ordered) {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({
          QueueName: queue.queueName,
          Attributes: queueAttributes(queue, architecture.queues),
        }),
      );
      if (QueueUrl === undefined)
        throw new DeployError(`queue ${queue.logicalId}: SQS returned no URL`);
      queueUrls.set(queue.logicalId, QueueUrl);
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
    return { queueUrls };
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
