import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** The queue a record comes from, as Lambda names it in every record. */
export interface SqsRecordSource {
  readonly queueArn: string;
  readonly region: string;
}

// The system attributes Lambda passes on, in the order its events list them. The FIFO
// ones and AWSTraceHeader appear only when the message has them.
const OPTIONAL_SYSTEM_ATTRIBUTES = [
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
] as const;

/**
 * Builds the record Lambda puts in an SQS event for a message received with
 * `MessageSystemAttributeNames: ['All']` and `MessageAttributeNames: ['All']`: the message's
 * fields in lower camel case, its system attributes as they are, its message attributes in
 * Lambda's shape (binary values in base64, the reserved list values as empty lists), and the
 * queue's ARN and region. Source: "Using Lambda with Amazon SQS", example event,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html.
 *
 * @example
 * ```ts
 * const event = { Records: messages.map((m) => toSqsRecord(m, { queueArn, region: 'us-east-1' })) };
 * ```
 */
export function toSqsRecord(message: Message, source: SqsRecordSource): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: toRecordAttributes(message.Attributes ?? {}),
    messageAttributes: toLambdaAttributes(message.MessageAttributes ?? {}),
    // Lambda leaves the digest out when the message has no attributes.
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

function toRecordAttributes(system: Partial<Record<string, string>>): SQSRecordAttributes {
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '',
    SentTimestamp: system.SentTimestamp ?? '',
    SenderId: system.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? '',
  };
  for (const name of OPTIONAL_SYSTEM_ATTRIBUTES) {
    const value = system[name];
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
}

// Object.fromEntries keeps a name such as `__proto__` as an ordinary key.
function toLambdaAttributes(
  attributes: Record<string, MessageAttributeValue>,
): Record<string, SQSMessageAttribute> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]): [string, SQSMessageAttribute] => [
      name,
      {
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { binaryValue: toBase64(value.BinaryValue) }),
        stringListValues: [...(value.StringListValues ?? [])],
        binaryListValues: (value.BinaryListValues ?? []).map(toBase64),
        dataType: value.DataType ?? '',
      },
    ]),
  );
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
