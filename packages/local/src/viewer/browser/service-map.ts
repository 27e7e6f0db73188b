/// <reference lib="dom" />
// The service map: services, queues and streams as nodes in columns (each node one column
// right of the furthest node calling it), parent/child edges solid with their counts, error
// rate and mean latency, link edges dashed; the same edges as a table below.

import type { ServiceMap, ServiceMapEdge, ServiceMapNode } from '../../collector/service-map.js';
import { getServiceMap } from './api.js';
import { h, svg } from './dom.js';
import { formatDuration, serviceColour } from './format.js';

const COLUMN_PX = 290;
const ROW_PX = 90;
const NODE_WIDTH = 200;
const NODE_HEIGHT = 44;
const MARGIN = 30;

/**
 * Shows the service map in `root`.
 *
 * @example
 * await renderServiceMap(app, controller.signal);
 */
export async function renderServiceMap(root: HTMLElement, signal: AbortSignal): Promise<void> {
  let map: ServiceMap;
  try {
    map = await getServiceMap(signal);
  } catch (error) {
    if (signal.aborted) return;
    const reason = error instanceof Error ? error.message : String(error);
    root.replaceChildren(
      h('h1', {}, 'Service map'),
      h('p', { class: 'status' }, `Cannot load the map: ${reason}`),
    );
    return;
  }
  if (signal.aborted) return;
  const names = new Map(map.nodes.map((node) => [node.id, node.name]));
  root.replaceChildren(
    h('h1', {}, 'Service map'),
    h(
      'p',
      { class: 'status' },
      `${map.nodes.length} nodes, ${map.edges.length} edges, from the ${map.traces} newest traces. Solid: parent and child spans; dashed: span links.`,
    ),
    map.nodes.length === 0 ? h('p', { class: 'note' }, 'No traces yet.') : drawMap(map),
    edgeTable(map.edges, names),
  );
}

/**
 * Columns by longest call path from a node nobody calls (cycles stop at the node count);
 * then a node nobody calls moves right, next to the first node it calls, so that an
 * invocation's Lambda service sits beside its function instead of across the map.
 */
function columns(map: ServiceMap): Map<string, number> {
  const column = new Map(map.nodes.map((node) => [node.id, 0]));
  const calls = map.edges.filter((edge) => edge.kind === 'call' && edge.from !== edge.to);
  for (let pass = 0; pass < map.nodes.length; pass++) {
    let moved = false;
    for (const edge of calls) {
      const next = (column.get(edge.from) ?? 0) + 1;
      if (next > (column.get(edge.to) ?? 0)) {
        column.set(edge.to, next);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const called = new Set(calls.map((edge) => edge.to));
  for (const node of map.nodes) {
    if (called.has(node.id)) continue;
    const targets = calls
      .filter((edge) => edge.from === node.id)
      .map((edge) => column.get(edge.to) ?? 1);
    if (targets.length > 0) column.set(node.id, Math.min(...targets) - 1);
  }
  return column;
}

/**
 * Positions: column by column, nodes ordered by the first row of the nodes calling them
 * (fewer crossing edges), callers' rows known because they sit in earlier columns.
 */
function layout(map: ServiceMap): Map<string, { x: number; y: number }> {
  const column = columns(map);
  const row = new Map<string, number>();
  const callers = (id: string): number[] =>
    map.edges
      .filter((edge) => edge.kind === 'call' && edge.to === id)
      .map((edge) => row.get(edge.from))
      .filter((value) => value !== undefined);
  const place = new Map<string, { x: number; y: number }>();
  for (let x = 0; x <= Math.max(...column.values()); x++) {
    const here = map.nodes.filter((node) => column.get(node.id) === x);
    const order = here
      .map((node) => ({ id: node.id, key: Math.min(...callers(node.id)) }))
      .sort((a, b) => a.key - b.key || 0); // || 0: Infinity - Infinity is NaN
    order.forEach(({ id }, y) => {
      row.set(id, y);
      place.set(id, { x: MARGIN + x * COLUMN_PX, y: MARGIN + y * ROW_PX });
    });
  }
  return place;
}

function drawMap(map: ServiceMap): SVGSVGElement {
  const place = layout(map);
  const positions = [...place.values()];
  const width = MARGIN + Math.max(...positions.map((at) => at.x)) + NODE_WIDTH;
  const height = MARGIN + Math.max(...positions.map((at) => at.y)) + NODE_HEIGHT + ROW_PX / 2;
  const arrow = svg(
    'marker',
    {
      id: 'arrow',
      viewBox: '0 0 10 10',
      refX: 10,
      refY: 5,
      markerWidth: 8,
      markerHeight: 8,
      orient: 'auto',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }),
  );
  return svg(
    'svg',
    {
      id: 'service-map',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-label': 'Service map',
    },
    svg('defs', {}, arrow),
    ...map.edges.map((edge) => drawEdge(edge, place)),
    ...map.nodes.map((node) => drawNode(node, place.get(node.id) ?? { x: 0, y: 0 })),
  );
}

function drawNode(node: ServiceMapNode, at: { x: number; y: number }): SVGGElement {
  const box = svg('rect', {
    x: at.x,
    y: at.y,
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    rx: node.kind === 'service' ? 8 : 22,
  });
  if (node.kind === 'service') box.style.stroke = serviceColour(node.name);
  return svg(
    'g',
    {
      class: `node node-${node.kind}${node.errorCount > 0 ? ' error' : ''}`,
      'data-node-id': node.id,
    },
    box,
    svg('text', { x: at.x + NODE_WIDTH / 2, y: at.y + 19, class: 'node-name' }, node.name),
    svg(
      'text',
      { x: at.x + NODE_WIDTH / 2, y: at.y + 35, class: 'node-note' },
      node.kind === 'service' ? `${node.spanCount} spans` : `${node.kind}, ${node.spanCount} sent`,
    ),
  );
}

function drawEdge(
  edge: ServiceMapEdge,
  place: ReadonlyMap<string, { x: number; y: number }>,
): SVGGElement {
  const from = place.get(edge.from) ?? { x: 0, y: 0 };
  const to = place.get(edge.to) ?? { x: 0, y: 0 };
  const forward = to.x > from.x;
  // Forward edges leave right and enter left; others bend below the boxes.
  const [x1, y1] = forward
    ? [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2]
    : [from.x + NODE_WIDTH / 2, from.y + NODE_HEIGHT];
  const [x2, y2] = forward
    ? [to.x, to.y + NODE_HEIGHT / 2]
    : [to.x + NODE_WIDTH / 2, to.y + NODE_HEIGHT];
  const bend = forward
    ? `C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2}`
    : `C${x1},${y1 + 50} ${x2},${y2 + 50}`;
  return svg(
    'g',
    { class: `edge edge-${edge.kind}`, 'data-from': edge.from, 'data-to': edge.to },
    svg('path', { d: `M${x1},${y1} ${bend} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }),
    // Forward labels sit on the curve 30% of the way (x and y factors of the cubic at t = 0.3):
    // edges out of one node have parted there, edges into one node have not met yet.
    svg(
      'text',
      forward
        ? { x: x1 + (x2 - x1) * 0.342, y: y1 + (y2 - y1) * 0.216 - 5, class: 'edge-label' }
        : { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, class: 'edge-label' },
      edgeLabel(edge),
    ),
  );
}

function edgeLabel(edge: ServiceMapEdge): string {
  const errors = edge.errorCount > 0 ? ` · ${(edge.errorRate * 100).toFixed(0)}% errors` : '';
  const latency = edge.meanLatencyMs === null ? '' : ` · ${formatDuration(edge.meanLatencyMs)}`;
  return `${edge.kind === 'link' ? 'links ' : ''}${edge.count}×${errors}${latency}`;
}

function edgeTable(
  edges: readonly ServiceMapEdge[],
  names: ReadonlyMap<string, string>,
): HTMLElement {
  return h(
    'table',
    { class: 'edges', id: 'edge-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['From', 'To', 'Kind', 'Count', 'Errors', 'Mean latency'].map((title) =>
          h('th', {}, title),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...edges.map((edge) =>
        h(
          'tr',
          { 'data-from': edge.from, 'data-to': edge.to, 'data-kind': edge.kind },
          h('td', {}, names.get(edge.from) ?? edge.from),
          h('td', {}, names.get(edge.to) ?? edge.to),
          h('td', {}, edge.kind === 'call' ? 'parent → child' : 'link'),
          h('td', { class: 'number' }, edge.count),
          h('td', { class: 'number' }, `${(edge.errorRate * 100).toFixed(0)}%`),
          h(
            'td',
            { class: 'number' },
            edge.meanLatencyMs === null ? '–' : formatDuration(edge.meanLatencyMs),
          ),
        ),
      ),
    ),
  );
}
