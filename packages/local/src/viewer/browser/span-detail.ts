/// <reference lib="dom" />
// The detail panel of the selected span: what it is, its status, the hop it crossed, its
// links in both directions (each one click from the span it names, in whatever trace), its
// attributes, resource and events.

import { attributeText, type JsonValue } from '../../collector/span-model.js';
import type { TraceSpan } from '../../collector/trace-view.js';
import { h } from './dom.js';
import { formatDuration, hopLabel, serviceChip, shortTraceId } from './format.js';

/** The viewer's address of a span, in its trace's page. */
export function spanHref(traceId: string, spanId: string): string {
  return `#/trace/${traceId}/span/${spanId}`;
}

function attributeTable(attributes: Readonly<Record<string, JsonValue>>): HTMLElement {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return h('p', { class: 'note' }, 'none');
  return h(
    'table',
    { class: 'attributes' },
    h(
      'tbody',
      {},
      ...entries.map(([key, value]) =>
        h('tr', {}, h('th', {}, key), h('td', { class: 'value' }, attributeText(value))),
      ),
    ),
  );
}

function section(title: string, ...content: HTMLElement[]): HTMLElement {
  return h('section', {}, h('h3', {}, title), ...content);
}

function linkList(items: readonly { href: string; text: string; note: string }[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'note' }, 'none');
  return h(
    'ul',
    { class: 'links' },
    ...items.map((item) =>
      h('li', {}, h('a', { href: item.href }, item.text), h('span', { class: 'note' }, item.note)),
    ),
  );
}

/**
 * Builds the detail panel of `span`, with `traceStartMs` for offsets.
 *
 * @example
 * panel.replaceChildren(renderSpanDetail(span, detail.summary.startMs));
 */
export function renderSpanDetail(span: TraceSpan, traceStartMs: number): HTMLElement {
  const failed = span.status.code === 'error';
  const linksTo = span.links.map((link) => ({
    href: spanHref(link.traceId, link.spanId),
    text: link.target ? `${link.target.name} (${link.target.service})` : `span ${link.spanId}`,
    note: ` in trace ${shortTraceId(link.traceId)}${link.spanInStore ? '' : ', not received'}`,
  }));
  const linkedFrom = span.linkedFrom.map((incoming) => ({
    href: spanHref(incoming.traceId, incoming.spanId),
    text: `${incoming.name} (${incoming.service})`,
    note: ` in trace ${shortTraceId(incoming.traceId)}`,
  }));
  return h(
    'div',
    { class: 'span-detail', id: 'span-detail', 'data-span-id': span.spanId },
    h('h2', {}, span.name),
    h(
      'p',
      {},
      serviceChip(span.service),
      ' ',
      h('span', { class: 'kind' }, span.kind),
      ` ${formatDuration(span.durationMs)}, at +${formatDuration(span.startMs - traceStartMs)}`,
    ),
    h(
      'p',
      { class: failed ? 'status error' : 'status' },
      `status ${span.status.code}${span.status.message === '' ? '' : `: ${span.status.message}`}`,
    ),
    span.hop === null ? null : h('p', { class: 'hop' }, hopLabel(span.hop)),
    section('Links to', linkList(linksTo)),
    section('Linked from', linkList(linkedFrom)),
    section('Attributes', attributeTable(span.attributes)),
    section('Resource', attributeTable(span.resource.attributes)),
    section(
      'Events',
      span.events.length === 0
        ? h('p', { class: 'note' }, 'none')
        : h(
            'ul',
            { class: 'events' },
            ...span.events.map((event) =>
              h(
                'li',
                { class: event.name === 'exception' ? 'exception' : '' },
                h('strong', {}, event.name),
                ` at +${formatDuration(event.timeMs - traceStartMs)}`,
                attributeTable(event.attributes),
              ),
            ),
          ),
    ),
    section(
      'Ids',
      attributeTable({
        trace: span.traceId,
        span: span.spanId,
        parent: span.parentSpanId ?? '(root)',
        scope: `${span.scope.name} ${span.scope.version}`.trim(),
      }),
    ),
  );
}
