import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';

import { LOCAL_REGION } from '../model.js';
import { createClients } from './clients.js';
import type { MappingClients, ServicesInUse } from './clients.js';
import { MappingConfigError, MappingStartError } from './errors.js';
import { runShardPoller } from './kinesis-poller.js';
import { resolvePolling } from './options.js';
import type { MappingsOptions, ResolvedPolling } from './options.js';
import { planMappings } from './plan.js';
import type { KinesisSourcePlan, MappingPlan, SnsSourcePlan, SqsSourcePlan } from './plan.js';
import { describeError } from './polling.js';
import type { MappingLogger, PollerContext } from './polling.js';
import { readQueueFacts } from './queue-facts.js';
import type { QueueFacts } from './queue-facts.js';
import { getShardIterator } from './shard-iterator.js';
import { prepareSnsTrigger, subscribeQueue } from './sns.js';
import { runSnsPoller } from './sns-poller.js';
import { runSqsPoller } from './sqs-poller.js';
import { createCounters, snapshotStats } from './stats.js';
import type { CountedMapping, Counters, MappingStats } from './stats.js';

/** The event source mappings, running. */
export interface RunningMappings {
  /**
   * Stops every poller: long polls and waits are cut short, invocations in progress are no
   * longer waited for. Resolves once nothing of the mappings runs; later calls return the
   * same promise.
   */
  stop(): Promise<void>;
  /** What each mapping has done so far. */
  stats(): MappingStats;
}

/** A poller ready to run, once every mapping has been set up. */
type Launch = () => Promise<void>;

interface Setup {
  readonly clients: MappingClients;
  readonly polling: ResolvedPolling;
  readonly context: PollerContext;
}

/**
 * Starts the event source mappings of an architecture against the emulators, behaving like
 * Lambda's: an SQS poller per SQS event source, a poller per shard for each Kinesis event
 * source, a delivery per message for each SNS trigger, and the template's topic
 * subscriptions created through the SNS API. Resolves once everything is set up (Kinesis
 * iterators included, so `LATEST` means "after this call"); nothing runs if it throws.
 *
 * @throws {@link MappingConfigError} when an event source cannot be mapped as given.
 * @throws {@link MappingStartError} when an emulator refuses what a mapping needs.
 *
 * @example
 * ```ts
 * const mappings = await startMappings({
 *   architecture,
 *   resources,
 *   endpoints: { sqs: sqsEmulator.endpoint, kinesis: kinesisEmulator.endpoint },
 *   invoker,
 *   logger: { info: console.log, warn: console.warn },
 * });
 * console.log(mappings.stats().total.succeeded);
 * await mappings.stop();
 * ```
 */
export async function startMappings(options: MappingsOptions): Promise<RunningMappings> {
  const polling = resolvePolling(options.polling);
  const plan = planMappings(options.architecture, options.resources);
  const clients = createClients(options.endpoints, servicesOf(plan));
  const controller = new AbortController();
  const setup: Setup = {
    clients,
    polling,
    context: {
      invoker: options.invoker,
      logger: options.logger,
      signal: controller.signal,
      backoff: polling.backoff,
    },
  };

  const counted: CountedMapping[] = [];
  const launches: Launch[] = [];
  try {
    for (const subscription of plan.subscriptions) {
      const sns = need(clients.sns, subscription.label, 'sqs');
      const sqs = need(clients.sqs, subscription.label, 'sqs');
      await starting(subscription.label, () => subscribeQueue(sns, sqs, subscription));
    }
    for (const label of plan.disabled) options.logger.info(`${label}: disabled, not polled.`);
    for (const source of plan.sources) {
      const counters = createCounters();
      counted.push({
        kind: source.kind,
        function: source.functionName,
        source: source.sourceId,
        counters,
      });
      switch (source.kind) {
        case 'sqs':
          launches.push(await prepareSqs(setup, source, counters));
          break;
        case 'kinesis':
          launches.push(...(await prepareKinesis(setup, source, counters)));
          break;
        case 'sns':
          launches.push(await prepareSns(setup, source, counters));
          break;
      }
    }
  } catch (error) {
    clients.destroy();
    throw error;
  }

  const running = launches.map((launch) => supervise(launch, options.logger));
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        controller.abort();
        await Promise.all(running);
        clients.destroy();
      })();
      return stopping;
    },
    stats: () => snapshotStats(counted),
  };
}

async function prepareSqs(
  setup: Setup,
  source: SqsSourcePlan,
  counters: Counters,
): Promise<Launch> {
  const sqs = need(setup.clients.sqs, source.label, 'sqs');
  const facts = await starting(source.label, () => readQueueFacts(sqs, source.queueUrl));
  checkRedrive(source, facts, setup.context.logger);
  return () =>
    runSqsPoller({
      source,
      recordSource: { queueArn: facts.arn, region: LOCAL_REGION },
      maxReceiveCount: facts.redrive?.maxReceiveCount,
      sqs,
      waitTimeSeconds: setup.polling.sqsWaitTimeSeconds,
      counters,
      context: setup.context,
    });
}

async function prepareKinesis(
  setup: Setup,
  source: KinesisSourcePlan,
  counters: Counters,
): Promise<Launch[]> {
  const kinesis = need(setup.clients.kinesis, source.label, 'kinesis');
  const shards = await starting(source.label, () => listShards(kinesis, source.streamName));
  const launches: Launch[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId ?? '';
    const iterator = await starting(source.label, () =>
      getShardIterator(kinesis, {
        streamName: source.streamName,
        shardId,
        type: source.startingPosition,
      }),
    );
    launches.push(() =>
      runShardPoller({
        source,
        shardId,
        iterator,
        kinesis,
        pollIntervalMs: setup.polling.kinesisPollIntervalMs,
        counters,
        context: setup.context,
      }),
    );
  }
  return launches;
}

async function prepareSns(
  setup: Setup,
  source: SnsSourcePlan,
  counters: Counters,
): Promise<Launch> {
  const sns = need(setup.clients.sns, source.label, 'sqs');
  const sqs = need(setup.clients.sqs, source.label, 'sqs');
  const trigger = await starting(source.label, () => prepareSnsTrigger(sns, sqs, source));
  return () =>
    runSnsPoller({
      source,
      trigger,
      sqs,
      waitTimeSeconds: setup.polling.sqsWaitTimeSeconds,
      retryDelaysSeconds: setup.polling.snsRetryDelaysSeconds,
      counters,
      context: setup.context,
    });
}

// The queue's own redrive policy is what SQS applies; a template that says otherwise was
// created differently, and the user should know their dead-letter queue will not fill.
function checkRedrive(source: SqsSourcePlan, facts: QueueFacts, logger: MappingLogger): void {
  const wanted = source.queue.redrive;
  if (wanted === undefined) return;
  if (facts.redrive === undefined) {
    logger.warn(
      `${source.label}: the template gives the queue a dead-letter queue after ` +
        `${wanted.maxReceiveCount} receives, but the queue has no RedrivePolicy: failing ` +
        'messages will be retried until they expire. Create the queue with its RedrivePolicy.',
    );
  } else if (facts.redrive.maxReceiveCount !== wanted.maxReceiveCount) {
    logger.warn(
      `${source.label}: the queue's RedrivePolicy has maxReceiveCount ` +
        `${facts.redrive.maxReceiveCount}, the template ${wanted.maxReceiveCount}; SQS applies the queue's.`,
    );
  }
}

async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // ListShards takes either the stream's name or a NextToken, never both.
    const output = await kinesis.send(
      new ListShardsCommand(
        nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken },
      ),
    );
    shards.push(...(output.Shards ?? []));
    nextToken = output.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

async function starting<T>(label: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (cause) {
    throw new MappingStartError(
      `${label}: could not be set up (${describeError(cause)}). Check that the emulators run and ` +
        'that the resource exists.',
      { cause },
    );
  }
}

// A poller catches its own errors; this only guards against a logger that throws.
function supervise(launch: Launch, logger: MappingLogger): Promise<void> {
  return launch().catch((error: unknown) => {
    try {
      logger.warn(`A poller stopped on an unexpected error: ${describeError(error)}`);
    } catch {
      // The logger is what failed: there is nowhere left to report to.
    }
  });
}

function need<Client>(client: Client | undefined, label: string, endpoint: string): Client {
  if (client === undefined) {
    throw new MappingConfigError(
      `${label}: needs an emulator endpoint; pass it in endpoints.${endpoint}.`,
    );
  }
  return client;
}

function servicesOf(plan: MappingPlan): ServicesInUse {
  const kinds = new Set(plan.sources.map((source) => source.kind));
  const sns = kinds.has('sns') || plan.subscriptions.length > 0;
  return { sqs: sns || kinds.has('sqs'), sns, kinesis: kinds.has('kinesis') };
}
