import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { physicalResources, readTemplate, resolveEnvironment } from './index.js';

const TEMPLATE = fileURLToPath(new URL('./fixtures/cloudformation.json', import.meta.url));

it('reads a plain CloudFormation template in JSON', async () => {
  const architecture = await readTemplate(TEMPLATE, { stackName: 'work' });

  expect(architecture.queues).toEqual([
    {
      logicalId: 'WorkQueue',
      queueName: 'work-dev',
      fifo: false,
      visibilityTimeoutSeconds: 45,
      redrive: undefined,
    },
  ]);
  expect(architecture.functions).toEqual([
    {
      logicalId: 'Worker',
      functionName: 'worker-dev',
      codeUri: fileURLToPath(new URL('./fixtures/code', import.meta.url)),
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      timeoutSeconds: 3,
      memoryMb: 128,
      tracing: 'Active',
      environment: {
        QUEUE_ARN: { getAtt: ['WorkQueue', 'Arn'] },
        PLACE: 'us-east-1/000000000000/work',
        RETRIES: 3,
      },
      build: undefined,
    },
  ]);
});

it('reads event source mappings by reference and by literal name and ARN', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.eventSources).toEqual([
    {
      kind: 'sqs',
      function: 'Worker',
      queue: 'WorkQueue',
      batchSize: 5,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: false,
      enabled: true,
    },
    {
      kind: 'kinesis',
      function: 'Worker',
      stream: 'Clicks',
      batchSize: 100,
      maximumBatchingWindowSeconds: 0,
      startingPosition: 'LATEST',
      reportBatchItemFailures: false,
      maximumRetryAttempts: 2,
      enabled: true,
    },
  ]);
});

it('runs an ON_DEMAND stream with 4 shards and says so', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.streams).toEqual([
    { logicalId: 'Clicks', streamName: 'clicks', shardCount: 4 },
  ]);
  expect(architecture.warnings).toEqual([
    'Clicks.StreamModeDetails: ON_DEMAND runs locally with 4 shards, as many as a new on-demand stream starts with',
  ]);
});

it('resolves the function ARN, the queue ARN and numbers as text', async () => {
  const architecture = await readTemplate(TEMPLATE);
  const resources = physicalResources(architecture, {
    sqs: 'http://127.0.0.1:9324/',
    kinesis: 'http://127.0.0.1:4567',
  });

  expect(resources.get('Worker')).toEqual({
    ref: 'worker-dev',
    attributes: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:worker-dev' },
  });
  expect(resolveEnvironment(architecture.functions[0]!, resources)).toEqual({
    QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:work-dev',
    PLACE: 'us-east-1/000000000000/fixtures',
    RETRIES: '3',
  });
});
