import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll } from 'vitest';

import { startKinesisEmulator, startSqsEmulator } from '../../src/emulators/index.js';
import type { RunningEmulator } from '../../src/emulators/index.js';
import { startMappings } from '../../src/mappings/index.js';
import type {
  MappedArchitecture,
  MappingLogger,
  PollingOptions,
  RunningMappings,
} from '../../src/mappings/index.js';
import type {
  EventSourceSpec,
  FunctionInvoker,
  FunctionSpec,
  InvocationResult,
  QueueSpec,
  ResolvedResource,
} from '../../src/model.js';

/** One call the fake invoker received. */
export interface Invocation {
  readonly functionName: string;
  readonly event: unknown;
}

/** What a fake function does with an event. */
export type FakeFunction = (
  event: unknown,
  functionName: string,
) => InvocationResult | Promise<InvocationResult>;

/**
 * An in-process stand-in for the function runner: records every invocation and answers
 * with what `run` returns.
 *
 * @example
 * ```ts
 * const { invoker, invocations } = fakeInvoker(() => succeeded());
 * ```
 */
export function fakeInvoker(run: FakeFunction = () => succeeded()): {
  invoker: FunctionInvoker;
  invocations: Invocation[];
} {
  const invocations: Invocation[] = [];
  return {
    invocations,
    invoker: {
      async invoke(functionName, event) {
        invocations.push({ functionName, event });
        return run(event, functionName);
      },
    },
  };
}

/**
 * A successful invocation returning `payload`.
 *
 * @example
 * ```ts
 * succeeded({ batchItemFailures: [] });
 * ```
 */
export function succeeded(payload?: unknown): InvocationResult {
  return { status: 'ok', payload, durationMs: 1 };
}

/**
 * A failed invocation: the handler threw.
 *
 * @example
 * ```ts
 * failedWith('poison message');
 * ```
 */
export function failedWith(errorMessage: string): InvocationResult {
  return { status: 'error', errorType: 'Error', errorMessage, durationMs: 1 };
}

/**
 * A logger that keeps every line.
 *
 * @example
 * ```ts
 * const logger = recordingLogger();
 * expect(logger.lines('warn')).toHaveLength(1);
 * ```
 */
export function recordingLogger(): MappingLogger & {
  lines(level: 'info' | 'warn', containing?: string): string[];
} {
  const entries: { level: 'info' | 'warn'; message: string }[] = [];
  return {
    info(message) {
      entries.push({ level: 'info', message });
    },
    warn(message) {
      entries.push({ level: 'warn', message });
    },
    lines(level, containing = '') {
      return entries
        .filter((entry) => entry.level === level && entry.message.includes(containing))
        .map((entry) => entry.message);
    },
  };
}

const POLL_MS = 20;

/**
 * Waits until `condition` holds, checking every 20 ms, and fails with `what` after
 * `timeoutMs`: tests wait on conditions, never on the clock.
 *
 * @example
 * ```ts
 * await waitFor('every message consumed', () => mappings.stats().total.succeeded === 7);
 * ```
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * A function as the template reader describes it.
 *
 * @example
 * ```ts
 * functionSpec('Consumer');
 * ```
 */
export function functionSpec(logicalId: string): FunctionSpec {
  return {
    logicalId,
    functionName: logicalId,
    codeUri: '/nowhere',
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    timeoutSeconds: 3,
    memoryMb: 128,
    tracing: 'Active',
    environment: {},
    build: undefined,
  };
}

/**
 * A queue as the template reader describes it.
 *
 * @example
 * ```ts
 * queueSpec('Orders', { visibilityTimeoutSeconds: 1 });
 * ```
 */
export function queueSpec(logicalId: string, overrides: Partial<QueueSpec> = {}): QueueSpec {
  return {
    logicalId,
    queueName: logicalId,
    fifo: false,
    visibilityTimeoutSeconds: 30,
    redrive: undefined,
    ...overrides,
  };
}

/**
 * An SQS event source of `Consumer` on `queue`.
 *
 * @example
 * ```ts
 * sqsEvents('Orders', { batchSize: 3 });
 * ```
 */
export function sqsEvents(
  queue: string,
  overrides: Partial<Extract<EventSourceSpec, { kind: 'sqs' }>> = {},
): EventSourceSpec {
  return {
    kind: 'sqs',
    function: 'Consumer',
    queue,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: false,
    enabled: true,
    ...overrides,
  };
}

/**
 * A Kinesis event source of `Consumer` on `stream`.
 *
 * @example
 * ```ts
 * kinesisEvents('Events', { startingPosition: 'LATEST' });
 * ```
 */
export function kinesisEvents(
  stream: string,
  overrides: Partial<Extract<EventSourceSpec, { kind: 'kinesis' }>> = {},
): EventSourceSpec {
  return {
    kind: 'kinesis',
    function: 'Consumer',
    stream,
    batchSize: 100,
    maximumBatchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    reportBatchItemFailures: false,
    maximumRetryAttempts: -1,
    enabled: true,
    ...overrides,
  };
}

/**
 * The records of an invocation's event, typed as the test expects them.
 *
 * @example
 * ```ts
 * const bodies = recordsOf<SQSRecord>(invocation).map((record) => record.body);
 * ```
 */
export function recordsOf<RecordType>(invocation: Invocation | undefined): RecordType[] {
  return (invocation?.event as { Records?: RecordType[] } | undefined)?.Records ?? [];
}

/**
 * The records' message bodies of an SQS invocation.
 *
 * @example
 * ```ts
 * expect(invocations.flatMap(bodiesOf)).toEqual(['before', 'after']);
 * ```
 */
export function bodiesOf(invocation: Invocation | undefined): string[] {
  return recordsOf<SQSRecord>(invocation).map((record) => record.body);
}

/**
 * A Kinesis record's data, decoded as text.
 *
 * @example
 * ```ts
 * recordsOf<KinesisStreamRecord>(invocation).map(dataOf);
 * ```
 */
export function dataOf(record: KinesisStreamRecord): string {
  return Buffer.from(record.kinesis.data, 'base64').toString();
}

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
// The lowest and highest hash keys: with two shards splitting the key space, one in each.
export const FIRST_SHARD_KEY = '0';
export const LAST_SHARD_KEY = (2n ** 128n - 1n).toString();
// Short waits keep the suites quick; the SQS long poll keeps Lambda's 20 s, which stop() cuts.
const POLLING = {
  kinesisPollIntervalMs: 50,
  backoff: { initialMs: 20, maxMs: 200 },
  snsRetryDelaysSeconds: [1, 1],
};

interface Emulated {
  readonly sqsEmulator: RunningEmulator;
  readonly kinesisEmulator: RunningEmulator;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly kinesis: KinesisClient;
}

let current: Emulated | undefined;
const running: RunningMappings[] = [];
const emulators: RunningEmulator[] = [];

function emulatedNow(): Emulated {
  if (current === undefined) {
    throw new Error('Call useMappingEmulators() at the top of the test file.');
  }
  return current;
}

/**
 * The emulators a mappings test file shares, and clients of them; set once
 * {@link useMappingEmulators} has started them.
 *
 * @example
 * ```ts
 * await emulated.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
 * ```
 */
export const emulated: Emulated = {
  get sqsEmulator() {
    return emulatedNow().sqsEmulator;
  },
  get kinesisEmulator() {
    return emulatedNow().kinesisEmulator;
  },
  get sqs() {
    return emulatedNow().sqs;
  },
  get sns() {
    return emulatedNow().sns;
  },
  get kinesis() {
    return emulatedNow().kinesis;
  },
};

/**
 * Starts the SQS and Kinesis emulators before the file's tests, stops the mappings each
 * test started after it, and closes every emulator after the last test.
 *
 * @example
 * ```ts
 * useMappingEmulators();
 * ```
 */
export function useMappingEmulators(): void {
  beforeAll(async () => {
    const [sqsEmulator, kinesisEmulator] = await Promise.all([
      startSqsEmulator(),
      startKinesisEmulator(),
    ]);
    emulators.push(sqsEmulator, kinesisEmulator);
    const config = { region: REGION, credentials: CREDENTIALS };
    current = {
      sqsEmulator,
      kinesisEmulator,
      sqs: new SQSClient({ ...config, endpoint: sqsEmulator.endpoint }),
      sns: new SNSClient({ ...config, endpoint: sqsEmulator.endpoint }),
      kinesis: new KinesisClient({
        ...config,
        endpoint: kinesisEmulator.endpoint,
        requestHandler: new NodeHttpHandler(),
      }),
    };
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((mappings) => mappings.stop()));
  });

  afterAll(async () => {
    if (current !== undefined) {
      current.sqs.destroy();
      current.sns.destroy();
      current.kinesis.destroy();
    }
    await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
  });
}

/**
 * Closes an emulator a test started itself once the file's tests are done.
 *
 * @example
 * ```ts
 * const emulator = closeAfterAll(await startSqsEmulator());
 * ```
 */
export function closeAfterAll(emulator: RunningEmulator): RunningEmulator {
  emulators.push(emulator);
  return emulator;
}

let names = 0;

/**
 * A resource name no other test of the file uses.
 *
 * @example
 * ```ts
 * uniqueName('orders'); // 'orders-3'
 * ```
 */
export function uniqueName(prefix: string): string {
  names += 1;
  return `${prefix}-${names}`;
}

/** Resolved resources by logical id. */
export interface Resources {
  readonly [logicalId: string]: ResolvedResource;
}

/**
 * Creates a queue with a unique name (`.fifo` when `FifoQueue` is set) and resolves it.
 *
 * @example
 * ```ts
 * const jobs = await createQueue('jobs', { FifoQueue: 'true' });
 * ```
 */
export async function createQueue(
  logicalId: string,
  attributes: Record<string, string> = {},
  client = emulated.sqs,
): Promise<ResolvedResource> {
  const fifo = attributes.FifoQueue === 'true';
  const name = fifo ? `${uniqueName(logicalId)}.fifo` : uniqueName(logicalId);
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const arn = await queueArn(QueueUrl!, client);
  return { ref: QueueUrl!, attributes: { Arn: arn, QueueName: name } };
}

async function queueArn(queueUrl: string, client: SQSClient): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

/**
 * The messages in a queue, visible or in flight.
 *
 * @example
 * ```ts
 * await waitFor('an empty queue', async () => (await messagesIn(orders.ref)) === 0);
 * ```
 */
export async function messagesIn(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await emulated.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

/**
 * Sends messages with these bodies in one SendMessageBatch.
 *
 * @example
 * ```ts
 * await sendBatch(orders.ref, ['a', 'b']);
 * ```
 */
export async function sendBatch(queueUrl: string, bodies: readonly string[]): Promise<void> {
  await emulated.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

/**
 * Creates a stream with a unique name and resolves it.
 *
 * @example
 * ```ts
 * const events = await createStream('events', 2);
 * ```
 */
export async function createStream(
  logicalId: string,
  shardCount: number,
): Promise<ResolvedResource> {
  const name = uniqueName(logicalId);
  // The emulator makes a stream ACTIVE as it creates it.
  await emulated.kinesis.send(
    new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }),
  );
  return { ref: name, attributes: {} };
}

/**
 * Puts a record into the shard holding `hashKey`; returns its sequence number.
 *
 * @example
 * ```ts
 * await putRecord(events.ref, 'high-0', LAST_SHARD_KEY);
 * ```
 */
export async function putRecord(
  stream: string,
  data: string,
  hashKey = FIRST_SHARD_KEY,
): Promise<string> {
  const { SequenceNumber } = await emulated.kinesis.send(
    new PutRecordCommand({
      StreamName: stream,
      Data: Buffer.from(data),
      PartitionKey: 'key',
      ExplicitHashKey: hashKey,
    }),
  );
  return SequenceNumber!;
}

/**
 * Creates a topic with a unique name and resolves it.
 *
 * @example
 * ```ts
 * const topic = await createTopic('alerts');
 * ```
 */
export async function createTopic(logicalId: string): Promise<ResolvedResource> {
  const { TopicArn } = await emulated.sns.send(
    new CreateTopicCommand({ Name: uniqueName(logicalId) }),
  );
  return { ref: TopicArn!, attributes: {} };
}

/** What {@link start} maps; the functions are those the event sources name. */
export interface StartOptions {
  readonly eventSources?: readonly EventSourceSpec[];
  readonly queues?: readonly QueueSpec[];
  readonly subscriptions?: MappedArchitecture['subscriptions'];
  readonly resources: Resources;
  readonly invoker: FunctionInvoker;
  readonly logger?: MappingLogger;
  readonly sqsEndpoint?: string;
  readonly kinesisEndpoint?: string;
  /** Replaces the short waits the suites use by default. */
  readonly polling?: PollingOptions;
}

/**
 * Starts mappings against the shared emulators with short polling waits; they are stopped
 * after the test.
 *
 * @example
 * ```ts
 * const mappings = await start({ eventSources: [sqsEvents('Orders')], queues, resources, invoker });
 * ```
 */
export async function start(options: StartOptions): Promise<RunningMappings> {
  const functions = [...new Set((options.eventSources ?? []).map((source) => source.function))];
  const mappings = await startMappings({
    architecture: {
      functions: functions.map(functionSpec),
      queues: options.queues ?? [],
      eventSources: options.eventSources ?? [],
      subscriptions: options.subscriptions ?? [],
    },
    resources: new Map(Object.entries(options.resources)),
    endpoints: {
      sqs: options.sqsEndpoint ?? emulated.sqsEmulator.endpoint,
      kinesis: options.kinesisEndpoint ?? emulated.kinesisEmulator.endpoint,
    },
    invoker: options.invoker,
    logger: options.logger ?? recordingLogger(),
    polling: { ...POLLING, ...options.polling },
  });
  running.push(mappings);
  return mappings;
}
