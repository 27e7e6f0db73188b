import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { physicalResources, readTemplate, resolveEnvironment } from './index.js';

const EXAMPLE = fileURLToPath(
  new URL('../../../../examples/seed-architecture/template.yaml', import.meta.url),
);
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ENDPOINTS = { sqs: 'http://127.0.0.1:4566', kinesis: 'http://127.0.0.1:4567' };

// Settings every function of the example takes from Globals.Function and its esbuild metadata.
const EXAMPLE_FUNCTION = {
  codeUri: join(dirname(EXAMPLE), 'src'),
  runtime: 'nodejs20.x',
  timeoutSeconds: 10,
  memoryMb: 256,
  tracing: 'Active',
};
const EXAMPLE_BUILD = {
  format: 'esm',
  outExtension: '.mjs',
  minify: true,
  sourcemap: true,
  target: 'es2022',
  external: [],
  mainFields: ['module', 'main'],
  banner: {},
  loader: {},
  sourcesContent: true,
};

describe('the seed architecture example', () => {
  it('reads every resource, with Globals merged and SAM defaults', async () => {
    const architecture = await readTemplate(EXAMPLE);

    expect(architecture).toEqual({
      templatePath: EXAMPLE,
      queues: [
        {
          logicalId: 'OrdersDeadLetterQueue',
          queueName: 'OrdersDeadLetterQueue',
          fifo: false,
          visibilityTimeoutSeconds: 30,
          redrive: undefined,
        },
        {
          logicalId: 'OrdersQueue',
          queueName: 'OrdersQueue',
          fifo: false,
          visibilityTimeoutSeconds: 60,
          redrive: { deadLetterQueue: 'OrdersDeadLetterQueue', maxReceiveCount: 3 },
        },
      ],
      streams: [{ logicalId: 'OrdersStream', streamName: 'OrdersStream', shardCount: 2 }],
      topics: [],
      subscriptions: [],
      functions: [
        {
          ...EXAMPLE_FUNCTION,
          logicalId: 'ProducerFunction',
          functionName: 'ProducerFunction',
          handler: 'producer.handler',
          environment: {
            NODE_OPTIONS: '--enable-source-maps',
            OTEL_SERVICE_NAME: 'producer',
            QUEUE_URL: { ref: 'OrdersQueue' },
            STREAM_NAME: { ref: 'OrdersStream' },
          },
          build: { ...EXAMPLE_BUILD, entryPoints: ['producer.ts'] },
        },
        {
          ...EXAMPLE_FUNCTION,
          logicalId: 'SqsConsumerFunction',
          functionName: 'SqsConsumerFunction',
          handler: 'sqs-consumer.handler',
          environment: { NODE_OPTIONS: '--enable-source-maps', OTEL_SERVICE_NAME: 'sqs-consumer' },
          build: { ...EXAMPLE_BUILD, entryPoints: ['sqs-consumer.ts'] },
        },
        {
          ...EXAMPLE_FUNCTION,
          logicalId: 'KinesisConsumerFunction',
          functionName: 'KinesisConsumerFunction',
          handler: 'kinesis-consumer.handler',
          environment: {
            NODE_OPTIONS: '--enable-source-maps',
            OTEL_SERVICE_NAME: 'kinesis-consumer',
          },
          build: { ...EXAMPLE_BUILD, entryPoints: ['kinesis-consumer.ts'] },
        },
      ],
      eventSources: [
        {
          kind: 'sqs',
          function: 'SqsConsumerFunction',
          queue: 'OrdersQueue',
          batchSize: 10,
          maximumBatchingWindowSeconds: 1,
          reportBatchItemFailures: true,
          enabled: true,
        },
        {
          kind: 'kinesis',
          function: 'KinesisConsumerFunction',
          stream: 'OrdersStream',
          batchSize: 100,
          maximumBatchingWindowSeconds: 1,
          startingPosition: 'TRIM_HORIZON',
          reportBatchItemFailures: true,
          maximumRetryAttempts: -1,
          enabled: true,
        },
      ],
      warnings: [],
    });
  });

  it('resolves the environment against the running resources', async () => {
    const architecture = await readTemplate(EXAMPLE);
    const resources = physicalResources(architecture, ENDPOINTS);
    const producer = architecture.functions.find((fn) => fn.logicalId === 'ProducerFunction');

    expect(resolveEnvironment(producer!, resources)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      OTEL_SERVICE_NAME: 'producer',
      QUEUE_URL: 'http://127.0.0.1:4566/000000000000/OrdersQueue',
      STREAM_NAME: 'OrdersStream',
    });
  });
});

describe('parameters, pseudo parameters and intrinsic functions', () => {
  const template = join(FIXTURES, 'parameters.yaml');

  it('substitutes parameter defaults and pseudo parameters, and keeps references symbolic', async () => {
    const architecture = await readTemplate(template, { stackName: 'shop' });
    const api = architecture.functions.find((fn) => fn.logicalId === 'Api');

    expect(architecture.queues[0]?.queueName).toBe('shop-test-inbox');
    expect(api?.functionName).toBe('api-test');
    expect(api?.timeoutSeconds).toBe(4);
    expect(api?.environment).toEqual({
      SHARED: 'from-globals',
      OVERRIDDEN: 'from-function',
      STAGE: 'test',
      ZONES: 'a,b',
      REGION: 'us-east-1',
      PARTITION: 'aws.amazonaws.com',
      INBOX_URL: { ref: 'Inbox' },
      INBOX_ARN: { getAtt: ['Inbox', 'Arn'] },
      INBOX_NAME: { getAtt: ['Inbox', 'QueueName'] },
      BOTH: {
        sub: '${Inbox}|${Inbox.Arn}',
        variables: { Inbox: { ref: 'Inbox' }, 'Inbox.Arn': { getAtt: ['Inbox', 'Arn'] } },
      },
      LABEL: {
        sub: '${Name} in us-east-1 costs ${!price}',
        variables: { Name: { getAtt: ['Inbox', 'QueueName'] } },
      },
      JOINED: { join: [',', [{ ref: 'Inbox' }, 'test', 7]] },
      DEBUG: false,
      // YAML 1.1, as CloudFormation reads it: unquoted ids and times become other numbers
      // there too. Timestamps, which it does not support, stay text.
      VERBOSE: true,
      RELEASED: '2024-01-01',
      ACCOUNT: 1402433619,
      AT: 750,
    });
    expect(architecture.warnings).toEqual([]);
  });

  it('names the stack after the template folder by default', async () => {
    const architecture = await readTemplate(template);

    expect(architecture.queues[0]?.queueName).toBe('fixtures-test-inbox');
  });

  it('resolves !Sub and !Join once the resources exist', async () => {
    const architecture = await readTemplate(template, { stackName: 'shop' });
    const api = architecture.functions.find((fn) => fn.logicalId === 'Api');
    const environment = resolveEnvironment(api!, physicalResources(architecture, ENDPOINTS));
    const url = 'http://127.0.0.1:4566/000000000000/shop-test-inbox';

    expect(environment).toMatchObject({
      INBOX_URL: url,
      INBOX_ARN: 'arn:aws:sqs:us-east-1:000000000000:shop-test-inbox',
      INBOX_NAME: 'shop-test-inbox',
      BOTH: `${url}|arn:aws:sqs:us-east-1:000000000000:shop-test-inbox`,
      LABEL: 'shop-test-inbox in us-east-1 costs ${price}',
      JOINED: `${url},test,7`,
      DEBUG: 'false',
    });
  });

  it('merges Globals.Function: own values win, variables merge', async () => {
    const architecture = await readTemplate(template);
    const [api, worker] = architecture.functions;

    expect(api).toMatchObject({ memoryMb: 512, timeoutSeconds: 4, tracing: 'PassThrough' });
    expect(worker).toMatchObject({ memoryMb: 512, timeoutSeconds: 20, tracing: 'PassThrough' });
    expect(worker?.environment).toMatchObject({
      SHARED: 'from-globals',
      OVERRIDDEN: 'from-globals',
    });
  });

  it('applies SAM esbuild defaults, and enables source maps in NODE_OPTIONS', async () => {
    const architecture = await readTemplate(template);
    const [api, worker] = architecture.functions;

    // No BuildProperties: the handler's file is the entry point, found with its extension.
    expect(api?.build).toEqual({
      entryPoints: ['app.ts'],
      format: 'cjs',
      outExtension: '.js',
      minify: true,
      sourcemap: false,
      target: 'es2020',
      external: [],
      mainFields: [],
      banner: {},
      loader: {},
      sourcesContent: true,
    });
    expect(worker?.build).toMatchObject({
      entryPoints: ['index.js'],
      sourcemap: true,
      external: ['@aws-sdk/*'],
    });
    expect(worker?.environment.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('finds an event source queue by a literal ARN and reads the mapping settings', async () => {
    const architecture = await readTemplate(template);

    expect(architecture.eventSources).toEqual([
      {
        kind: 'sqs',
        function: 'Worker',
        queue: 'Inbox',
        batchSize: 50,
        maximumBatchingWindowSeconds: 2,
        reportBatchItemFailures: false,
        enabled: false,
      },
    ]);
  });
});

it('builds the module of a nested handler, as the runner loads it', async () => {
  const architecture = await readTemplate(join(FIXTURES, 'nested-handler.yaml'));

  // `app.handlers.orders` is the export `handlers.orders` of the module `app`.
  expect(architecture.functions[0]?.build?.entryPoints).toEqual(['app.ts']);
});
