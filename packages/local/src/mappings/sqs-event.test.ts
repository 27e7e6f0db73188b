import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';

import { toSqsRecord } from './sqs-event.js';

const source = { queueArn: 'arn:aws:sqs:us-east-1:000000000000:orders', region: 'us-east-1' };

function message(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
    ReceiptHandle: 'handle-1',
    Body: 'test',
    MD5OfBody: '098f6bcd4621d373cade4e832627b4f6',
    Attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1545082649183',
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: '1545082649185',
    },
    ...overrides,
  };
}

describe('toSqsRecord', () => {
  it('builds the record Lambda delivers for a message without attributes', () => {
    expect(toSqsRecord(message(), source)).toEqual({
      messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      receiptHandle: 'handle-1',
      body: 'test',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
      messageAttributes: {},
      md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders',
      awsRegion: 'us-east-1',
    });
  });

  it("puts message attributes in Lambda's lower camel shape, binary values in base64", () => {
    const record = toSqsRecord(
      message({
        MD5OfMessageAttributes: '582c92c5c5b6ac403040a4f3ab3115c9',
        MessageAttributes: {
          traceparent: { DataType: 'String', StringValue: '00-abc-def-01' },
          count: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary.gzip', BinaryValue: Uint8Array.of(1, 2, 255) },
        },
      }),
      source,
    );
    expect(record.md5OfMessageAttributes).toBe('582c92c5c5b6ac403040a4f3ab3115c9');
    expect(record.messageAttributes).toEqual({
      traceparent: {
        stringValue: '00-abc-def-01',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'String',
      },
      count: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      blob: {
        binaryValue: 'AQL/',
        stringListValues: [],
        binaryListValues: [],
        dataType: 'Binary.gzip',
      },
    });
  });

  it('passes AWSTraceHeader and the FIFO attributes on, in the order Lambda lists them', () => {
    const record = toSqsRecord(
      message({
        Attributes: {
          SenderId: '000000000000',
          MessageDeduplicationId: 'dedup-1',
          ApproximateFirstReceiveTimestamp: '2',
          SentTimestamp: '1',
          MessageGroupId: 'group-a',
          AWSTraceHeader:
            'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
          SequenceNumber: '18849496460467696128',
          ApproximateReceiveCount: '2',
        },
      }),
      source,
    );
    expect(Object.entries(record.attributes)).toEqual([
      ['ApproximateReceiveCount', '2'],
      ['SentTimestamp', '1'],
      ['SenderId', '000000000000'],
      ['ApproximateFirstReceiveTimestamp', '2'],
      [
        'AWSTraceHeader',
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      ],
      ['SequenceNumber', '18849496460467696128'],
      ['MessageGroupId', 'group-a'],
      ['MessageDeduplicationId', 'dedup-1'],
    ]);
  });

  it('keeps an attribute named __proto__ as an ordinary attribute', () => {
    const attributes = JSON.parse(
      '{"__proto__":{"DataType":"String","StringValue":"x"}}',
    ) as Message['MessageAttributes'];
    const record = toSqsRecord(message({ MessageAttributes: attributes }), source);
    expect(Object.keys(record.messageAttributes)).toEqual(['__proto__']);
  });
});
