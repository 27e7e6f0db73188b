/// <reference lib="dom" />
// The trace page: a waterfall (time axis, nesting, a colour per service, span kinds, the
// wait in a queue or stream drawn before the consumer's bar) beside the selected span's
// detail panel.

import type { TraceDetail, TraceSpan } from '../../collector/trace-view.js';
import { ApiCallError, getTrace } from './api.js';
import { h } from './dom.js';
import { formatDuration, hopLabel, serviceChip, serviceColour } from './format.js';
import { renderSpanDetail, spanHref } from './span-detail.js';

// Ticks on the time axis: every quarter of the trace.
const AXIS_TICKS = 4;
// Indent per nesting level, in pixels.
const INDENT_PX = 14;

/**
 * Shows trace `traceId` in `root`, with `spanId` selected when given.
 *
 * @example
 * await renderTracePage(app, traceId, spanId, controller.signal);
 */
export async function renderTracePage(
  root: HTMLElement,
  traceId: string,
  spanId: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  let detail: TraceDetail;
  try {
    detail = await getTrace(traceId, signal);
  } catch (error) {
    if (signal.aborted) return;
    const missing = error instanceof ApiCallError && error.status === 404;
    root.replaceChildren(
      h('h1', {}, 'Trace not available'),
      h(
        'p',
        { class: 'status' },
        missing
          ? `Trace ${traceId} is not in the collector (not received yet, or evicted).`
          : `Cannot load trace ${traceId}: ${error instanceof Error ? error.message : String(error)}`,
      ),
      h('p', {}, h('a', { href: '#/' }, '← all traces')),
    );
    return;
  }
  if (signal.aborted) return;
  const { summary } = detail;
  const selected =
    spanId === undefined ? undefined : detail.spans.find((span) => span.spanId === spanId);

  const panel = selected
    ? renderSpanDetail(selected, summary.startMs)
    : h(
        'div',
        { class: 'span-detail', id: 'span-detail' },
        h(
          'p',
          { class: 'note' },
          spanId === undefined
            ? 'Select a span to see its attributes, events and links.'
            : `Span ${spanId} is not in this trace (not received yet, or evicted).`,
        ),
      );
  const scale = (ms: number): number =>
    summary.durationMs > 0 ? ((ms - summary.startMs) / summary.durationMs) * 100 : 0;

  root.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← all traces')),
    h('h1', {}, summary.rootName),
    h(
      'p',
      { class: 'status', id: 'trace-summary' },
      `trace ${summary.traceId} · ${formatDuration(summary.durationMs)} · ${summary.spanCount} spans · `,
      ...summary.services.map(serviceChip),
    ),
    h(
      'div',
      { class: 'trace-layout' },
      h(
        'div',
        { class: 'waterfall', id: 'waterfall' },
        axis(summary.durationMs),
        ...detail.spans.map((span) => spanRow(span, span.spanId === selected?.spanId, scale)),
      ),
      panel,
    ),
  );
  root.querySelector('.row.selected')?.scrollIntoView({ block: 'nearest' });
}

function axis(durationMs: number): HTMLElement {
  const ticks = Array.from({ length: AXIS_TICKS + 1 }, (_, index) => {
    const tick = h('span', { class: 'tick' }, formatDuration((durationMs * index) / AXIS_TICKS));
    tick.style.left = `${(index / AXIS_TICKS) * 100}%`;
    return tick;
  });
  return h(
    'div',
    { class: 'row axis' },
    h('div', { class: 'label' }, 'span'),
    h('div', { class: 'track' }, ...ticks),
  );
}

function spanRow(span: TraceSpan, selected: boolean, scale: (ms: number) => number): HTMLElement {
  const colour = serviceColour(span.service);
  const failed = span.status.code === 'error';
  const { hop } = span;
  const hopText = hop === null ? '' : hopLabel(hop);
  const bar = h('div', {
    class: failed ? 'bar error' : 'bar',
    title: formatDuration(span.durationMs),
  });
  bar.style.left = `${scale(span.startMs)}%`;
  bar.style.width = `${Math.max(scale(span.endMs) - scale(span.startMs), 0)}%`;
  bar.style.background = colour;
  const track = h('div', { class: 'track' });
  if (hop !== null && hop.waitedMs !== null) {
    const wait = h('div', { class: 'wait', title: hopText });
    const from = Math.max(scale(span.startMs - hop.waitedMs), 0);
    wait.style.left = `${from}%`;
    wait.style.width = `${scale(span.startMs) - from}%`;
    track.append(wait);
  }
  if (hop !== null) {
    const note = h('span', { class: 'hop-note' }, hopText);
    note.style.left = `${Math.min(scale(span.startMs - (hop.waitedMs ?? 0)), 50)}%`;
    track.append(note);
  }
  track.append(bar, h('span', { class: 'duration' }, formatDuration(span.durationMs)));
  const label = h(
    'div',
    { class: 'label' },
    h('a', { href: spanHref(span.traceId, span.spanId), class: 'span-name' }, span.name),
    ' ',
    h('span', { class: 'kind' }, span.kind),
    ' ',
    h('span', { class: 'service-name' }, span.service),
    span.links.length + span.linkedFrom.length > 0
      ? h('span', { class: 'link-mark', title: 'has links' }, ' ⇄')
      : null,
    failed ? h('span', { class: 'error-mark' }, ' ✗') : null,
  );
  label.style.paddingLeft = `${span.depth * INDENT_PX + 4}px`;
  label.style.borderLeftColor = colour;
  const row = h(
    'div',
    {
      class: `row span${hop ? ' hop' : ''}${selected ? ' selected' : ''}`,
      'data-span-id': span.spanId,
      'data-service': span.service,
      'data-kind': span.kind,
    },
    label,
    track,
  );
  row.addEventListener('click', (event) => {
    if (!(event.target instanceof HTMLAnchorElement)) {
      window.location.hash = spanHref(span.traceId, span.spanId);
    }
  });
  return row;
}
