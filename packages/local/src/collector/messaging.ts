// The messaging facts the read side derives from span attributes, in one place: the
// attributes tracebridge's producer and consumer spans carry (messaging semantic
// conventions, plus tracebridge's own wait time) and the queue or stream hop a consumer
// span crossed. The trace detail carries the hop, so the terminal and the viewer only word it.

import type { StoredSpan } from './span-model.js';

export const SYSTEM_ATTRIBUTE = 'messaging.system';
export const DESTINATION_ATTRIBUTE = 'messaging.destination.name';
/** Set by tracebridge's consumers: how long the message waited in its queue or stream. */
export const WAIT_ATTRIBUTE = 'tracebridge.message.wait_ms';

/** Messaging systems by `messaging.system`, as a person calls them (a Map: no `constructor`). */
const HOP_NAMES: ReadonlyMap<string, string> = new Map([
  ['aws_sqs', 'queue'],
  ['aws.sns', 'topic'],
  ['aws.kinesis', 'stream'],
  ['aws.eventbridge', 'bus'],
  ['aws.dynamodb', 'table stream'],
]);

/** The queue, topic or stream a consumer span's message came through. */
export interface MessageHop {
  /** `messaging.system`, e.g. `aws_sqs`. */
  readonly system: string;
  /** `messaging.destination.name`, e.g. `OrdersQueue`. */
  readonly destination: string;
  /** The system as a person names it, then the destination: `queue OrdersQueue`. */
  readonly via: string;
  /** Milliseconds the message waited, when the consumer recorded it. */
  readonly waitedMs: number | null;
}

/**
 * The hop `span` crossed from `parent`: the span names a destination and a messaging
 * system, and its parent is in another service. `null` when it crossed none.
 *
 * @example
 * const hop = messageHop(consumerSpan, spans.get(consumerSpan.parentSpanId ?? ''));
 * if (hop) console.log(`via ${hop.via}`);
 */
export function messageHop(span: StoredSpan, parent: StoredSpan | undefined): MessageHop | null {
  const destination = span.attributes[DESTINATION_ATTRIBUTE];
  const system = span.attributes[SYSTEM_ATTRIBUTE];
  if (typeof destination !== 'string' || typeof system !== 'string') return null;
  if (parent === undefined || parent.service === span.service) return null;
  const waited = span.attributes[WAIT_ATTRIBUTE];
  return {
    system,
    destination,
    via: `${HOP_NAMES.get(system) ?? system} ${destination}`,
    waitedMs: typeof waited === 'number' ? waited : null,
  };
}
