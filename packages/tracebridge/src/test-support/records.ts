/**
 * Lambda event records and trace contexts for tests. The records copy the field layout of the
 * sample events in AWS's Lambda documentation (SQS, SNS, Kinesis, EventBridge, DynamoDB Streams),
 * so the code under test sees what Lambda really hands it. The `…FromSend` helpers play the part
 * of the service in between: they turn what a producer sent into the record a consumer receives.
 */
import { createHash } from 'node:crypto';
import {
  type Context,
  createTraceState,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import type {
  DynamoDBRecord,
  EventBridgeEvent,
  KinesisStreamRecord,
  KinesisStreamRecordPayload,
  SNSEventRecord,
  SNSMessage,
  SNSMessageAttribute,
  SNSMessageAttributes,
  SQSMessageAttribute,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
  StreamRecord,
} from 'aws-lambda';
import type { EventBridgeEntryInput } from '../propagation/eventbridge.js';
import type { KinesisRecordInput } from '../propagation/kinesis.js';
import type { SdkMessageAttribute } from '../propagation/message-attributes.js';
import type { SnsMessageInput } from '../propagation/sns.js';
import type { SqsMessageInput } from '../propagation/sqs.js';

export const REGION = 'us-east-2';
export const ACCOUNT = '123456789012';
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`;
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:orders-topic`;
export const STREAM_ARN = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/orders-stream`;
export const TABLE_STREAM_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders/stream/2015-06-27T00:48:05.899`;

let sequence = 0;
/** A UUID-shaped id, different on every call and the same on every run. */
function nextUuid(): string {
  sequence++;
  return `059f36b4-87a3-44ab-83d2-${sequence.toString(16).padStart(12, '0')}`;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const base64 = (bytes: Uint8Array | string): string =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64');

// ---------------------------------------------------------------------------------------------
// Trace contexts
// ---------------------------------------------------------------------------------------------

/** Trace id whose first 8 hex digits are epoch seconds, as X-Ray requires. */
export const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
export const SPAN_ID = '53995c3f42cd8ad8';

/** A valid, sampled, remote span context; `overrides` change any field. */
export function remoteSpanContext(overrides: Partial<SpanContext> = {}): SpanContext {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    ...overrides,
  };
}

/** The `n`-th of a family of distinct valid span contexts (n ≥ 0), for batches. */
export function numberedSpanContext(n: number, overrides: Partial<SpanContext> = {}): SpanContext {
  return remoteSpanContext({
    traceId: `5759e988${(n + 1).toString(16).padStart(24, '0')}`,
    spanId: (0xa000 + n).toString(16).padStart(16, '0'),
    ...overrides,
  });
}

export interface ContextOptions {
  /** Raw W3C tracestate to attach to the span context. */
  readonly traceState?: string;
  /** Baggage entries, set with `propagation.setBaggage`. */
  readonly baggage?: Readonly<Record<string, string>>;
}

/** `ROOT_CONTEXT` holding `spanContext` (and optionally a tracestate and baggage). */
export function contextWith(
  spanContext: SpanContext = remoteSpanContext(),
  options: ContextOptions = {},
): Context {
  const withState =
    options.traceState === undefined
      ? spanContext
      : { ...spanContext, traceState: createTraceState(options.traceState) };
  let context = trace.setSpanContext(ROOT_CONTEXT, withState);
  if (options.baggage) {
    const entries = Object.fromEntries(
      Object.entries(options.baggage).map(([key, value]) => [key, { value }]),
    );
    context = propagation.setBaggage(context, propagation.createBaggage(entries));
  }
  return context;
}

/** The W3C traceparent of a span context, written independently of the code under test. */
export function traceparentOf(spanContext: SpanContext): string {
  const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The X-Ray header of a span context, written independently of the code under test. */
export function xrayHeaderOf(spanContext: SpanContext): string {
  const { traceId, spanId, traceFlags } = spanContext;
  const sampled = traceFlags & TraceFlags.SAMPLED ? '1' : '0';
  return `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=${sampled}`;
}

/** Datadog's `x-datadog-*` headers for a span context: decimal ids, upper trace id half in `_dd.p.tid`. */
export function datadogHeadersOf(spanContext: SpanContext): Record<string, string> {
  const decimal = (hexId: string): string => BigInt(`0x${hexId}`).toString();
  return {
    'x-datadog-trace-id': decimal(spanContext.traceId.slice(16)),
    'x-datadog-parent-id': decimal(spanContext.spanId),
    'x-datadog-sampling-priority': spanContext.traceFlags & TraceFlags.SAMPLED ? '1' : '0',
    'x-datadog-tags': `_dd.p.dm=-1,_dd.p.tid=${spanContext.traceId.slice(0, 16)}`,
  };
}

/** The `_otel` JSON member text tracebridge writes for a span context without state. */
export function otelMemberOf(spanContext: SpanContext): string {
  return `"_otel":{"traceparent":"${traceparentOf(spanContext)}"}`;
}

// ---------------------------------------------------------------------------------------------
// SQS
// ---------------------------------------------------------------------------------------------

/** A String message attribute as Lambda delivers it in an SQS record. */
export function sqsAttribute(value: string, dataType = 'String'): SQSMessageAttribute {
  return { stringValue: value, stringListValues: [], binaryListValues: [], dataType };
}

/** A Binary message attribute as Lambda delivers it (base64 in `binaryValue`). */
export function sqsBinaryAttribute(
  value: Uint8Array | string,
  dataType = 'Binary',
): SQSMessageAttribute {
  return { binaryValue: base64(value), stringListValues: [], binaryListValues: [], dataType };
}

export type SqsRecordOverrides = Partial<Omit<SQSRecord, 'attributes'>> & {
  readonly attributes?: Partial<SQSRecordAttributes>;
};

/** An SQS record as Lambda delivers it (AWS sample event), body `test` unless overridden. */
export function sqsRecord(overrides: SqsRecordOverrides = {}): SQSRecord {
  const { attributes: attributeOverrides, ...fieldOverrides } = overrides;
  const body = overrides.body ?? 'test';
  return {
    messageId: nextUuid(),
    receiptHandle:
      'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/7Xa7MqTtNBx5KPiAnDbUVcAwrGVvFpWeBPmvtaXNmdIzWNXR2Xzh',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
      ...attributeOverrides,
    },
    messageAttributes: {},
    md5OfBody: md5(body),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: REGION,
    ...fieldOverrides,
  };
}

function lambdaSqsAttributes(
  attributes: Readonly<Record<string, SdkMessageAttribute>> | undefined,
): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    const dataType = attribute.DataType ?? 'String';
    converted[name] = dataType.startsWith('Binary')
      ? sqsBinaryAttribute(attribute.BinaryValue ?? new Uint8Array(), dataType)
      : sqsAttribute(attribute.StringValue ?? '', dataType);
  }
  return converted;
}

/** What SQS delivers to Lambda for a SendMessage input: attributes converted, AWSTraceHeader kept. */
export function sqsRecordFromSend(
  message: SqsMessageInput,
  overrides: SqsRecordOverrides = {},
): SQSRecord {
  const traceHeader = message.MessageSystemAttributes?.AWSTraceHeader?.StringValue;
  return sqsRecord({
    body: message.MessageBody ?? '',
    messageAttributes: lambdaSqsAttributes(message.MessageAttributes),
    ...overrides,
    attributes: {
      ...(traceHeader === undefined ? {} : { AWSTraceHeader: traceHeader }),
      ...overrides.attributes,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// SNS
// ---------------------------------------------------------------------------------------------

/** An SNS message attribute (`{Type, Value}`), as in SNS records and notification envelopes. */
export function snsAttribute(value: string, type = 'String'): SNSMessageAttribute {
  return { Type: type, Value: value };
}

export type SnsRecordOverrides = Partial<Omit<SNSEventRecord, 'Sns'>> & {
  readonly Sns?: Partial<SNSMessage>;
};

/** An SNS record as Lambda delivers it (AWS sample event). */
export function snsRecord(overrides: SnsRecordOverrides = {}): SNSEventRecord {
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPIC_ARN}:21be56ed-a058-49f5-8c98-aedd2564c486`,
    EventSource: 'aws:sns',
    ...overrides,
    Sns: {
      SignatureVersion: '1',
      Timestamp: '2019-01-02T12:45:07.000Z',
      Signature: 'tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j65r==',
      SigningCertUrl: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem`,
      MessageId: nextUuid(),
      Message: 'Hello from SNS!',
      MessageAttributes: {},
      Type: 'Notification',
      UnsubscribeUrl: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:21be56ed`,
      TopicArn: TOPIC_ARN,
      Subject: 'TestInvoke',
      ...overrides.Sns,
    },
  };
}

function snsAttributesFromPublish(message: SnsMessageInput): SNSMessageAttributes {
  const converted: SNSMessageAttributes = {};
  for (const [name, attribute] of Object.entries(message.MessageAttributes ?? {})) {
    converted[name] = attribute.DataType?.startsWith('Binary')
      ? snsAttribute(base64(attribute.BinaryValue ?? new Uint8Array()), 'Binary')
      : snsAttribute(attribute.StringValue ?? '', attribute.DataType ?? 'String');
  }
  return converted;
}

/** What SNS delivers to a Lambda subscriber for a Publish input. */
export function snsRecordFromPublish(message: SnsMessageInput): SNSEventRecord {
  return snsRecord({
    Sns: { Message: message.Message ?? '', MessageAttributes: snsAttributesFromPublish(message) },
  });
}

/** The fields of the JSON notification SNS writes as the SQS body in non-raw delivery. */
export interface SnsNotification {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
  MessageAttributes?: SNSMessageAttributes;
}

/**
 * The SQS body of an SNS notification in non-raw delivery, laid out as SNS writes it: one
 * `"Key" : value` per line, message attributes as compact objects.
 */
export function snsNotificationBody(overrides: Partial<SnsNotification> = {}): string {
  const notification: SnsNotification = {
    Type: 'Notification',
    MessageId: nextUuid(),
    TopicArn: TOPIC_ARN,
    Message: 'Hello from SNS!',
    Timestamp: '2024-05-02T00:54:06.655Z',
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem`,
    UnsubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:3c6b4e5a`,
    ...overrides,
  };
  const lines = Object.entries(notification).map(([key, value]) => {
    if (key !== 'MessageAttributes') return `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`;
    const attributes = Object.entries(value as SNSMessageAttributes).map(
      ([name, attribute]) => `    ${JSON.stringify(name)} : ${JSON.stringify(attribute)}`,
    );
    return `  "MessageAttributes" : {\n${attributes.join(',\n')}\n  }`;
  });
  return `{\n${lines.join(',\n')}\n}`;
}

/**
 * What an SQS subscriber of a topic receives for a Publish input: in non-raw delivery the JSON
 * notification as the body; in raw delivery the message as the body and the SNS attributes as
 * SQS message attributes.
 */
export function sqsRecordFromPublish(
  message: SnsMessageInput,
  options: { raw: boolean },
): SQSRecord {
  if (options.raw) {
    return sqsRecord({
      body: message.Message ?? '',
      messageAttributes: lambdaSqsAttributes(message.MessageAttributes),
    });
  }
  const attributes = snsAttributesFromPublish(message);
  return sqsRecord({
    body: snsNotificationBody({
      Message: message.Message ?? '',
      ...(Object.keys(attributes).length > 0 && { MessageAttributes: attributes }),
    }),
  });
}

// ---------------------------------------------------------------------------------------------
// Kinesis
// ---------------------------------------------------------------------------------------------

export type KinesisRecordOverrides = Partial<Omit<KinesisStreamRecord, 'kinesis'>> & {
  readonly kinesis?: Partial<KinesisStreamRecordPayload>;
};

/** A Kinesis record as Lambda delivers it (AWS sample event) carrying `data` (bytes or UTF-8 text). */
export function kinesisRecord(
  data: Uint8Array | string = 'Hello, this is a test.',
  overrides: KinesisRecordOverrides = {},
): KinesisStreamRecord {
  const sequenceNumber = '49590338271490256608559692538361571095921575989136588898';
  return {
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000006:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/lambda-role`,
    awsRegion: REGION,
    eventSourceARN: STREAM_ARN,
    ...overrides,
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: '1',
      sequenceNumber,
      data: base64(data),
      approximateArrivalTimestamp: 1545084650.987,
      ...overrides.kinesis,
    },
  };
}

/** What Kinesis delivers to Lambda for a PutRecord input: the data base64-encoded. */
export function kinesisRecordFromPut(input: KinesisRecordInput): KinesisStreamRecord {
  return kinesisRecord(input.Data ?? new Uint8Array(), {
    kinesis: { partitionKey: input.PartitionKey ?? '1' },
  });
}

// ---------------------------------------------------------------------------------------------
// EventBridge
// ---------------------------------------------------------------------------------------------

/** An EventBridge event as Lambda delivers it (AWS sample event) with `detail`. */
export function eventBridgeEvent<Detail>(
  detail: Detail,
  overrides: Partial<EventBridgeEvent<string, Detail>> = {},
): EventBridgeEvent<string, Detail> {
  return {
    version: '0',
    id: nextUuid(),
    'detail-type': 'OrderPlaced',
    source: 'com.example.orders',
    account: ACCOUNT,
    time: '2017-12-22T18:43:48Z',
    region: REGION,
    resources: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-1234567890abcdef0`],
    detail,
    ...overrides,
  };
}

/** The JSON text of an EventBridge event whose `detail` is `detailJson`, verbatim, last. */
export function eventBridgeEventBody(
  detailJson: string,
  overrides: Partial<EventBridgeEvent<string, unknown>> = {},
): string {
  const envelope: Partial<EventBridgeEvent<string, unknown>> = eventBridgeEvent(null, overrides);
  delete envelope.detail;
  return `${JSON.stringify(envelope).slice(0, -1)},"detail":${detailJson}}`;
}

/** What Lambda receives for a PutEvents entry when the rule targets the function directly. */
export function eventBridgeEventFromPut(
  entry: EventBridgeEntryInput,
): EventBridgeEvent<string, unknown> {
  return eventBridgeEvent(JSON.parse(entry.Detail ?? '{}') as unknown, {
    source: entry.Source ?? 'com.example.orders',
    'detail-type': entry.DetailType ?? 'OrderPlaced',
    resources: entry.Resources ?? [],
  });
}

/** What an SQS target of a rule receives for a PutEvents entry: the event JSON as the body. */
export function sqsRecordFromPutEvents(entry: EventBridgeEntryInput): SQSRecord {
  return sqsRecord({
    body: eventBridgeEventBody(entry.Detail ?? '{}', {
      source: entry.Source ?? 'com.example.orders',
      'detail-type': entry.DetailType ?? 'OrderPlaced',
      resources: entry.Resources ?? [],
    }),
  });
}

// ---------------------------------------------------------------------------------------------
// DynamoDB Streams
// ---------------------------------------------------------------------------------------------

export type DynamoDbRecordOverrides = Partial<Omit<DynamoDBRecord, 'dynamodb'>> & {
  readonly dynamodb?: Partial<StreamRecord>;
};

/** A DynamoDB Streams record as Lambda delivers it (AWS sample event, an INSERT). */
export function dynamoDbRecord(overrides: DynamoDbRecordOverrides = {}): DynamoDBRecord {
  return {
    eventID: 'c4ca4238a0b923820dcc509a6f75849b',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    eventSourceARN: TABLE_STREAM_ARN,
    ...overrides,
    dynamodb: {
      Keys: { Id: { N: '101' } },
      NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
      ApproximateCreationDateTime: 1428537600,
      SequenceNumber: '4421584500000000017450439091',
      SizeBytes: 26,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...overrides.dynamodb,
    },
  };
}
