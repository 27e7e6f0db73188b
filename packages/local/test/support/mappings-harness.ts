import type {
  EventSourceSpec,
  FunctionInvoker,
  FunctionSpec,
  InvocationResult,
  QueueSpec,
} from '../../src/model.js';
import type { MappingLogger } from '../../src/mappings/index.js';

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
