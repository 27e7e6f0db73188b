import { MAX_MESSAGE_ATTRIBUTES } from 'tracebridge';

import { forward } from './front.js';
import type { Reply } from './front.js';
import { isRecord, parseJson } from '../json.js';
import {
  md5OfMessageAttributes,
  readJsonAttributes,
  selectAttributes,
} from './message-attributes.js';
import type { MessageAttributes } from './message-attributes.js';
import type { SqsCall } from './queue-urls.js';
import { takeEnvelopeTraceHeader } from './sns.js';
import type { SqsFront } from './sqs.js';
import { TRACE_HEADER_CARRIER } from './trace-header.js';

interface ReceiveRequest {
  /** The `MessageAttributeNames` selection (empty: none), or `undefined` for all of them. */
  readonly selection: readonly string[] | undefined;
  readonly wantsTraceHeader: boolean;
}

/**
 * ReceiveMessage: adds `Attributes.AWSTraceHeader` when the request asks for it
 * (`MessageSystemAttributeNames` or the legacy `AttributeNames` naming `All` or
 * `AWSTraceHeader`), takes the SNS trace carrier out of each message, and drops what SNS
 * would never have delivered.
 *
 * @example
 * ```ts
 * if (target === 'AmazonSQS.ReceiveMessage') return interceptReceiveMessage(front, call);
 * ```
 */
export async function interceptReceiveMessage(front: SqsFront, call: SqsCall): Promise<Reply> {
  const { request, input } = call;
  const requested = stringList(input.MessageAttributeNames);
  const systemNames = [
    ...stringList(input.AttributeNames),
    ...stringList(input.MessageSystemAttributeNames),
  ];
  const receive: ReceiveRequest = {
    // Asking for no names gets no message attributes, as on SQS: code that forgets
    // MessageAttributeNames must not find the trace context here and lose it on AWS.
    selection: requested.includes('All') || requested.includes('.*') ? undefined : requested,
    wantsTraceHeader: systemNames.includes('All') || systemNames.includes('AWSTraceHeader'),
  };

  // The front needs every attribute: their number decides whether a message is delivered
  // at all, and the trace carrier has to be seen to be taken out. It selects afterwards.
  const forwarded =
    receive.selection === undefined
      ? request
      : {
          ...request,
          body: Buffer.from(JSON.stringify({ ...input, MessageAttributeNames: ['All'] })),
        };
  const reply = await forward(front.upstream, forwarded);
  const output = reply.status === 200 ? parseJson(reply.body) : undefined;
  if (!isRecord(output) || !Array.isArray(output.Messages)) return reply;

  const delivered: Record<string, unknown>[] = [];
  for (const message of output.Messages.filter(isRecord)) {
    if (await settleMessage(front, call, receive, message)) delivered.push(message);
  }
  const messages = delivered.length > 0 ? delivered : undefined;
  return { ...reply, body: Buffer.from(JSON.stringify({ ...output, Messages: messages })) };
}

// Rewrites one received message in place; false when it must not be delivered.
async function settleMessage(
  front: SqsFront,
  call: SqsCall,
  receive: ReceiveRequest,
  message: Record<string, unknown>,
): Promise<boolean> {
  const attributes = readJsonAttributes(message.MessageAttributes);
  const carried = attributes.get(TRACE_HEADER_CARRIER)?.StringValue;
  attributes.delete(TRACE_HEADER_CARRIER);

  // SNS discards a message with more than ten attributes rather than deliver it raw to
  // SQS ("Amazon SNS message attributes",
  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html); fauxqs
  // delivers it. Only SNS can have queued one (the front refuses such sends), so the
  // front deletes it the first time it is received, before anyone sees it.
  if (attributes.size > MAX_MESSAGE_ATTRIBUTES) {
    await deleteMessage(front, call, message.ReceiptHandle);
    return false;
  }

  const wrapped = takeEnvelopeTraceHeader(message);
  if (carried !== undefined || receive.selection !== undefined) {
    const visible =
      receive.selection === undefined
        ? attributes
        : selectAttributes(attributes, receive.selection);
    setMessageAttributes(message, visible);
  }
  const remembered =
    typeof message.MessageId === 'string' ? front.traces.lookup(message.MessageId) : undefined;
  const traceHeader = remembered ?? carried ?? wrapped;
  if (receive.wantsTraceHeader && traceHeader !== undefined) {
    const system = isRecord(message.Attributes) ? message.Attributes : {};
    message.Attributes = { ...system, AWSTraceHeader: traceHeader };
  }
  return true;
}

function setMessageAttributes(
  message: Record<string, unknown>,
  attributes: MessageAttributes,
): void {
  const md5 = md5OfMessageAttributes(attributes);
  message.MessageAttributes = md5 === undefined ? undefined : Object.fromEntries(attributes);
  message.MD5OfMessageAttributes = md5;
}

// If the deletion fails, the message becomes visible again and is dropped on its next
// receive instead.
async function deleteMessage(
  front: SqsFront,
  { request, input }: SqsCall,
  receiptHandle: unknown,
): Promise<void> {
  await forward(front.upstream, {
    ...request,
    headers: { ...request.headers, 'x-amz-target': 'AmazonSQS.DeleteMessage' },
    body: Buffer.from(JSON.stringify({ QueueUrl: input.QueueUrl, ReceiptHandle: receiptHandle })),
  });
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}
