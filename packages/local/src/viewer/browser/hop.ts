// The queue or stream hop a consumer span crossed, as the terminal renderer finds it: the
// span names a destination and a messaging system, and its parent is in another service.

import type { TraceSpan } from '../../collector/trace-view.js';
import {
  DESTINATION_ATTRIBUTE,
  formatDuration,
  hopName,
  SYSTEM_ATTRIBUTE,
  WAIT_ATTRIBUTE,
} from './format.js';

export interface Hop {
  /** "queue OrdersQueue", "stream OrdersStream". */
  readonly via: string;
  /** Milliseconds the message waited, when the consumer recorded it. */
  readonly waitedMs: number | undefined;
  /** "⇢ via queue OrdersQueue, waited 1.08 s", as the terminal prints it. */
  readonly label: string;
}

/**
 * The hop `span` crossed from `parent`, or undefined when it crossed none.
 *
 * @example
 * const hop = hopOf(consumerSpan, sendSpan);
 * if (hop?.waitedMs !== undefined) drawWait(hop.waitedMs);
 */
export function hopOf(span: TraceSpan, parent: TraceSpan | undefined): Hop | undefined {
  const destination = span.attributes[DESTINATION_ATTRIBUTE];
  const system = span.attributes[SYSTEM_ATTRIBUTE];
  const waited = span.attributes[WAIT_ATTRIBUTE];
  if (typeof destination !== 'string' || typeof system !== 'string') return undefined;
  if (parent === undefined || parent.service === span.service) return undefined;
  const via = `${hopName(system)} ${destination}`;
  const waitedMs = typeof waited === 'number' ? waited : undefined;
  const wait = waitedMs === undefined ? '' : `, waited ${formatDuration(waitedMs)}`;
  return { via, waitedMs, label: `⇢ via ${via}${wait}` };
}
