export { tracePropagation, type TracePropagationOptions } from './producer/middleware.js';
export {
  extractRecordContext,
  recordPayload,
  recordSourceOf,
  type ExtractOptions,
} from './propagation/record.js';
export {
  RecordSource,
  WrappedEvent,
  type RecordContext,
  type RecordPayload,
} from './propagation/inspection.js';
export { ContextCarrier, ContextFormat } from './propagation/extracted.js';
export { type InjectOptions } from './propagation/inject.js';
export { injectSqsMessage, type SqsMessageInput } from './propagation/sqs.js';
export { injectSnsMessage, type SnsMessageInput } from './propagation/sns.js';
export {
  injectKinesisRecord,
  type KinesisInjectOptions,
  type KinesisRecordInput,
} from './propagation/kinesis.js';
export { injectEventBridgeEntry, type EventBridgeEntryInput } from './propagation/eventbridge.js';
export { dynamoDbContextAttribute, type DynamoDbContextAttribute } from './propagation/dynamodb.js';
export { unwrapBinaryEnvelope, wrapBinaryEnvelope } from './propagation/binary-envelope.js';
export { formatXRayHeader, parseXRayHeader, XRayPropagator } from './propagation/xray.js';
export { parseDatadogHeaders } from './propagation/datadog.js';
export { W3CPropagator } from './propagation/w3c.js';
export type { SdkMessageAttribute } from './propagation/message-attributes.js';
export type { SdkMessageSystemAttribute } from './propagation/sqs.js';
export {
  MAX_EVENTBRIDGE_PUT_EVENTS_BYTES,
  MAX_KINESIS_PUT_RECORDS_BYTES,
  MAX_KINESIS_RECORD_BYTES,
  MAX_MESSAGE_ATTRIBUTES,
  MAX_SQS_SNS_MESSAGE_BYTES,
} from './propagation/limits.js';
export { tracedHandler, type AnyHandler, type TracedHandlerOptions } from './consumer/handler.js';
export {
  tracedRecordHandler,
  type BatchResponse,
  type RecordFunction,
  type TracedRecordHandlerOptions,
} from './consumer/records.js';
export {
  DEFAULT_FLUSH_MARGIN_MS,
  MAX_INVOCATION_LINKS,
  type InvocationOptions,
  type InvocationParent,
} from './consumer/invocation.js';
