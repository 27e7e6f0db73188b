import type { Attributes } from '@opentelemetry/api';
import { RecordSource } from '../propagation/inspection.js';
import { ownProperty, ownString } from '../propagation/propagator.js';

/** What the consumer needs to know about one record besides its context and payload. */
export interface RecordDescription {
  /** `messaging.system` value. */
  readonly system: string;
  /** Queue, topic, stream, table or event source the record came from. */
  readonly destination: string;
  readonly messageId: string | undefined;
  /** When the message entered the queue, topic or stream (epoch milliseconds). */
  readonly enqueuedAtMs: number | undefined;
  /** Delivery attempt, from SQS's `ApproximateReceiveCount`. */
  readonly deliveryAttempt: number | undefined;
  /** What `batchItemFailures` names this record by: SQS message id or stream sequence number. */
  readonly failureId: string | undefined;
  /** SQS FIFO message group. */
  readonly messageGroupId: string | undefined;
  /** Kinesis shard. */
  readonly partition: string | undefined;
}

// The last name read from an ARN: every record of a batch comes from the same source.
let lastArn: string | undefined;
let lastPattern: RegExp | undefined;
let lastName = 'unknown';

/** The resource name in an ARN: the part after the last `:` or, for `type/name`, after `/`. */
function arnResourceName(arn: string | undefined, pattern: RegExp): string {
  if (arn === lastArn && pattern === lastPattern) return lastName;
  const match = arn === undefined ? null : pattern.exec(arn);
  lastArn = arn;
  lastPattern = pattern;
  lastName = match?.[1] ?? 'unknown';
  return lastName;
}

let lastDestination: string | undefined;
let lastSpanName = '';

/**
 * `process <destination>`, the record span's name by the messaging conventions; built once per
 * destination in a row rather than once per record.
 */
export function processSpanName(destination: string): string {
  if (destination !== lastDestination) {
    lastDestination = destination;
    lastSpanName = `process ${destination}`;
  }
  return lastSpanName;
}

const SQS_QUEUE = /:([^:]+)$/;
const SNS_TOPIC = /:([^:]+)$/;
const KINESIS_STREAM = /:stream\/([^/]+)/;
const DYNAMODB_TABLE = /:table\/([^/]+)/;
const KINESIS_SHARD = /^(shardId-[0-9]+):/;

function epochMsFromSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) : undefined;
}

function epochMsFromText(
  value: string | undefined,
  parse: (text: string) => number,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parse(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function positiveInteger(value: string | undefined): number | undefined {
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}

/** Reads the messaging facts of a record of any supported source. Never throws. */
export function describeRecord(record: unknown, source: RecordSource): RecordDescription {
  // Every field is written out: a literal that spreads a shared object of defaults and then adds
  // fields takes V8's slow path (about 3 µs per record on Node 20, measured, against 0.01 µs).
  switch (source) {
    case RecordSource.SQS: {
      const attributes = ownProperty(record, 'attributes');
      const messageId = ownString(record, 'messageId');
      return {
        system: 'aws_sqs',
        destination: arnResourceName(ownString(record, 'eventSourceARN'), SQS_QUEUE),
        messageId,
        enqueuedAtMs: epochMsFromText(ownString(attributes, 'SentTimestamp'), Number),
        deliveryAttempt: positiveInteger(ownString(attributes, 'ApproximateReceiveCount')),
        failureId: messageId,
        messageGroupId: ownString(attributes, 'MessageGroupId'),
        partition: undefined,
      };
    }
    case RecordSource.SNS: {
      const sns = ownProperty(record, 'Sns');
      return {
        system: 'aws.sns',
        destination: arnResourceName(ownString(sns, 'TopicArn'), SNS_TOPIC),
        messageId: ownString(sns, 'MessageId'),
        enqueuedAtMs: epochMsFromText(ownString(sns, 'Timestamp'), Date.parse),
        failureId: undefined,
        messageGroupId: undefined,
        partition: undefined,
        deliveryAttempt: undefined,
      };
    }
    case RecordSource.KINESIS: {
      const kinesis = ownProperty(record, 'kinesis');
      const sequenceNumber = ownString(kinesis, 'sequenceNumber');
      return {
        system: 'aws.kinesis',
        destination: arnResourceName(ownString(record, 'eventSourceARN'), KINESIS_STREAM),
        messageId: sequenceNumber,
        enqueuedAtMs: epochMsFromSeconds(ownProperty(kinesis, 'approximateArrivalTimestamp')),
        failureId: sequenceNumber,
        partition: KINESIS_SHARD.exec(ownString(record, 'eventID') ?? '')?.[1],
        messageGroupId: undefined,
        deliveryAttempt: undefined,
      };
    }
    case RecordSource.DYNAMODB: {
      const change = ownProperty(record, 'dynamodb');
      return {
        system: 'aws.dynamodb',
        destination: arnResourceName(ownString(record, 'eventSourceARN'), DYNAMODB_TABLE),
        messageId: ownString(record, 'eventID'),
        enqueuedAtMs: epochMsFromSeconds(ownProperty(change, 'ApproximateCreationDateTime')),
        failureId: ownString(change, 'SequenceNumber'),
        messageGroupId: undefined,
        partition: undefined,
        deliveryAttempt: undefined,
      };
    }
    case RecordSource.EVENTBRIDGE:
      return {
        system: 'aws.eventbridge',
        destination: ownString(record, 'source') ?? 'unknown',
        messageId: ownString(record, 'id'),
        enqueuedAtMs: epochMsFromText(ownString(record, 'time'), Date.parse),
        failureId: undefined,
        messageGroupId: undefined,
        partition: undefined,
        deliveryAttempt: undefined,
      };
    case RecordSource.UNKNOWN:
      return {
        system: 'unknown',
        destination: 'unknown',
        messageId: undefined,
        enqueuedAtMs: undefined,
        failureId: undefined,
        messageGroupId: undefined,
        partition: undefined,
        deliveryAttempt: undefined,
      };
  }
}

/** Span attributes of a record span, by the messaging conventions plus tracebridge's own. */
export function recordAttributes(
  description: RecordDescription,
  nowMs: number,
  carrier: string,
): Attributes {
  const attributes: Attributes = {
    'messaging.system': description.system,
    'messaging.destination.name': description.destination,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'tracebridge.context.carrier': carrier,
  };
  if (description.messageId !== undefined)
    attributes['messaging.message.id'] = description.messageId;
  if (description.partition !== undefined)
    attributes['messaging.destination.partition.id'] = description.partition;
  if (description.messageGroupId !== undefined) {
    attributes['messaging.message.conversation_id'] = description.messageGroupId;
  }
  if (description.enqueuedAtMs !== undefined) {
    attributes['tracebridge.message.wait_ms'] = Math.max(0, nowMs - description.enqueuedAtMs);
  }
  if (description.deliveryAttempt !== undefined) {
    attributes['tracebridge.message.delivery_attempt'] = description.deliveryAttempt;
  }
  return attributes;
}
