import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { physicalResources, readTemplate, resolveEnvironment } from './index.js';

const TEMPLATE = fileURLToPath(new URL('./fixtures/sns.yaml', import.meta.url));

it('reads a topic and its subscriptions, raw and wrapped in the SNS envelope', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.topics).toEqual([{ logicalId: 'Orders', topicName: 'orders' }]);
  expect(architecture.subscriptions).toEqual([
    // Inline subscriptions cannot set RawMessageDelivery.
    { topic: 'Orders', queue: 'Wrapped', rawMessageDelivery: false },
    { topic: 'Orders', queue: 'Raw', rawMessageDelivery: true },
    { topic: 'Orders', queue: 'Plain', rawMessageDelivery: false },
  ]);
});

it('delivers to functions subscribed inline and through SAM SNS events', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.eventSources).toEqual([
    { kind: 'sns', function: 'Notifier', topic: 'Orders' },
    { kind: 'sns', function: 'Auditor', topic: 'Orders' },
  ]);
});

it('names the protocols and filters it does not run', async () => {
  const architecture = await readTemplate(TEMPLATE);

  expect(architecture.warnings).toEqual([
    'Orders.Subscription[2]: protocol email is not run locally, only sqs and lambda are; the subscription is ignored',
    'Auditor.Events.Orders.Properties.FilterPolicy: not supported locally; it is ignored',
  ]);
});

it('gives the topic ARN for !Ref and the name for !GetAtt TopicName', async () => {
  const architecture = await readTemplate(TEMPLATE);
  const notifier = architecture.functions.find((fn) => fn.logicalId === 'Notifier');
  const resources = physicalResources(architecture, {
    sqs: 'http://127.0.0.1:4566',
    kinesis: 'http://127.0.0.1:4567',
  });

  expect(resolveEnvironment(notifier!, resources)).toEqual({
    TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:orders',
    TOPIC_NAME: 'orders',
  });
});
