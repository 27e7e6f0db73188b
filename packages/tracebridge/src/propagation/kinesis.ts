import { context as otelContext, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { unwrapBinaryEnvelope, wrapBinaryEnvelope } from './binary-envelope.js';
import { warnOnce } from './diag.js';
import { ContextCarrier, contextFromTextMap } from './extracted.js';
import { contextTextMap, type InjectOptions } from './inject.js';
import { lazyPayload, type RecordInspection, recordContext, RecordSource } from './inspection.js';
import { readJsonPayload } from './json-context.js';
import { encodeUtf8, insertContextMember, utf8ByteLength } from './json-text.js';
import { MAX_KINESIS_RECORD_BYTES } from './limits.js';
import { copyWith, ownProperty, ownString, type TextMap } from './propagator.js';

/** The fields of a PutRecord input or a PutRecords entry that carry a context. */
export interface KinesisRecordInput {
  /** The SDK types it as bytes; a string is accepted too, as the SDK's serializer does. */
  Data?: Uint8Array | string | undefined;
  PartitionKey?: string | undefined;
}

/** Options of {@link injectKinesisRecord}. */
export interface KinesisInjectOptions extends InjectOptions {
  /**
   * Wrap data that is not a JSON object (binary, text, JSON arrays and scalars) in the
   * tracebridge binary envelope. Off by default: consumers without tracebridge would see the
   * frame. tracebridge consumers unwrap it whether or not they set this.
   */
  readonly binaryEnvelope?: boolean;
}

/**
 * Injects a context into Kinesis data within a size budget: returns the new data, or
 * `undefined` when the data is left as it is (not a JSON object and no envelope, or no room).
 */
function injectKinesisData(
  data: Uint8Array,
  textMap: TextMap,
  binaryEnvelope: boolean,
  maxDataBytes: number,
): Uint8Array | undefined {
  const injected =
    insertContextMember(data, JSON.stringify(textMap)) ??
    (binaryEnvelope ? wrapBinaryEnvelope(data, textMap) : undefined);
  if (!injected) return undefined;
  if (injected.length <= maxDataBytes) return injected;
  warnOnce(
    'kinesis-record-size',
    `a Kinesis record was too close to the ${MAX_KINESIS_RECORD_BYTES}-byte limit to carry the trace context; it was sent without it`,
  );
  return undefined;
}

/**
 * Returns a copy of a Kinesis record (PutRecord input or PutRecords entry) whose data carries
 * `context`. JSON object data gets an `_otel` member inserted textually right after its opening
 * brace, so a tracebridge consumer gets the producer's bytes back exactly; other data is left
 * untouched unless `binaryEnvelope` is set. Injection never pushes a record past 1 MiB (data
 * plus partition key); the input is never mutated; nothing here throws.
 *
 * @example
 * ```ts
 * import { PutRecordCommand } from '@aws-sdk/client-kinesis';
 * import { injectKinesisRecord } from 'tracebridge';
 *
 * const record = { StreamName, PartitionKey: orderId, Data: Buffer.from(JSON.stringify(order)) };
 * await kinesis.send(new PutRecordCommand(injectKinesisRecord(record)));
 * ```
 */
export function injectKinesisRecord<Record extends KinesisRecordInput>(
  record: Record,
  context: Context = otelContext.active(),
  options: KinesisInjectOptions = {},
): Record {
  return injectKinesisRecordWithin(record, context, options, MAX_KINESIS_RECORD_BYTES);
}

/** Size of a Kinesis record as the service counts it: data plus partition key. */
export function kinesisRecordByteLength(record: KinesisRecordInput): number {
  const data = record.Data ?? '';
  return (
    (typeof data === 'string' ? utf8ByteLength(data) : data.length) +
    utf8ByteLength(record.PartitionKey ?? '')
  );
}

/**
 * {@link injectKinesisRecord} within `maxRecordBytes` for the whole record: the producer gives each
 * record of a PutRecords call the room the records before it left in the request.
 */
export function injectKinesisRecordWithin<Record extends KinesisRecordInput>(
  record: Record,
  context: Context,
  options: KinesisInjectOptions,
  maxRecordBytes: number,
): Record {
  const textMap = contextTextMap(context, options.propagator);
  if (!textMap || record.Data === undefined) return record;
  const data = typeof record.Data === 'string' ? encodeUtf8(record.Data) : record.Data;
  const maxDataBytes = maxRecordBytes - utf8ByteLength(record.PartitionKey ?? '');
  const injected = injectKinesisData(data, textMap, options.binaryEnvelope ?? false, maxDataBytes);
  return injected ? copyWith(record, { Data: injected }) : record;
}

/**
 * Reads the context and payload of a Kinesis record: the binary envelope if the data starts with
 * one, else the `_otel`/`_datadog`/CloudEvents keys of JSON data.
 */
export function inspectKinesisRecord(
  record: unknown,
  propagator: TextMapPropagator,
): RecordInspection {
  const base64 = ownString(ownProperty(record, 'kinesis'), 'data') ?? '';
  const data = Buffer.from(base64, 'base64');
  const envelope = unwrapBinaryEnvelope(data);
  if (envelope) {
    const found = contextFromTextMap(envelope.carrier, propagator, ContextCarrier.BINARY_ENVELOPE);
    return {
      context: recordContext(found, RecordSource.KINESIS),
      payload: lazyPayload({ bytes: envelope.payload }),
    };
  }
  const reading = readJsonPayload(data, propagator);
  return {
    context: recordContext(reading.found, RecordSource.KINESIS),
    payload: lazyPayload({ bytes: reading.payload }),
  };
}
