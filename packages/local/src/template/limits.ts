// Defaults and bounds that AWS applies to the properties the template reader reads. A value
// out of bounds would fail the deployment, so it fails the local run the same way.

export const DEFAULT_TIMEOUT_SECONDS = 3; // Lambda CreateFunction: Timeout default
export const MAX_TIMEOUT_SECONDS = 900; // Lambda quota: 15 minutes per invocation
export const DEFAULT_MEMORY_MB = 128; // Lambda CreateFunction: MemorySize default
export const MIN_MEMORY_MB = 128; // Lambda CreateFunction: MemorySize minimum
export const MAX_MEMORY_MB = 10_240; // Lambda quota: 10,240 MB
export const MAX_FUNCTION_NAME_LENGTH = 64; // Lambda CreateFunction: FunctionName (a name, not an ARN)

export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30; // SQS CreateQueue: VisibilityTimeout default
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200; // SQS CreateQueue: 12 hours
export const MIN_MAX_RECEIVE_COUNT = 1; // SQS RedrivePolicy: maxReceiveCount minimum
export const MAX_MAX_RECEIVE_COUNT = 1_000; // SQS RedrivePolicy: maxReceiveCount maximum
export const MAX_QUEUE_NAME_LENGTH = 80; // SQS CreateQueue: QueueName, `.fifo` included

export const MAX_STREAM_NAME_LENGTH = 128; // Kinesis CreateStream: StreamName
/**
 * Shards of a stream in ON_DEMAND mode. On AWS a new on-demand stream starts with a write
 * capacity of 4 MB/s, that is 4 shards (Kinesis Data Streams developer guide, on-demand
 * mode), and only grows under load, which a local run does not produce.
 */
export const ON_DEMAND_SHARD_COUNT = 4;

export const MAX_TOPIC_NAME_LENGTH = 256; // SNS CreateTopic: Name, `.fifo` included

export const DEFAULT_SQS_BATCH_SIZE = 10; // Lambda CreateEventSourceMapping: BatchSize default for SQS
export const DEFAULT_KINESIS_BATCH_SIZE = 100; // Lambda CreateEventSourceMapping: BatchSize default for Kinesis
export const MAX_BATCH_SIZE = 10_000; // Lambda CreateEventSourceMapping: BatchSize maximum
export const MAX_FIFO_BATCH_SIZE = 10; // Lambda CreateEventSourceMapping: BatchSize maximum for FIFO queues
/** Lambda: an SQS BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1. */
export const MAX_SQS_BATCH_SIZE_WITHOUT_WINDOW = 10;
export const DEFAULT_BATCHING_WINDOW_SECONDS = 0; // Lambda CreateEventSourceMapping default
export const MAX_BATCHING_WINDOW_SECONDS = 300; // Lambda CreateEventSourceMapping maximum
/** Lambda CreateEventSourceMapping: -1, the default, retries until the record expires. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = -1;
export const MAX_MAXIMUM_RETRY_ATTEMPTS = 10_000; // Lambda CreateEventSourceMapping maximum
