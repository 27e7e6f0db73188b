import type { TraceDetail, TraceSpan } from '../collector/trace-view.js';
import { formatDuration, paint, type Terminal } from './output.js';

/** The first characters of a trace id, enough to tell the traces of a run apart. */
export function shortTraceId(traceId: string): string {
  return traceId.slice(0, 8);
}

function hopNote(span: TraceSpan, terminal: Terminal): string {
  if (!span.hop) return '';
  const wait = span.hop.waitedMs === null ? '' : `, waited ${formatDuration(span.hop.waitedMs)}`;
  return paint(terminal, 'cyan', `  ⇢ via ${span.hop.via}${wait}`);
}

function linkNotes(span: TraceSpan, terminal: Terminal): string[] {
  const notes = span.links.map((link) => {
    const where = link.target
      ? `${link.target.name} (${link.target.service}) in trace ${shortTraceId(link.traceId)}`
      : `span ${link.spanId.slice(0, 8)} in trace ${shortTraceId(link.traceId)}${link.traceInStore ? '' : ', not received'}`;
    return paint(terminal, 'magenta', `↗ links to ${where}`);
  });
  for (const incoming of span.linkedFrom) {
    notes.push(
      paint(
        terminal,
        'magenta',
        `↙ linked from ${incoming.name} (${incoming.service}) in trace ${shortTraceId(incoming.traceId)}`,
      ),
    );
  }
  return notes;
}

function spanLine(span: TraceSpan, terminal: Terminal): string {
  const failed = span.status.code === 'error';
  const name = paint(terminal, failed ? 'red' : 'bold', span.name);
  const kind = paint(terminal, 'dim', span.kind);
  const service = paint(terminal, 'blue', span.service);
  const error = failed ? paint(terminal, 'red', `  ✗ ${span.status.message || 'error'}`) : '';
  return `${service}  ${name} ${kind} ${formatDuration(span.durationMs)}${hopNote(span, terminal)}${error}`;
}

/**
 * Draws one trace as a tree: one line per span (service, name, kind, duration), the queue or
 * stream hop a span crossed with the time the message waited there, links in both directions
 * resolved to the span and trace they name, errors in red on a TTY.
 *
 * @example
 * ```ts
 * const detail = store.getTrace(traceId);
 * if (detail) process.stdout.write(renderTrace(detail, processTerminal()).join('\n'));
 * ```
 */
export function renderTrace(detail: TraceDetail, terminal: Terminal): string[] {
  const byId = new Map(detail.spans.map((span) => [span.spanId, span]));
  const { summary } = detail;
  const lines = [
    paint(
      terminal,
      'bold',
      `trace ${detail.summary.traceId}  ${formatDuration(summary.durationMs)}  ${summary.spanCount} spans  ${summary.services.join(' → ')}`,
    ),
  ];
  const walk = (spanId: string, prefix: string, isLast: boolean, isRoot: boolean): void => {
    const span = byId.get(spanId);
    if (!span) return;
    const branch = isRoot ? '' : isLast ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${spanLine(span, terminal)}`);
    const childPrefix = isRoot ? prefix : `${prefix}${isLast ? '   ' : '│  '}`;
    const notePrefix = `${childPrefix}${span.childSpanIds.length > 0 ? '│  ' : '   '}`;
    for (const note of linkNotes(span, terminal)) lines.push(`${notePrefix}${note}`);
    span.childSpanIds.forEach((childId, index) => {
      walk(childId, childPrefix, index === span.childSpanIds.length - 1, false);
    });
  };
  detail.rootSpanIds.forEach((rootId, index) => {
    walk(rootId, '', index === detail.rootSpanIds.length - 1, true);
  });
  return lines;
}
