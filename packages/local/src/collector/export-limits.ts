// How much one export may hold once decoded, for both wire formats. The body limit bounds the
// bytes, not what they decode to: an empty span is two bytes of protobuf (`12 00`) or three of
// JSON (`{},`) but a few hundred bytes of objects, so a 16 MiB body of them decoded to some
// 6 GB and ended the collector with an out-of-memory crash.

// One message per span, attribute, attribute value, event and link (plus a few per resource
// and scope): a BatchSpanProcessor export of 512 spans with 20 attributes each is about
// 21,000, so this leaves room for tenfold batches of fat spans, and bounds what a hostile
// body can make the collector allocate to about 200 MB (measured with empty and minimal spans).
export const MAX_MESSAGES_PER_EXPORT = 200_000;

/**
 * Thrown by the decoders for an export of more than {@link MAX_MESSAGES_PER_EXPORT} nested
 * messages; the receiver answers it 413, like a body over the byte limit.
 *
 * @example
 * ```ts
 * try {
 *   decodeExportTraceServiceRequest(body);
 * } catch (error) {
 *   if (error instanceof ExportTooLargeError) console.error(error.message);
 * }
 * ```
 */
export class ExportTooLargeError extends Error {
  override readonly name = 'ExportTooLargeError';
}

/**
 * Counts the nested messages of one export as a decoder meets them.
 *
 * @example
 * const budget = messageBudget();
 * for (const span of spans) budget.spend(1);
 */
export function messageBudget(): { spend(count: number): void } {
  let left = MAX_MESSAGES_PER_EXPORT;
  return {
    spend(count) {
      left -= count;
      if (left < 0) {
        throw new ExportTooLargeError(
          `the export holds more than ${MAX_MESSAGES_PER_EXPORT} spans, attributes, events, links and values (MAX_MESSAGES_PER_EXPORT): export fewer spans per request`,
        );
      }
    },
  };
}
