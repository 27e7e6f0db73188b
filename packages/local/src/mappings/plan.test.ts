import { describe, expect, it } from 'vitest';

import type {
  EventSourceSpec,
  FunctionSpec,
  QueueSpec,
  ResolvedResource,
  ResolvedResources,
} from '../model.js';
import { MappingConfigError } from './errors.js';
import { planMappings } from './plan.js';
import type { MappedArchitecture } from './plan.js';

function fn(logicalId: string, functionName = logicalId): FunctionSpec {
  return {
    logicalId,
    functionName,
    codeUri: '/code',
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    timeoutSeconds: 3,
    memoryMb: 128,
    tracing: 'Active',
    environment: {},
    build: undefined,
  };
}

function queue(logicalId: string, overrides: Partial<QueueSpec> = {}): QueueSpec {
  return {
    logicalId,
    queueName: logicalId,
    fifo: false,
    visibilityTimeoutSeconds: 30,
    redrive: undefined,
    ...overrides,
  };
}

function sqsSource(
  overrides: Partial<Extract<EventSourceSpec, { kind: 'sqs' }>> = {},
): EventSourceSpec {
  return {
    kind: 'sqs',
    function: 'Consumer',
    queue: 'Orders',
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: true,
    enabled: true,
    ...overrides,
  };
}

function kinesisSource(
  overrides: Partial<Extract<EventSourceSpec, { kind: 'kinesis' }>> = {},
): EventSourceSpec {
  return {
    kind: 'kinesis',
    function: 'Consumer',
    stream: 'Events',
    batchSize: 100,
    maximumBatchingWindowSeconds: 1,
    startingPosition: 'TRIM_HORIZON',
    reportBatchItemFailures: false,
    maximumRetryAttempts: -1,
    enabled: true,
    ...overrides,
  };
}

const resources: ResolvedResources = new Map<string, ResolvedResource>([
  ['Orders', { ref: 'http://sqs.us-east-1.localhost:4566/000000000000/orders', attributes: {} }],
  ['Jobs', { ref: 'http://sqs.us-east-1.localhost:4566/000000000000/jobs.fifo', attributes: {} }],
  ['Events', { ref: 'events', attributes: {} }],
  ['Alerts', { ref: 'arn:aws:sns:us-east-1:000000000000:alerts', attributes: {} }],
]);

function architecture(overrides: Partial<MappedArchitecture> = {}): MappedArchitecture {
  return {
    functions: [fn('Consumer', 'consumer-fn')],
    queues: [queue('Orders'), queue('Jobs', { fifo: true })],
    eventSources: [],
    subscriptions: [],
    ...overrides,
  };
}

function configError(arch: MappedArchitecture): string {
  try {
    planMappings(arch, resources);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingConfigError);
    return (error as Error).message;
  }
  throw new Error('planMappings accepted the architecture');
}

describe('planMappings', () => {
  it('resolves an SQS event source to its queue URL and the function name', () => {
    const plan = planMappings(
      architecture({ eventSources: [sqsSource({ maximumBatchingWindowSeconds: 2 })] }),
      resources,
    );
    expect(plan.sources).toEqual([
      expect.objectContaining({
        kind: 'sqs',
        label: 'SQS Orders -> consumer-fn',
        functionName: 'consumer-fn',
        queueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/orders',
        windowMs: 2_000,
      }),
    ]);
  });

  it('gives a Kinesis source its ARN and the execution role SAM would create', () => {
    const plan = planMappings(architecture({ eventSources: [kinesisSource()] }), resources);
    expect(plan.sources[0]).toMatchObject({
      kind: 'kinesis',
      streamName: 'events',
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/ConsumerRole',
    });
  });

  it('resolves SNS triggers and subscriptions to topic ARNs and queue URLs', () => {
    const plan = planMappings(
      architecture({
        eventSources: [{ kind: 'sns', function: 'Consumer', topic: 'Alerts' }],
        subscriptions: [{ topic: 'Alerts', queue: 'Orders', rawMessageDelivery: true }],
      }),
      resources,
    );
    expect(plan.sources[0]).toMatchObject({
      kind: 'sns',
      functionId: 'Consumer',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
    });
    expect(plan.subscriptions).toEqual([
      {
        label: 'SNS Alerts -> SQS Orders',
        topicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
        queueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/orders',
        rawMessageDelivery: true,
      },
    ]);
  });

  it("accepts Kinesis's default batch of 100 without a window", () => {
    const plan = planMappings(
      architecture({ eventSources: [kinesisSource({ maximumBatchingWindowSeconds: 0 })] }),
      resources,
    );
    expect(plan.sources[0]).toMatchObject({ batchSize: 100, windowMs: 0 });
  });

  it('leaves disabled event sources out, by name', () => {
    const plan = planMappings(
      architecture({ eventSources: [sqsSource({ enabled: false })] }),
      resources,
    );
    expect(plan.sources).toEqual([]);
    expect(plan.disabled).toEqual(['SQS Orders -> consumer-fn']);
  });

  it('names a resource that was not created', () => {
    expect(
      configError(architecture({ eventSources: [kinesisSource({ stream: 'Missing' })] })),
    ).toMatch(/"Missing" has not been created/);
  });

  it('names a function or queue the template lacks', () => {
    expect(
      configError(architecture({ eventSources: [sqsSource({ function: 'Nobody' })] })),
    ).toMatch(/"Nobody"/);
    expect(configError(architecture({ queues: [], eventSources: [sqsSource()] }))).toMatch(
      /no queue "Orders"/,
    );
  });

  it.each([
    [
      'a batch size of 0',
      sqsSource({ batchSize: 0 }),
      /BatchSize must be an integer from 1 to 10000/,
    ],
    ['a batch above 10 without a window', sqsSource({ batchSize: 11 }), /at least 1/],
    ['a window above 300 s', sqsSource({ maximumBatchingWindowSeconds: 301 }), /from 0 to 300/],
    [
      'a FIFO batch above 10',
      sqsSource({ queue: 'Jobs', batchSize: 11 }),
      /1 to 10 for a FIFO queue/,
    ],
    [
      'a window on a FIFO queue',
      sqsSource({ queue: 'Jobs', maximumBatchingWindowSeconds: 1 }),
      /FIFO/,
    ],
    ['a retry count below -1', kinesisSource({ maximumRetryAttempts: -2 }), /MaximumRetryAttempts/],
    ['a Kinesis batch above 10000', kinesisSource({ batchSize: 10_001 }), /1 to 10000/],
  ])('refuses %s, as CreateEventSourceMapping does', (_name, source, message) => {
    expect(configError(architecture({ eventSources: [source] }))).toMatch(message);
  });
});
