/// <reference lib="dom" />
// The trace list: newest traces first, refreshed every two seconds so traces appear while
// the demo runs, with one filter box over service, span name and trace id, and one over span
// attributes (`order.id=order-0002`, or a value alone).

import { MAX_FILTER_CHARS } from '../../collector/api.js';
import type { TraceSummary } from '../../collector/trace-view.js';
import { ApiCallError, listTraces } from './api.js';
import { h } from './dom.js';
import { formatDuration, serviceChip } from './format.js';

// Live enough to watch a demo run, rare enough to cost nothing.
const REFRESH_MS = 2_000;
// Traces fetched per refresh: a screenful many times over.
const LIST_LIMIT = 200;

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
  const attributeFilter = h('input', {
    type: 'search',
    id: 'attribute-filter',
    placeholder: 'Attribute: order.id=order-0002, or a value',
    title:
      'key=value matches that attribute exactly; a value alone matches any attribute containing it',
    maxlength: MAX_FILTER_CHARS,
    'aria-label': 'Filter traces by attribute',
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
  root.replaceChildren(
    h('h1', {}, 'Traces'),
    h('div', { class: 'filters' }, filter, attributeFilter),
    status,
    table,
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  // Typing starts a refresh per key; only the latest one may draw.
  let generation = 0;
  const refresh = async (): Promise<void> => {
    clearTimeout(timer);
    const current = ++generation;
    const text = filter.value.trim();
    const attribute = attributeQuery(attributeFilter.value);
    const base = { limit: LIST_LIMIT, ...(attribute === '' ? {} : { attribute }) };
    try {
      const [all, byName] = await Promise.all([
        listTraces(base, signal),
        text === '' ? undefined : listTraces({ ...base, name: text }, signal),
      ]);
      if (current !== generation) return;
      const named = new Set(byName?.traces.map((trace) => trace.traceId));
      const shown = all.traces.filter(
        (trace) => named.has(trace.traceId) || matches(trace, text.toLowerCase()),
      );
      body.replaceChildren(...shown.map(traceRow));
      const matching = [text, attribute].filter((part) => part !== '').map((part) => `“${part}”`);
      status.textContent = `${shown.length} of ${all.matched} traces${matching.length === 0 ? '' : ` matching ${matching.join(' and ')}`}`;
    } catch (error) {
      if (signal.aborted || current !== generation) return;
      // A refused filter matches nothing; a failed refresh keeps the rows it has.
      if (error instanceof ApiCallError && error.status === 400) body.replaceChildren();
      status.textContent = `Cannot load traces: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (!signal.aborted) timer = setTimeout(() => void refresh(), REFRESH_MS);
  };
  filter.addEventListener('input', () => void refresh());
  attributeFilter.addEventListener('input', () => void refresh());
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
  });
  void refresh();
}

/** The attribute box's text for the API: trimmed, and `key = value` read as `key=value`. */
function attributeQuery(value: string): string {
  return value.trim().replace(/\s*=\s*/, '=');
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
