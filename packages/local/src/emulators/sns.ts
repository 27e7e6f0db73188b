import { createHash, randomUUID } from 'node:crypto';

import { MAX_SQS_SNS_MESSAGE_BYTES } from 'tracebridge';

import { forward } from './front.js';
import type { FrontRequest, Reply } from './front.js';
import { isRecord, parseJson } from '../json.js';
import { messageSize } from './message-attributes.js';
import type { MessageAttribute } from './message-attributes.js';
import type { SqsFront } from './sqs.js';
import { httpTraceHeader, TRACE_HEADER_CARRIER } from './trace-header.js';

/**
 * Largest message SNS accepts, body and attributes together: 256 KiB, a topic's default
 * `MaximumMessageSize` ("Publishing large messages with Amazon SNS",
 * https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html). fauxqs 1.9.2
 * counts the body only and has no such topic attribute. The same number bounds a whole
 * PublishBatch (SNS API Reference, PublishBatch).
 */
const SNS_MAX_MESSAGE_BYTES = MAX_SQS_SNS_MESSAGE_BYTES;

const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
// fauxqs writes SNS envelopes with JSON.stringify, so each starts exactly like this.
const ENVELOPE_START = '{"Type":"Notification"';
const BATCH_ENTRY = /^PublishBatchRequestEntries\.member\.(\d+)\./;
const ATTRIBUTE_NAME = /^MessageAttributes\.entry\.(\d+)\.Name$/;

/**
 * Publish and PublishBatch: rejects what SNS rejects and fauxqs accepts (a message whose
 * body and attributes together exceed 256 KiB), and hands the request's `X-Amzn-Trace-Id`
 * to the SQS messages SNS delivers, as SNS does in its default PassThrough tracing mode
 * ("Amazon SNS and AWS X-Ray",
 * https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sns.html): the header
 * rides through fauxqs as the {@link TRACE_HEADER_CARRIER} attribute. An 11th attribute is
 * not an error on Publish; see the SQS front's ReceiveMessage. Other SNS actions pass
 * through unchanged.
 *
 * @example
 * ```ts
 * if (contentType.includes('application/x-www-form-urlencoded')) return interceptPublish(front, request);
 * ```
 */
export async function interceptPublish(front: SqsFront, request: FrontRequest): Promise<Reply> {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const action = form.get('Action');
  if (action !== 'Publish' && action !== 'PublishBatch') return forward(front.upstream, request);

  const prefixes = action === 'Publish' ? [''] : batchEntryPrefixes(form);
  const size = prefixes.reduce(
    (sum, prefix) =>
      sum + messageSize(form.get(`${prefix}Message`) ?? '', readFormAttributes(form, prefix)),
    0,
  );
  if (size > SNS_MAX_MESSAGE_BYTES) {
    return action === 'Publish'
      ? snsErrorReply('InvalidParameter', 'Invalid parameter: Message too long')
      : // The API reference's description of the error; no captured response was found.
        snsErrorReply(
          'BatchRequestTooLong',
          'The length of all the batch messages put together is more than the limit.',
        );
  }

  const traceHeader = httpTraceHeader(request.headers);
  if (traceHeader === undefined) return forward(front.upstream, request);
  for (const prefix of prefixes) {
    addStringAttribute(form, prefix, TRACE_HEADER_CARRIER, traceHeader);
  }
  return forward(front.upstream, { ...request, body: Buffer.from(form.toString()) });
}

/**
 * Takes the trace carrier out of an SNS envelope (non-raw delivery) in a received SQS
 * message, fixing `Body` and `MD5OfBody`, and returns the trace header it carried.
 *
 * @example
 * ```ts
 * const traceHeader = takeEnvelopeTraceHeader(message);
 * ```
 */
export function takeEnvelopeTraceHeader(message: Record<string, unknown>): string | undefined {
  const body = message.Body;
  if (typeof body !== 'string' || !body.startsWith(ENVELOPE_START)) return undefined;
  if (!body.includes(TRACE_HEADER_CARRIER)) return undefined;
  const envelope = parseJson(body);
  if (!isRecord(envelope) || !isRecord(envelope.MessageAttributes)) return undefined;
  const carrier = envelope.MessageAttributes[TRACE_HEADER_CARRIER];
  if (!isRecord(carrier) || typeof carrier.Value !== 'string') return undefined;

  const userAttributes = Object.fromEntries(
    Object.entries(envelope.MessageAttributes).filter(([name]) => name !== TRACE_HEADER_CARRIER),
  );
  // Re-serialising fauxqs's own JSON.stringify output gives back the same text, minus the
  // carrier: the keys keep their order.
  const unwrapped = JSON.stringify({ ...envelope, MessageAttributes: userAttributes });
  message.Body = unwrapped;
  message.MD5OfBody = createHash('md5').update(unwrapped, 'utf8').digest('hex');
  return carrier.Value;
}

function batchEntryPrefixes(form: URLSearchParams): string[] {
  const indexes = new Set<string>();
  for (const key of form.keys()) {
    const index = BATCH_ENTRY.exec(key)?.[1];
    if (index !== undefined) indexes.add(index);
  }
  return [...indexes].map((index) => `PublishBatchRequestEntries.member.${index}.`);
}

function readFormAttributes(form: URLSearchParams, prefix: string): Map<string, MessageAttribute> {
  const attributes = new Map<string, MessageAttribute>();
  for (const [key, name] of form) {
    const index = key.startsWith(prefix)
      ? ATTRIBUTE_NAME.exec(key.slice(prefix.length))?.[1]
      : undefined;
    if (index === undefined) continue;
    const value = `${prefix}MessageAttributes.entry.${index}.Value.`;
    const stringValue = form.get(`${value}StringValue`);
    const binaryValue = form.get(`${value}BinaryValue`);
    attributes.set(name, {
      DataType: form.get(`${value}DataType`) ?? '',
      ...(stringValue === null ? {} : { StringValue: stringValue }),
      ...(binaryValue === null ? {} : { BinaryValue: binaryValue }),
    });
  }
  return attributes;
}

function addStringAttribute(
  form: URLSearchParams,
  prefix: string,
  name: string,
  value: string,
): void {
  let last = 0;
  for (const key of form.keys()) {
    const index = key.startsWith(prefix)
      ? ATTRIBUTE_NAME.exec(key.slice(prefix.length))?.[1]
      : undefined;
    if (index !== undefined) last = Math.max(last, Number(index));
  }
  const entry = `${prefix}MessageAttributes.entry.${last + 1}.`;
  form.set(`${entry}Name`, name);
  form.set(`${entry}Value.DataType`, 'String');
  form.set(`${entry}Value.StringValue`, value);
}

// The awsQuery error document SNS returns; SDK v3 maps `Code` to its exception class.
function snsErrorReply(code: string, message: string): Reply {
  const document =
    `<ErrorResponse xmlns="${SNS_XML_NAMESPACE}"><Error><Type>Sender</Type>` +
    `<Code>${code}</Code><Message>${message}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status: 400, headers: { 'content-type': 'text/xml' }, body: Buffer.from(document) };
}
