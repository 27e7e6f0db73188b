/// <reference lib="dom" />
// The trace list: newest traces first, refreshed every two seconds so traces appear while
// the demo runs, with one filter box over service, span name and trace id.

import type { TraceSummary } from '../../collector/trace-view.js';
import { listTraces } from './api.js';
import { h } from './dom.js';
import { formatDuration, serviceChip } from './format.js';

// Live enough to watch a demo run, rare enough to cost nothing.
export const REFRESH_MS = 2_000;
// Traces fetched per refresh: a screenful many times over.
const LIST_LIMIT = 200;
// The API refuses longer filters (MAX_FILTER_CHARS).
const MAX_FILTER_CHARS = 256;

/**
 * Shows the trace list in `root` until `signal` aborts.
 *
 * @example
 * renderTraceList(document.getElementById('app')!, controller.signal);
 */
export function renderTraceList(root: HTMLElement, signal: AbortSignal): void {
  const filter = h('input', {
    type: 'search',
    id: 'trace-filter',
    placeholder: 'Filter by service, span name or trace id',
    maxlength: MAX_FILTER_CHARS,
    'aria-label': 'Filter traces',
  });
  const status = h('p', { class: 'status', id: 'trace-count' }, 'Loading…');
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'traces', id: 'trace-list' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['', 'Root', 'Start', 'Duration', 'Spans', 'Services'].map((title) =>
          h('th', {}, title),
        ),
      ),
    ),
    body,
  );
  root.replaceChildren(h('h1', {}, 'Traces'), filter, status, table);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = async (): Promise<void> => {
    clearTimeout(timer);
    const text = filter.value.trim();
    try {
      const [all, byName] = await Promise.all([
        listTraces({ limit: LIST_LIMIT }, signal),
        text === '' ? undefined : listTraces({ limit: LIST_LIMIT, name: text }, signal),
      ]);
      const named = new Set(byName?.traces.map((trace) => trace.traceId));
      const shown = all.traces.filter(
        (trace) => named.has(trace.traceId) || matches(trace, text.toLowerCase()),
      );
      body.replaceChildren(...shown.map(traceRow));
      status.textContent = `${shown.length} of ${all.matched} traces${text === '' ? '' : ` matching “${text}”`}`;
    } catch (error) {
      if (signal.aborted) return;
      status.textContent = `Cannot load traces: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (!signal.aborted) timer = setTimeout(() => void refresh(), REFRESH_MS);
  };
  filter.addEventListener('input', () => void refresh());
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
  });
  void refresh();
}

/** Whether the summary's services, root span name or trace id match the filter text. */
function matches(trace: TraceSummary, needle: string): boolean {
  return (
    needle === '' ||
    trace.traceId.startsWith(needle) ||
    trace.rootName.toLowerCase().includes(needle) ||
    trace.services.some((service) => service.toLowerCase().includes(needle))
  );
}

function traceRow(trace: TraceSummary): HTMLTableRowElement {
  const href = `#/trace/${trace.traceId}`;
  const row = h(
    'tr',
    { 'data-trace-id': trace.traceId, class: trace.hasError ? 'error' : '' },
    h(
      'td',
      { class: 'mark' },
      trace.hasError
        ? h('span', { class: 'error-mark', title: `${trace.errorCount} error(s)` }, '✗')
        : '',
    ),
    h(
      'td',
      {},
      serviceChip(trace.rootService),
      ' ',
      h('a', { href, class: 'trace-link' }, trace.rootName),
      trace.hasRoot ? '' : h('span', { class: 'note' }, ' (root not received)'),
    ),
    h('td', {}, new Date(trace.startMs).toLocaleTimeString()),
    h('td', { class: 'number' }, formatDuration(trace.durationMs)),
    h('td', { class: 'number' }, trace.spanCount),
    h('td', {}, ...trace.services.map(serviceChip)),
  );
  row.addEventListener('click', (event) => {
    if (!(event.target instanceof HTMLAnchorElement)) window.location.hash = href;
  });
  return row;
}
