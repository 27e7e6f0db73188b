import { describe, expect, it } from 'vitest';

import type { Architecture, FunctionSpec, ResolvedResources } from '../model.js';
import { ATTRIBUTES } from './catalog.js';
import { physicalResources, resolveEnvironment, resolveValue, TemplateError } from './index.js';

const PRODUCER: FunctionSpec = {
  logicalId: 'Producer',
  functionName: 'producer',
  codeUri: '/app/src',
  handler: 'index.handler',
  runtime: 'nodejs20.x',
  timeoutSeconds: 3,
  memoryMb: 128,
  tracing: 'PassThrough',
  environment: { QUEUE_URL: { ref: 'Orders' }, TABLE: { ref: 'Table' } },
  build: undefined,
};
const ARCHITECTURE: Architecture = {
  templatePath: '/app/template.yaml',
  functions: [PRODUCER],
  queues: [
    {
      logicalId: 'Orders',
      queueName: 'orders',
      fifo: false,
      visibilityTimeoutSeconds: 30,
      redrive: undefined,
    },
  ],
  streams: [{ logicalId: 'Clicks', streamName: 'clicks', shardCount: 2 }],
  topics: [{ logicalId: 'Events', topicName: 'events' }],
  subscriptions: [],
  eventSources: [],
  warnings: [],
};
const RESOURCES: ResolvedResources = physicalResources(ARCHITECTURE, {
  sqs: 'http://127.0.0.1:4566',
  kinesis: 'http://127.0.0.1:4567',
});

describe('physicalResources', () => {
  it('has a value for every attribute the template reader accepts in !GetAtt', () => {
    const ids = { function: 'Producer', queue: 'Orders', stream: 'Clicks', topic: 'Events' };
    for (const [kind, attributes] of Object.entries(ATTRIBUTES)) {
      const id = ids[kind as keyof typeof ids];
      for (const attribute of attributes) {
        expect(resolveValue({ getAtt: [id, attribute] }, RESOURCES)).toMatch(/\S/);
      }
    }
  });

  it('gives every resource the identity the emulators give it', () => {
    expect(Object.fromEntries(RESOURCES)).toEqual({
      Producer: {
        ref: 'producer',
        attributes: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:producer' },
      },
      Orders: {
        ref: 'http://127.0.0.1:4566/000000000000/orders',
        attributes: {
          Arn: 'arn:aws:sqs:us-east-1:000000000000:orders',
          QueueName: 'orders',
          QueueUrl: 'http://127.0.0.1:4566/000000000000/orders',
        },
      },
      Clicks: {
        ref: 'clicks',
        attributes: { Arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks' },
      },
      Events: {
        ref: 'arn:aws:sns:us-east-1:000000000000:events',
        attributes: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:events', TopicName: 'events' },
      },
    });
  });
});

describe('resolveValue', () => {
  it('turns literals into text', () => {
    expect(resolveValue('text', RESOURCES)).toBe('text');
    expect(resolveValue(12, RESOURCES)).toBe('12');
    expect(resolveValue(true, RESOURCES)).toBe('true');
  });

  it('assembles nested !Join and !Sub, and keeps escaped ${!Literal} literal', () => {
    const value = {
      join: [
        ';',
        [
          { ref: 'Clicks' },
          {
            sub: '${Queue} ${!Queue} ${Topic.TopicName}',
            variables: {
              Queue: { getAtt: ['Orders', 'QueueName'] },
              'Topic.TopicName': { getAtt: ['Events', 'TopicName'] },
            },
          },
        ],
      ],
    } as const;

    expect(resolveValue(value, RESOURCES)).toBe('clicks;orders ${Queue} events');
  });

  it('throws a TemplateError for an unknown logical id', () => {
    expect(() => resolveValue({ ref: 'Missing' }, RESOURCES)).toThrow(TemplateError);
    expect(() => resolveValue({ ref: 'Missing' }, RESOURCES)).toThrow(
      'Missing is not among the running resources (Producer, Orders, Clicks, Events).',
    );
  });

  it('throws a TemplateError for an unknown attribute', () => {
    expect(() => resolveValue({ getAtt: ['Clicks', 'StreamName'] }, RESOURCES)).toThrow(
      'Clicks has no attribute StreamName locally. Use one of: Arn.',
    );
  });
});

describe('resolveEnvironment', () => {
  it('names the function and the variable that cannot be resolved', () => {
    expect(() => resolveEnvironment(PRODUCER, RESOURCES)).toThrow(
      /^Producer\.Environment\.Variables\.TABLE: Table is not among the running resources/,
    );
  });
});
