import { PublishCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';

import type { LambdaSnsEvent } from '../src/mappings/index.js';
import {
  createQueue,
  createTopic,
  emulated,
  failedWith,
  fakeInvoker,
  start,
  succeeded,
  useMappingEmulators,
  waitFor,
} from './support/mappings-harness.js';

useMappingEmulators();

describe('SNS', () => {
  it('subscribes queues to topics with and without raw delivery', async () => {
    const topic = await createTopic('alerts');
    const raw = await createQueue('raw');
    const wrapped = await createQueue('wrapped');
    await start({
      subscriptions: [
        { topic: 'Alerts', queue: 'Raw', rawMessageDelivery: true },
        { topic: 'Alerts', queue: 'Wrapped', rawMessageDelivery: false },
      ],
      resources: { Alerts: topic, Raw: raw, Wrapped: wrapped },
      invoker: fakeInvoker().invoker,
    });
    await emulated.sns.send(
      new PublishCommand({
        TopicArn: topic.ref,
        Subject: 'disk',
        Message: 'disk almost full',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );

    const receiveOne = async (queueUrl: string): Promise<Message> => {
      const { Messages = [] } = await emulated.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 5,
        }),
      );
      expect(Messages).toHaveLength(1);
      return Messages[0]!;
    };
    const rawMessage = await receiveOne(raw.ref);
    expect(rawMessage.Body).toBe('disk almost full');
    expect(rawMessage.MessageAttributes?.severity?.StringValue).toBe('high');

    const envelope = JSON.parse((await receiveOne(wrapped.ref)).Body!) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topic.ref,
      Subject: 'disk',
      Message: 'disk almost full',
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
  });

  it("invokes a subscribed function with Lambda's SNS event, retrying a failure twice", async () => {
    const topic = await createTopic('alerts');
    const attempts = new Map<string, number>();
    const { invoker, invocations } = fakeInvoker((event) => {
      const message = (event as LambdaSnsEvent).Records[0]!.Sns.Message;
      const attempt = (attempts.get(message) ?? 0) + 1;
      attempts.set(message, attempt);
      if (message === 'always fails' || (message === 'flaky' && attempt === 1))
        return failedWith(message);
      return succeeded();
    });
    const mappings = await start({
      eventSources: [{ kind: 'sns', function: 'Notifier', topic: 'Alerts' }],
      resources: { Alerts: topic },
      invoker,
    });
    const published = await emulated.sns.send(
      new PublishCommand({
        TopicArn: topic.ref,
        Subject: 'disk',
        Message: 'disk almost full',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    await emulated.sns.send(new PublishCommand({ TopicArn: topic.ref, Message: 'flaky' }));
    await emulated.sns.send(new PublishCommand({ TopicArn: topic.ref, Message: 'always fails' }));

    await waitFor('every message settled', () => {
      const { total } = mappings.stats();
      return total.succeeded === 2 && total.discarded === 1;
    });
    const first = invocations.find(
      (invocation) =>
        (invocation.event as LambdaSnsEvent).Records[0]?.Sns.Message === 'disk almost full',
    );
    expect(first?.functionName).toBe('Notifier');
    expect(first?.event).toEqual({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: expect.stringMatching(new RegExp(`^${topic.ref}:`)) as unknown,
          Sns: {
            Type: 'Notification',
            MessageId: published.MessageId,
            TopicArn: topic.ref,
            Subject: 'disk',
            Message: 'disk almost full',
            Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
            SignatureVersion: '1',
            Signature: expect.any(String) as unknown,
            SigningCertUrl: expect.stringMatching(/^https:\/\//) as unknown,
            UnsubscribeUrl: expect.stringMatching(/^https:\/\//) as unknown,
            MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
          },
        },
      ],
    });
    expect(Object.fromEntries(attempts)).toEqual({
      'disk almost full': 1,
      flaky: 2,
      'always fails': 3,
    });
    expect(mappings.stats().total).toMatchObject({
      batches: 6,
      failed: 4,
      retried: 3,
      discarded: 1,
    });
  });
});
