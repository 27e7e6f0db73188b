import type { Context } from '@opentelemetry/api';
import { MAX_SQS_SNS_MESSAGE_BYTES } from '../propagation/limits.js';
import { messageByteLength, type SdkMessageAttribute } from '../propagation/message-attributes.js';
import type { InjectOptions } from '../propagation/sqs.js';

type MessageEntry = Record<string, unknown> & {
  MessageAttributes?: Record<string, SdkMessageAttribute> | undefined;
};

/**
 * Injects every entry of an SQS SendMessageBatch or SNS PublishBatch within the batch's limit:
 * SQS and SNS cap the whole request at the message size limit too (`BatchRequestTooLong`), so
 * each entry may only grow into the room the entries before it left.
 */
export function injectMessageBatch(
  entries: readonly Record<string, unknown>[],
  bodyField: 'MessageBody' | 'Message',
  contexts: readonly Context[],
  options: InjectOptions,
  inject: (
    entry: MessageEntry,
    context: Context,
    options: InjectOptions,
  ) => Record<string, unknown>,
): Record<string, unknown>[] {
  const limit = options.maxMessageBytes ?? MAX_SQS_SNS_MESSAGE_BYTES;
  const sizeOf = (entry: MessageEntry) => {
    const body = entry[bodyField];
    return messageByteLength(typeof body === 'string' ? body : undefined, entry.MessageAttributes);
  };
  let batchBytes = entries.reduce((sum, entry) => sum + sizeOf(entry), 0);
  return entries.map((entry, index) => {
    const context = contexts[index];
    if (!context) return entry;
    const entryBytes = sizeOf(entry);
    const room = Math.max(limit - batchBytes, 0);
    const injected = inject(entry, context, {
      ...options,
      maxMessageBytes: Math.min(limit, entryBytes + room),
    }) as MessageEntry;
    batchBytes += sizeOf(injected) - entryBytes;
    return injected;
  });
}
