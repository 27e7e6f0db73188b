import type { IncomingHttpHeaders } from 'node:http';

import { isRecord } from '../json.js';

// Messages whose X-Ray trace header the SQS front remembers. fauxqs has nowhere to keep
// it, so the front keeps it by message id, oldest forgotten first: a few tens of MB at
// most for a local runtime that runs for days, and only a message left unread behind
// 100,000 newer traced ones loses its header.
const MAX_REMEMBERED_TRACE_HEADERS = 100_000;

/**
 * The message attribute that carries a Publish request's trace header through fauxqs to
 * the SQS messages SNS delivers, raw or wrapped, where the front takes it out again.
 * Real SQS and SNS reserve the `AWS.` prefix, so no valid user attribute can collide.
 */
export const TRACE_HEADER_CARRIER = 'AWS.tracebridge.AWSTraceHeader';

/** Trace headers by SQS message id. */
export interface TraceHeaderStore {
  remember(messageId: string, traceHeader: string): void;
  lookup(messageId: string): string | undefined;
}

/**
 * A store bounded by {@link MAX_REMEMBERED_TRACE_HEADERS}. The first header remembered for
 * an id stays: a FIFO queue answers a deduplicated send with the original message's id.
 *
 * @example
 * ```ts
 * const traces = createTraceHeaderStore();
 * traces.remember('3f1c…', 'Root=1-…;Parent=…;Sampled=1');
 * ```
 */
export function createTraceHeaderStore(): TraceHeaderStore {
  const headers = new Map<string, string>();
  return {
    remember(messageId, traceHeader) {
      if (headers.has(messageId)) return;
      headers.set(messageId, traceHeader);
      if (headers.size > MAX_REMEMBERED_TRACE_HEADERS) {
        const oldest = headers.keys().next();
        if (oldest.done !== true) headers.delete(oldest.value);
      }
    },
    lookup(messageId) {
      return headers.get(messageId);
    },
  };
}

/**
 * The request's `X-Amzn-Trace-Id` header, which the AWS SDK sets from Lambda's
 * `_X_AMZN_TRACE_ID`.
 *
 * @example
 * ```ts
 * httpTraceHeader({ 'x-amzn-trace-id': 'Root=1-…' }); // 'Root=1-…'
 * ```
 */
export function httpTraceHeader(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-amzn-trace-id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The trace header SQS stores with a sent message. The `AWSTraceHeader` message system
 * attribute wins over the HTTP header: "When both header instrumentations are set, the
 * message system attribute overrides the HTTP trace header" (AWS X-Ray Developer Guide,
 * "Amazon SQS and AWS X-Ray",
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sqs.html).
 *
 * @example
 * ```ts
 * sentTraceHeader(entry.MessageSystemAttributes, httpTraceHeader(request.headers));
 * ```
 */
export function sentTraceHeader(
  messageSystemAttributes: unknown,
  httpHeader: string | undefined,
): string | undefined {
  const attribute = isRecord(messageSystemAttributes)
    ? messageSystemAttributes.AWSTraceHeader
    : undefined;
  const value = isRecord(attribute) ? attribute.StringValue : undefined;
  return typeof value === 'string' && value !== '' ? value : httpHeader;
}
