/**
 * Largest event Lambda passes to a synchronous invocation, which is how event source
 * mappings invoke: 6 MB ("Lambda quotas", invocation payload,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). A batch stops
 * growing before it would exceed it, whatever its batch size.
 */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Largest batching window of an event source mapping, in seconds (CreateEventSourceMapping). */
export const MAX_BATCHING_WINDOW_SECONDS = 300;

/** Largest batch of an SQS standard queue or Kinesis stream mapping (CreateEventSourceMapping). */
export const MAX_BATCH_SIZE = 10_000;

/** Largest batch of an SQS FIFO queue mapping (CreateEventSourceMapping, BatchSize). */
export const MAX_FIFO_BATCH_SIZE = 10;

/**
 * Largest batch an SQS mapping may use without a batching window: above it, Lambda requires
 * `MaximumBatchingWindowInSeconds` of at least 1 (CreateEventSourceMapping).
 */
export const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;

/** Largest `MaximumRetryAttempts` of a stream mapping; -1 retries until expiry (CreateEventSourceMapping). */
export const MAX_STREAM_RETRY_ATTEMPTS = 10_000;

// The bytes `{"Records":[` and `]}` add around the records, and the comma between two.
const EVENT_ENVELOPE_BYTES = 14;
const RECORD_SEPARATOR_BYTES = 1;

/**
 * Splits records gathered for one invocation where the event would outgrow `limitBytes`.
 * The first record is always taken: a single SQS message or Kinesis record is far below
 * the limit, and a batch must make progress.
 *
 * @example
 * ```ts
 * const { taken, rest } = takeWithinPayload(records, (record) => jsonBytes(record));
 * ```
 */
export function takeWithinPayload<T>(
  records: readonly T[],
  sizeOf: (record: T) => number,
  limitBytes: number = MAX_SYNC_PAYLOAD_BYTES,
): { readonly taken: T[]; readonly rest: T[] } {
  let total = EVENT_ENVELOPE_BYTES;
  let count = 0;
  for (const record of records) {
    total += sizeOf(record) + (count === 0 ? 0 : RECORD_SEPARATOR_BYTES);
    if (count > 0 && total > limitBytes) break;
    count += 1;
  }
  return { taken: records.slice(0, count), rest: records.slice(count) };
}

/**
 * The size of a value once serialised as JSON, in bytes: what it adds to an event.
 *
 * @example
 * ```ts
 * jsonBytes({ body: 'é' }); // 13
 * ```
 */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
