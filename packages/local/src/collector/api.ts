// The collector's read API, for `tracebridge traces` and the viewer: trace summaries, one
// trace with its tree and links, and the counters. JSON in every answer, errors included,
// and every parameter checked, so a typo gets a 400 that names it instead of an empty list.
// docs/collector-api.md documents it.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildServiceMap } from './service-map.js';
import type { AttributeFilter, TraceFilter, TraceStore } from './store.js';

// One page of the trace list: more than a terminal shows, small enough to answer fast.
export const MAX_LIST_LIMIT = 1_000;
// Filters longer than this cannot match a service or span name, or an attribute, anyone
// would type.
export const MAX_FILTER_CHARS = 256;
// Trace ids are 32 hex digits (W3C Trace Context).
const TRACE_ID = /^[0-9a-f]{32}$/i;
const TRACE_ID_PREFIX = /^[0-9a-f]{1,32}$/i;
const LIST_PARAMETERS = ['service', 'name', 'traceId', 'attribute', 'limit'] as const;

/** A 4xx answer from the API, as `{ "error": message }`. */
class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: 400 | 403 | 404 | 405,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiContext {
  readonly store: TraceStore;
  /** Everything `/api/stats` reports. */
  readonly stats: () => unknown;
  /** Whether to answer only requests addressed to a loopback name (see `checkHost`). */
  readonly loopbackOnly: boolean;
}

/**
 * Sends `value` as a JSON answer.
 *
 * @example
 * sendJson(response, 404, { error: 'no such path' });
 */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

/**
 * Answers a request under `/api/`.
 *
 * @example
 * if (path.startsWith('/api/')) handleApiRequest(request, response, { store, stats, loopbackOnly: true });
 */
export function handleApiRequest(
  request: IncomingMessage,
  response: ServerResponse,
  context: ApiContext,
): void {
  try {
    const url = new URL(request.url ?? '/', 'http://collector.invalid');
    if (context.loopbackOnly) checkHost(request.headers.host);
    const route = routeOf(url.pathname);
    if (request.method !== 'GET') {
      response.setHeader('allow', 'GET');
      throw new ApiError(405, `${url.pathname} answers GET only, not ${request.method ?? '?'}`);
    }
    sendJson(response, 200, route(url.searchParams, context));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    sendJson(response, error.status, { error: error.message });
  }
}

type Route = (query: URLSearchParams, context: ApiContext) => unknown;

function routeOf(path: string): Route {
  if (path === '/api/traces') return (query, { store }) => store.listTraces(traceFilter(query));
  if (path === '/api/service-map') {
    // Summed over the newest traces: up to a full page unless the caller asks for fewer.
    return (query, { store }) =>
      buildServiceMap(store, { limit: MAX_LIST_LIMIT, ...traceFilter(query) });
  }
  if (path === '/api/stats') {
    return (query, { stats }) => {
      allowOnly(query, []);
      return stats();
    };
  }
  // Left percent-encoded: an escaped character fails the trace id check, as it should.
  const id = /^\/api\/traces\/([^/]*)$/.exec(path)?.[1];
  if (id !== undefined) {
    return (query, { store }) => {
      allowOnly(query, []);
      if (!TRACE_ID.test(id)) {
        throw new ApiError(400, `"${id}" is not a trace id: give 32 hex digits`);
      }
      const trace = store.getTrace(id.toLowerCase());
      if (!trace) throw new ApiError(404, `trace ${id.toLowerCase()} is not in the store`);
      return trace;
    };
  }
  throw new ApiError(
    404,
    `no API at ${path}: use /api/traces, /api/traces/<traceId>, /api/service-map or /api/stats`,
  );
}

/** The filter of `/api/traces` and `/api/service-map`, every parameter checked. */
function traceFilter(query: URLSearchParams): TraceFilter {
  allowOnly(query, LIST_PARAMETERS);
  const filter: { -readonly [K in keyof TraceFilter]: TraceFilter[K] } = {};
  const service = textParameter(query, 'service');
  if (service !== undefined) filter.service = service;
  const name = textParameter(query, 'name');
  if (name !== undefined) filter.name = name;
  const traceId = textParameter(query, 'traceId');
  if (traceId !== undefined) {
    if (!TRACE_ID_PREFIX.test(traceId)) {
      throw new ApiError(
        400,
        `traceId "${traceId}" is not a trace id prefix: give 1 to 32 hex digits`,
      );
    }
    filter.traceIdPrefix = traceId.toLowerCase();
  }
  const attribute = textParameter(query, 'attribute');
  if (attribute !== undefined) filter.attribute = attributeFilter(attribute);
  const limit = textParameter(query, 'limit');
  if (limit !== undefined) {
    const value = /^\d{1,7}$/.test(limit) ? Number(limit) : NaN;
    if (!(value >= 1 && value <= MAX_LIST_LIMIT)) {
      throw new ApiError(
        400,
        `limit "${limit}" must be a whole number from 1 to ${MAX_LIST_LIMIT}`,
      );
    }
    filter.limit = value;
  }
  return filter;
}

/**
 * `key=value`: the attribute `key` is exactly `value`. A value alone (no `=`): any attribute
 * contains it, ignoring case. Split at the first `=`, as attribute keys hold none.
 */
function attributeFilter(text: string): AttributeFilter {
  const at = text.indexOf('=');
  if (at === -1) return { contains: text };
  const key = text.slice(0, at);
  const equals = text.slice(at + 1);
  if (key === '' || equals === '') {
    throw new ApiError(
      400,
      `attribute "${text}" needs a key and a value: give key=value, or text without "=" to search every attribute's value`,
    );
  }
  return { key, equals };
}

function allowOnly(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of new Set(query.keys())) {
    if (!allowed.includes(key)) {
      const known = allowed.length === 0 ? 'it takes none' : `use ${allowed.join(', ')}`;
      throw new ApiError(400, `unknown parameter "${key}": ${known}`);
    }
    if (query.getAll(key).length > 1) throw new ApiError(400, `parameter "${key}" is given twice`);
  }
}

function textParameter(query: URLSearchParams, key: string): string | undefined {
  const value = query.get(key);
  if (value === null) return undefined;
  if (value === '' || value.length > MAX_FILTER_CHARS) {
    throw new ApiError(400, `${key} must be 1 to ${MAX_FILTER_CHARS} characters`);
  }
  return value;
}

/**
 * Turns away requests whose Host names something other than this machine: a web page the
 * developer visits could otherwise read their traces through DNS rebinding (a name of the
 * attacker's that resolves to 127.0.0.1).
 */
function checkHost(host: string | undefined): void {
  const name = host?.replace(/:\d+$/, '').toLowerCase();
  if (name === 'localhost' || name === '127.0.0.1' || name === '[::1]') return;
  throw new ApiError(
    403,
    `the API answers requests addressed to 127.0.0.1 or localhost only, not ${host ?? 'no Host'}`,
  );
}
