/// <reference lib="dom" />
// The viewer's entry: routes the location hash to one of three views, and aborts the
// previous view's requests and refreshes whenever the hash changes.
//   #/                               the trace list
//   #/trace/<traceId>[/span/<id>]    a trace's waterfall, a span selected
//   #/map                            the service map

import { SPAN_ID, TRACE_ID } from './api.js';
import { h } from './dom.js';
import { renderServiceMap } from './service-map.js';
import { renderTraceList } from './trace-list.js';
import { renderTracePage } from './trace-page.js';

let current: AbortController | undefined;

function route(root: HTMLElement): void {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const parts = window.location.hash.replace(/^#\/?/, '').split('/');
  const [view = '', traceId = '', spanWord, spanId] = parts;
  document.querySelectorAll('nav a').forEach((link) => {
    link.classList.toggle(
      'active',
      link.getAttribute('data-view') === (view === 'map' ? 'map' : 'traces'),
    );
  });
  if (view === '' && parts.length === 1) {
    renderTraceList(root, controller.signal);
  } else if (view === 'map' && parts.length === 1) {
    void renderServiceMap(root, controller.signal);
  } else if (
    view === 'trace' &&
    TRACE_ID.test(traceId) &&
    (parts.length === 2 ||
      (parts.length === 4 && spanWord === 'span' && SPAN_ID.test(spanId ?? '')))
  ) {
    void renderTracePage(root, traceId, spanId, controller.signal);
  } else {
    root.replaceChildren(
      h('h1', {}, 'Not found'),
      h('p', {}, 'This address names no view. ', h('a', { href: '#/' }, 'See all traces.')),
    );
  }
}

const app = document.getElementById('app');
if (app) {
  window.addEventListener('hashchange', () => {
    route(app);
  });
  route(app);
}
