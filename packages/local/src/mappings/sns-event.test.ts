import { describe, expect, it } from 'vitest';

import { toSnsEvent } from './sns-event.js';

const SUBSCRIPTION =
  'arn:aws:sns:us-east-1:000000000000:alerts:2f1c8e2e-0000-4000-8000-000000000000';

function envelope(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
    Subject: 'TestInvoke',
    Message: 'Hello from SNS!',
    Timestamp: '2015-06-03T17:43:27.123Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
    MessageAttributes: {
      Test: { Type: 'String', Value: 'TestString' },
      TestBinary: { Type: 'Binary', Value: 'VGVzdEJpbmFyeQ==' },
    },
    ...overrides,
  });
}

describe('toSnsEvent', () => {
  it('builds the event Lambda receives from a topic', () => {
    expect(toSnsEvent(envelope(), SUBSCRIPTION)).toEqual({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: SUBSCRIPTION,
          Sns: {
            Type: 'Notification',
            MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
            TopicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
            Subject: 'TestInvoke',
            Message: 'Hello from SNS!',
            Timestamp: '2015-06-03T17:43:27.123Z',
            SignatureVersion: '1',
            Signature: 'EXAMPLE',
            SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/cert.pem',
            UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
            MessageAttributes: {
              Test: { Type: 'String', Value: 'TestString' },
              TestBinary: { Type: 'Binary', Value: 'VGVzdEJpbmFyeQ==' },
            },
          },
        },
      ],
    });
  });

  it('gives a null Subject and empty attributes when the publisher set none', () => {
    const sns = toSnsEvent(envelope({ Subject: null, MessageAttributes: {} }), SUBSCRIPTION)
      ?.Records[0]?.Sns;
    expect(sns?.Subject).toBeNull();
    expect(sns?.MessageAttributes).toEqual({});
  });

  it.each([
    ['text that is not JSON', 'hello'],
    ['a JSON array', '[1]'],
    ['another SNS message type', envelope({ Type: 'SubscriptionConfirmation' })],
    ['an envelope without a message', envelope({ Message: undefined })],
  ])('returns undefined for %s', (_name, body) => {
    expect(toSnsEvent(body, SUBSCRIPTION)).toBeUndefined();
  });
});
