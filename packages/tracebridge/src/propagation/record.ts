import type { TextMapPropagator } from '@opentelemetry/api';
import { describeError, warnOnce } from './diag.js';
import { inspectDynamoDbRecord } from './dynamodb.js';
import { inspectEventBridgeEvent } from './eventbridge.js';
import {
  lazyPayload,
  type RecordContext,
  recordContext,
  type RecordInspection,
  type RecordPayload,
  RecordSource,
} from './inspection.js';
import { stringifyJson } from './json-text.js';
import { inspectKinesisRecord } from './kinesis.js';
import { isPlainRecord, ownProperty, ownString, w3cPropagator } from './propagator.js';
import { inspectSnsRecord } from './sns.js';
import { inspectSqsRecord } from './sqs.js';

/** Options of {@link extractRecordContext} and {@link recordPayload}. */
export interface ExtractOptions {
  /** Propagator that reads W3C-style text maps; W3C Trace Context and Baggage by default. */
  readonly propagator?: TextMapPropagator;
}

/**
 * The event source of a Lambda record, from its `eventSource` field or, for events Lambda
 * passes without one (EventBridge), from its shape. Never throws: a record that cannot be read
 * (a getter or Proxy trap throws) is `unknown`.
 *
 * @example
 * ```ts
 * import { recordSourceOf } from 'tracebridge';
 *
 * if (recordSourceOf(event.Records[0]) === 'aws:sqs') console.log('an SQS batch');
 * ```
 */
export function recordSourceOf(record: unknown): RecordSource {
  try {
    return sourceFromFields(record);
  } catch {
    return RecordSource.UNKNOWN;
  }
}

function sourceFromFields(record: unknown): RecordSource {
  const eventSource = ownString(record, 'eventSource') ?? ownString(record, 'EventSource');
  switch (eventSource) {
    case RecordSource.SQS:
    case RecordSource.SNS:
    case RecordSource.KINESIS:
    case RecordSource.DYNAMODB:
      return eventSource;
  }
  if (isPlainRecord(ownProperty(record, 'Sns'))) return RecordSource.SNS;
  if (isPlainRecord(ownProperty(record, 'kinesis'))) return RecordSource.KINESIS;
  if (isPlainRecord(ownProperty(record, 'dynamodb'))) return RecordSource.DYNAMODB;
  if (ownString(record, 'receiptHandle') !== undefined) return RecordSource.SQS;
  if (ownString(record, 'detail-type') !== undefined && ownString(record, 'source') !== undefined) {
    return RecordSource.EVENTBRIDGE;
  }
  return RecordSource.UNKNOWN;
}

const INSPECTORS = {
  [RecordSource.SQS]: inspectSqsRecord,
  [RecordSource.SNS]: inspectSnsRecord,
  [RecordSource.KINESIS]: inspectKinesisRecord,
  [RecordSource.DYNAMODB]: inspectDynamoDbRecord,
  [RecordSource.EVENTBRIDGE]: inspectEventBridgeEvent,
} as const;

/**
 * The payload read without any context handling, for records an inspector could not read. A
 * record that cannot be read at all (a getter or Proxy trap throws) has an empty payload.
 */
function rawPayload(record: unknown, source: RecordSource): RecordPayload {
  try {
    return readRawPayload(record, source);
  } catch {
    return lazyPayload({ text: '' });
  }
}

function readRawPayload(record: unknown, source: RecordSource): RecordPayload {
  switch (source) {
    case RecordSource.SQS:
      return lazyPayload({ text: ownString(record, 'body') ?? '' });
    case RecordSource.SNS:
      return lazyPayload({ text: ownString(ownProperty(record, 'Sns'), 'Message') ?? '' });
    case RecordSource.KINESIS:
      return lazyPayload({
        bytes: Buffer.from(ownString(ownProperty(record, 'kinesis'), 'data') ?? '', 'base64'),
      });
    default:
      return lazyPayload({ text: stringifyJson(record) });
  }
}

/**
 * Reads a record's context and payload in one pass; what the consumer wrappers use. Never throws:
 * an inspector that fails on some input the record is treated as having no context.
 *
 * @internal
 */
export function inspectRecord(record: unknown, options: ExtractOptions = {}): RecordInspection {
  return inspectRecordOf(record, recordSourceOf(record), options.propagator ?? w3cPropagator);
}

/**
 * {@link inspectRecord} for a record whose source the caller already read with
 * {@link recordSourceOf}, so that the consumer reads each record's source once. Never throws.
 *
 * @internal
 */
export function inspectRecordOf(
  record: unknown,
  source: RecordSource,
  propagator: TextMapPropagator,
): RecordInspection {
  if (source !== RecordSource.UNKNOWN) {
    try {
      return INSPECTORS[source](record, propagator);
    } catch (error) {
      warnOnce(
        'inspect-failed',
        `could not read the trace context of an ${source} record (${describeError(error)}); it starts a new trace`,
      );
    }
  }
  return { context: recordContext(undefined, source), payload: rawPayload(record, source) };
}

/**
 * Extracts the trace context of any Lambda event record: SQS (W3C attributes, `AWSTraceHeader`,
 * SNS notifications and EventBridge events in the body), SNS, Kinesis, EventBridge and DynamoDB
 * Streams; Datadog's `_datadog` and CloudEvents' `traceparent` too. Never throws and never
 * mutates the record; a record without a usable context gets `ROOT_CONTEXT`.
 *
 * @example
 * ```ts
 * import { context, trace, SpanKind } from '@opentelemetry/api';
 * import { extractRecordContext } from 'tracebridge';
 *
 * for (const record of event.Records) {
 *   const { context: parent, carrier } = extractRecordContext(record);
 *   const span = trace.getTracer('consumer').startSpan('process orders', { kind: SpanKind.SERVER }, parent);
 *   span.setAttribute('tracebridge.context.carrier', carrier);
 *   span.end();
 * }
 * ```
 */
export function extractRecordContext(record: unknown, options: ExtractOptions = {}): RecordContext {
  return inspectRecord(record, options).context;
}

/**
 * The payload of any Lambda event record as the producer's code wrote it: the SQS body (or the
 * SNS message or EventBridge detail it wraps), the SNS message, the Kinesis data, with
 * tracebridge's `_otel` member or binary envelope removed, byte for byte. Never throws.
 *
 * @example
 * ```ts
 * import { recordPayload } from 'tracebridge';
 *
 * const order = JSON.parse(recordPayload(record).text) as Order;
 * ```
 */
export function recordPayload(record: unknown, options: ExtractOptions = {}): RecordPayload {
  return inspectRecord(record, options).payload;
}
