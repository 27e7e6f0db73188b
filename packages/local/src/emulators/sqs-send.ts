import { MAX_MESSAGE_ATTRIBUTES } from 'tracebridge';

import { forward } from './front.js';
import type { FrontRequest, Reply } from './front.js';
import { isRecord, parseJson } from '../json.js';
import { messageSize, readJsonAttributes } from './message-attributes.js';
import type { SqsCall } from './queue-urls.js';
import {
  batchFailure,
  batchTooLong,
  messageTooLong,
  sqsErrorReply,
  sqsJsonReply,
  tooManyAttributes,
} from './sqs-errors.js';
import type { BatchFailure, SqsError } from './sqs-errors.js';
import type { SqsFront } from './sqs.js';
import { httpTraceHeader, sentTraceHeader } from './trace-header.js';

/**
 * SendMessage: rejects what SQS rejects and fauxqs accepts (an 11th attribute, a message
 * over the size limit), then remembers the message's trace header under the id fauxqs
 * gives it.
 *
 * @example
 * ```ts
 * if (target === 'AmazonSQS.SendMessage') return interceptSendMessage(front, call);
 * ```
 */
export async function interceptSendMessage(front: SqsFront, call: SqsCall): Promise<Reply> {
  const { request, input } = call;
  const error = messageError(input, front.maxMessageBytes);
  if (error !== undefined) return sqsErrorReply(error);

  const reply = await forward(front.upstream, request);
  const traceHeader = sentTraceHeader(
    input.MessageSystemAttributes,
    httpTraceHeader(request.headers),
  );
  const output = reply.status === 200 ? parseJson(reply.body) : undefined;
  if (traceHeader !== undefined && isRecord(output) && typeof output.MessageId === 'string') {
    front.traces.remember(output.MessageId, traceHeader);
  }
  return reply;
}

/**
 * SendMessageBatch: a batch whose messages together exceed the size limit fails as a
 * whole (`BatchRequestTooLong`); an entry with more than ten attributes fails alone, in
 * `Failed`, while the others are sent, as SQS reports attribute errors per entry (a
 * capture from real SQS is in boto/boto#3335). Each sent entry's trace header is
 * remembered: its own `AWSTraceHeader`, else the request's `X-Amzn-Trace-Id`.
 *
 * @example
 * ```ts
 * if (target === 'AmazonSQS.SendMessageBatch') return interceptSendMessageBatch(front, call);
 * ```
 */
export async function interceptSendMessageBatch(front: SqsFront, call: SqsCall): Promise<Reply> {
  const { request, input } = call;
  if (!Array.isArray(input.Entries)) return forward(front.upstream, request);
  const entries = input.Entries.filter(isRecord);

  const batchSize = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
  if (batchSize > front.maxMessageBytes) {
    return sqsErrorReply(batchTooLong(front.maxMessageBytes, batchSize));
  }
  const failed: BatchFailure[] = [];
  const accepted = entries.filter((entry) => {
    const count = readJsonAttributes(entry.MessageAttributes).size;
    if (count <= MAX_MESSAGE_ATTRIBUTES) return true;
    failed.push(batchFailure(String(entry.Id), tooManyAttributes(count)));
    return false;
  });
  if (accepted.length === 0) return sqsJsonReply(200, { Successful: [], Failed: failed });

  const forwarded =
    failed.length === 0
      ? request
      : { ...request, body: Buffer.from(JSON.stringify({ ...input, Entries: accepted })) };
  const reply = await forward(front.upstream, forwarded);
  const output = reply.status === 200 ? parseJson(reply.body) : undefined;
  if (!isRecord(output)) return reply;

  rememberBatchTraceHeaders(front, request, accepted, output.Successful);
  if (failed.length === 0) return reply;
  const upstreamFailed = Array.isArray(output.Failed) ? output.Failed.filter(isRecord) : [];
  return {
    ...reply,
    body: Buffer.from(JSON.stringify({ ...output, Failed: [...upstreamFailed, ...failed] })),
  };
}

function rememberBatchTraceHeaders(
  front: SqsFront,
  request: FrontRequest,
  entries: readonly Record<string, unknown>[],
  successful: unknown,
): void {
  if (!Array.isArray(successful)) return;
  const httpHeader = httpTraceHeader(request.headers);
  for (const result of successful) {
    if (!isRecord(result) || typeof result.MessageId !== 'string') continue;
    const entry = entries.find((candidate) => candidate.Id === result.Id);
    const traceHeader = sentTraceHeader(entry?.MessageSystemAttributes, httpHeader);
    if (traceHeader !== undefined) front.traces.remember(result.MessageId, traceHeader);
  }
}

function messageError(message: Record<string, unknown>, limit: number): SqsError | undefined {
  const count = readJsonAttributes(message.MessageAttributes).size;
  if (count > MAX_MESSAGE_ATTRIBUTES) return tooManyAttributes(count);
  return entrySize(message) > limit ? messageTooLong(limit) : undefined;
}

function entrySize(message: Record<string, unknown>): number {
  const body = typeof message.MessageBody === 'string' ? message.MessageBody : '';
  return messageSize(body, readJsonAttributes(message.MessageAttributes));
}
