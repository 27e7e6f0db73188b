import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { physicalResources, readTemplate } from './index.js';

const TEMPLATE = fileURLToPath(new URL('./fixtures/fifo.yaml', import.meta.url));

it('reads FIFO queues, naming them with the .fifo suffix, and their redrive policy', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.queues).toEqual([
    {
      logicalId: 'Jobs',
      queueName: 'Jobs.fifo',
      fifo: true,
      visibilityTimeoutSeconds: 30,
      redrive: { deadLetterQueue: 'JobsDeadLetters', maxReceiveCount: 5 },
    },
    {
      logicalId: 'JobsDeadLetters',
      queueName: 'jobs-dead-letters.fifo',
      fifo: true,
      visibilityTimeoutSeconds: 30,
      redrive: undefined,
    },
  ]);
});

it('takes batches of 10 from a FIFO queue by default', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.eventSources).toEqual([
    {
      kind: 'sqs',
      function: 'JobFunction',
      queue: 'Jobs',
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: false,
      enabled: true,
    },
  ]);
});

it('warns that content-based deduplication is not run', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.warnings).toEqual([
    'Jobs.ContentBasedDeduplication: not supported locally; it is ignored',
  ]);
});

it('gives queues the URL fauxqs returns from CreateQueue, and their ARN and name', async () => {
  const architecture = await readTemplate(TEMPLATE);
  const resources = physicalResources(architecture, {
    sqs: 'http://127.0.0.1:4566',
    kinesis: 'http://127.0.0.1:4567',
  });

  expect(resources.get('Jobs')).toEqual({
    ref: 'http://127.0.0.1:4566/000000000000/Jobs.fifo',
    attributes: {
      Arn: 'arn:aws:sqs:us-east-1:000000000000:Jobs.fifo',
      QueueName: 'Jobs.fifo',
      QueueUrl: 'http://127.0.0.1:4566/000000000000/Jobs.fifo',
    },
  });
});
