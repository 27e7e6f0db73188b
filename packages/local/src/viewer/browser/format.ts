/// <reference lib="dom" />
// Formatting shared by the viewer's views: durations, one stable colour per service, short
// trace ids, and the label of a messaging hop (the hop itself comes with the trace detail).

import type { MessageHop } from '../../collector/messaging.js';
import { h } from './dom.js';

/**
 * A duration for people: microseconds under a millisecond, seconds from one second.
 *
 * @example
 * formatDuration(1084); // "1.08 s"
 */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * The first characters of a trace id, as the terminal shows them.
 *
 * @example
 * shortTraceId('6b051a5c7df46c2080b41d79e50f7e6a'); // "6b051a5c"
 */
export function shortTraceId(traceId: string): string {
  return traceId.slice(0, 8);
}

/**
 * A colour for a service, the same on every page and every run: a hue from its name.
 *
 * @example
 * chip.style.background = serviceColour('sqs-consumer');
 */
export function serviceColour(service: string): string {
  let hash = 0;
  for (const character of service) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) >>> 0;
  return `hsl(${hash % 360} 60% 45%)`;
}

/**
 * The line a hop gets in the waterfall and the span panel: the terminal's wording, the
 * viewer's durations.
 *
 * @example
 * hopLabel(span.hop); // "⇢ via queue OrdersQueue, waited 1.08 s"
 */
export function hopLabel(hop: MessageHop): string {
  const wait = hop.waitedMs === null ? '' : `, waited ${formatDuration(hop.waitedMs)}`;
  return `⇢ via ${hop.via}${wait}`;
}

/**
 * A service name on its colour, as every view shows services.
 *
 * @example
 * cell.append(serviceChip(span.service));
 */
export function serviceChip(service: string): HTMLElement {
  const chip = h('span', { class: 'service' }, service);
  // Through the CSSOM: the Content-Security-Policy refuses style attributes.
  chip.style.setProperty('--service-colour', serviceColour(service));
  return chip;
}
