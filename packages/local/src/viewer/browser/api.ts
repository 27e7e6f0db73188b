/// <reference lib="dom" />
// The viewer's calls to the collector's JSON API (docs/collector-api.md), typed with the
// collector's own answer types so that a change on either side fails the typecheck.

import type { ServiceMap } from '../../collector/service-map.js';
import type { TraceList } from '../../collector/store.js';
import type { TraceDetail } from '../../collector/trace-view.js';

/** Trace ids and span ids as the API writes them (W3C Trace Context, lowercase hex). */
export const TRACE_ID = /^[0-9a-f]{32}$/;
export const SPAN_ID = /^[0-9a-f]{16}$/;

/** A failed API call, with the collector's own message when it sent one. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson(path: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  const body: unknown = await response.json();
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string'
        ? body.error
        : `${path} answered HTTP ${response.status}`;
    throw new ApiCallError(response.status, message);
  }
  return body;
}

/**
 * Lists traces, newest first; `name` keeps those with a span whose name contains it, and
 * `attribute` those with a span attribute matching it (`key=value`, or a value's text).
 *
 * @example
 * const { traces } = await listTraces({ limit: 200, attribute: 'order.id=order-0002' }, signal);
 */
export async function listTraces(
  query: { readonly limit: number; readonly name?: string; readonly attribute?: string },
  signal: AbortSignal,
): Promise<TraceList> {
  const parameters = new URLSearchParams({ limit: String(query.limit) });
  if (query.name !== undefined) parameters.set('name', query.name);
  if (query.attribute !== undefined) parameters.set('attribute', query.attribute);
  return (await getJson(`/api/traces?${parameters.toString()}`, signal)) as TraceList;
}

/**
 * Fetches one trace with its tree and links.
 *
 * @example
 * const detail = await getTrace(traceId, controller.signal);
 */
export async function getTrace(traceId: string, signal: AbortSignal): Promise<TraceDetail> {
  return (await getJson(`/api/traces/${traceId}`, signal)) as TraceDetail;
}

/**
 * Fetches the service map summed over the newest traces.
 *
 * @example
 * const { nodes, edges } = await getServiceMap(controller.signal);
 */
export async function getServiceMap(signal: AbortSignal): Promise<ServiceMap> {
  return (await getJson('/api/service-map', signal)) as ServiceMap;
}
