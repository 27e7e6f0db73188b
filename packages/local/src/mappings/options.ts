import type { FunctionInvoker, ResolvedResources } from '../model.js';
import { MappingConfigError } from './errors.js';
import type { MappedArchitecture } from './plan.js';
import type { BackoffOptions, MappingLogger } from './polling.js';
import { MAX_ASYNC_RETRIES } from './sns-poller.js';
import { MAX_SQS_WAIT_TIME_SECONDS } from './sqs-poller.js';

/** Where the emulators listen (`RunningEmulator.endpoint`). */
export interface MappingEndpoints {
  /** SQS; needed by SQS event sources, SNS triggers and topic subscriptions. */
  readonly sqs?: string;
  /** SNS; default: the SQS endpoint, which serves SNS too. */
  readonly sns?: string;
  /** Kinesis; needed by Kinesis event sources. */
  readonly kinesis?: string;
}

/** How the pollers wait. The defaults are Lambda's; tests shorten them. */
export interface PollingOptions {
  /** `WaitTimeSeconds` of each SQS long poll, 1 to 20. Default 20, as Lambda's pollers use. */
  readonly sqsWaitTimeSeconds?: number;
  /**
   * Wait after a GetRecords that found nothing, in milliseconds. Default 1,000: Lambda polls
   * an idle shard once per second.
   */
  readonly kinesisPollIntervalMs?: number;
  /**
   * Backoff after an emulator error, and between retries of a failed Kinesis batch.
   * Default 100 ms doubling up to 5 s.
   */
  readonly backoff?: BackoffOptions;
  /**
   * Wait before each retry of a failed SNS-triggered invocation, in whole seconds; as many
   * retries as entries, at most 2. Default `[1, 2]`: Lambda's own 1 and 2 minutes would
   * stall a local run, so the local runtime keeps the count and shortens the waits.
   */
  readonly snsRetryDelaysSeconds?: readonly number[];
}

/** Options of `startMappings`. */
export interface MappingsOptions {
  /** The template's functions, queues, event sources and subscriptions (an `Architecture` fits). */
  readonly architecture: MappedArchitecture;
  /** The physical queues, streams and topics, by logical id: `ref` is a queue URL, stream name or topic ARN. */
  readonly resources: ResolvedResources;
  readonly endpoints: MappingEndpoints;
  /** Runs the functions. */
  readonly invoker: FunctionInvoker;
  readonly logger: MappingLogger;
  readonly polling?: PollingOptions;
}

/** {@link PollingOptions} with every default applied. */
export type ResolvedPolling = Required<PollingOptions>;

const DEFAULT_KINESIS_POLL_INTERVAL_MS = 1_000;
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5_000 };
const DEFAULT_SNS_RETRY_DELAYS_SECONDS = [1, 2] as const;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200; // ChangeMessageVisibility's upper bound (SQS API Reference)

/**
 * Applies the defaults of {@link PollingOptions} and checks the values given.
 *
 * @throws {@link MappingConfigError} for a value out of range.
 *
 * @example
 * ```ts
 * const polling = resolvePolling({ sqsWaitTimeSeconds: 1 });
 * polling.kinesisPollIntervalMs; // 1000
 * ```
 */
export function resolvePolling(options: PollingOptions = {}): ResolvedPolling {
  const polling: ResolvedPolling = {
    sqsWaitTimeSeconds: options.sqsWaitTimeSeconds ?? MAX_SQS_WAIT_TIME_SECONDS,
    kinesisPollIntervalMs: options.kinesisPollIntervalMs ?? DEFAULT_KINESIS_POLL_INTERVAL_MS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    snsRetryDelaysSeconds: options.snsRetryDelaysSeconds ?? DEFAULT_SNS_RETRY_DELAYS_SECONDS,
  };
  const wait = polling.sqsWaitTimeSeconds;
  if (!Number.isInteger(wait) || wait < 1 || wait > MAX_SQS_WAIT_TIME_SECONDS) {
    throw new MappingConfigError(
      `polling.sqsWaitTimeSeconds must be an integer from 1 to ${MAX_SQS_WAIT_TIME_SECONDS}, got ${wait}.`,
    );
  }
  if (!(polling.kinesisPollIntervalMs >= 0)) {
    throw new MappingConfigError(
      `polling.kinesisPollIntervalMs must be 0 or more, got ${polling.kinesisPollIntervalMs}.`,
    );
  }
  const { initialMs, maxMs } = polling.backoff;
  if (!(initialMs > 0) || !(maxMs >= initialMs)) {
    throw new MappingConfigError(
      `polling.backoff needs 0 < initialMs <= maxMs, got initialMs ${initialMs} and maxMs ${maxMs}.`,
    );
  }
  const delays = polling.snsRetryDelaysSeconds;
  const validDelay = (delay: number): boolean =>
    Number.isInteger(delay) && delay >= 0 && delay <= MAX_VISIBILITY_TIMEOUT_SECONDS;
  if (delays.length > MAX_ASYNC_RETRIES || !delays.every(validDelay)) {
    throw new MappingConfigError(
      `polling.snsRetryDelaysSeconds takes at most ${MAX_ASYNC_RETRIES} whole numbers of seconds ` +
        `from 0 to ${MAX_VISIBILITY_TIMEOUT_SECONDS}, got [${delays.join(', ')}].`,
    );
  }
  return polling;
}
