import type { Context, TextMapPropagator } from '@opentelemetry/api';
import type { InjectOptions } from '../propagation/inject.js';
import { MAX_SQS_SNS_MESSAGE_BYTES } from '../propagation/limits.js';
import {
  attributesByteLength,
  messageByteLength,
  type SdkMessageAttribute,
} from '../propagation/message-attributes.js';
import { injectWithinRequest } from './command.js';

type MessageEntry = Record<string, unknown> & {
  MessageAttributes?: Record<string, SdkMessageAttribute> | undefined;
};

/**
 * Injects every entry of an SQS SendMessageBatch or SNS PublishBatch within the batch's limit:
 * SQS and SNS cap the whole request at the message size limit too (`BatchRequestTooLong`), so
 * each entry may only grow into the room the entries before it left.
 */
export function injectMessageBatch(
  entries: readonly MessageEntry[],
  bodyField: 'MessageBody' | 'Message',
  contexts: readonly Context[],
  options: InjectOptions,
  inject: (
    entry: MessageEntry,
    context: Context,
    propagator: TextMapPropagator | undefined,
    maxMessageBytes: number,
    messageBytes: number,
  ) => MessageEntry,
): MessageEntry[] {
  const limit = options.maxMessageBytes ?? MAX_SQS_SNS_MESSAGE_BYTES;
  return injectWithinRequest(
    entries,
    { maxRequestBytes: limit, maxEntryBytes: limit },
    (entry) => {
      const body = entry[bodyField];
      return messageByteLength(
        typeof body === 'string' ? body : undefined,
        entry.MessageAttributes,
      );
    },
    (entry, index, maxMessageBytes, messageBytes) => {
      const context = contexts[index];
      return context
        ? inject(entry, context, options.propagator, maxMessageBytes, messageBytes)
        : entry;
    },
    // Injection adds attributes and leaves the body alone, so only the attributes are measured
    // again: a body may be up to 256 KiB (1 MiB) of text.
    (entry, injected) =>
      attributesByteLength(injected.MessageAttributes) -
      attributesByteLength(entry.MessageAttributes),
  );
}
