/** Message attributes allowed per message: SQS and SNS quota ("up to 10 metadata attributes"). */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/**
 * Largest SQS or SNS message, body plus attribute names, types and values: 256 KiB.
 * SQS raised its own ceiling to 1 MiB in 2025, but 256 KiB is still the SNS limit and the
 * limit of every queue whose `MaximumMessageSize` was not raised, so injection respects it.
 */
export const MAX_SQS_SNS_MESSAGE_BYTES = 262_144;

/** Largest Kinesis record, data plus partition key: 1 MiB (Kinesis Data Streams quota). */
export const MAX_KINESIS_RECORD_BYTES = 1_048_576;

/** Largest PutRecords request, all data and partition keys together: 5 MiB (Kinesis quota). */
export const MAX_KINESIS_PUT_RECORDS_BYTES = 5_242_880;

/** Largest PutEvents request, entry sizes summed as EventBridge computes them: 256 KiB. */
export const MAX_EVENTBRIDGE_PUT_EVENTS_BYTES = 262_144;

/** Size EventBridge charges for an entry's `Time` field when it is set (EventBridge docs). */
export const EVENTBRIDGE_TIME_FIELD_BYTES = 14;

/**
 * Largest `_otel` member read back from a payload. traceparent (55) + tracestate (512, W3C)
 * + baggage (8,192, W3C) and JSON punctuation fit well inside; anything larger is not ours.
 */
export const MAX_CONTEXT_MEMBER_BYTES = 16_384;

/** Largest binary envelope header read back; same reasoning as {@link MAX_CONTEXT_MEMBER_BYTES}. */
export const MAX_BINARY_ENVELOPE_HEADER_BYTES = MAX_CONTEXT_MEMBER_BYTES;
