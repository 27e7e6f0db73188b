import { isRecord } from '../json.js';

/** What a function's response says about a batch, with `ReportBatchItemFailures` on. */
export type BatchOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<string> }
  | { readonly kind: 'failure'; readonly reason: string };

/**
 * Reads a partial batch response (`{ batchItemFailures: [{ itemIdentifier }] }`) the way
 * Lambda does, for SQS (message ids) and Kinesis (sequence numbers) alike.
 *
 * A complete success: no response, `null`, an object without `batchItemFailures`, or an
 * empty or null list. A complete failure: anything that is not an object, a list that is
 * not an array, or an entry whose `itemIdentifier` is missing (a bad key name), null,
 * empty, or names no record of the batch. Sources: "Handling errors for an SQS event
 * source in Lambda", success and failure conditions,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html, and
 * "Configuring partial batch response with Kinesis Data Streams and Lambda",
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html.
 * The Kinesis page does not list an unknown sequence number; it fails the batch here too,
 * as it does for SQS, rather than let a typo lose records.
 *
 * @example
 * ```ts
 * const outcome = readBatchResponse(result.payload, new Set(messages.map((m) => m.MessageId)));
 * if (outcome.kind === 'partial') keep(outcome.failed);
 * ```
 */
export function readBatchResponse(
  payload: unknown,
  identifiers: ReadonlySet<string>,
): BatchOutcome {
  if (payload === undefined || payload === null) return { kind: 'success' };
  if (!isRecord(payload)) {
    return { kind: 'failure', reason: 'the response is not a JSON object' };
  }
  const list = payload.batchItemFailures;
  if (list === undefined || list === null) return { kind: 'success' };
  if (!Array.isArray(list)) {
    return { kind: 'failure', reason: 'batchItemFailures is not an array' };
  }
  if (list.length === 0) return { kind: 'success' };

  const failed = new Set<string>();
  for (const entry of list as unknown[]) {
    const identifier = isRecord(entry) ? entry.itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return {
        kind: 'failure',
        reason: 'a batchItemFailures entry has no itemIdentifier string',
      };
    }
    if (!identifiers.has(identifier)) {
      return {
        kind: 'failure',
        reason: `itemIdentifier ${JSON.stringify(identifier)} names no record of the batch`,
      };
    }
    failed.add(identifier);
  }
  return { kind: 'partial', failed };
}
