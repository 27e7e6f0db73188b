// Request routing for the collector's one HTTP port: OTLP exports on POST /v1/traces, the
// read API under /api/, the viewer at / and /assets/, 404 elsewhere. Every way a request can be wrong ends in a 4xx with
// a message; only a bug in the collector ends in a 500, and the server keeps serving.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { isViewerPath, serveViewer } from '../viewer/assets.js';
import { handleApiRequest, sendJson } from './api.js';
import {
  type BytesInFlight,
  encodeExportResponse,
  encodeStatus,
  OtlpContentType,
  OtlpRequestError,
  otlpContentType,
  RETRY_AFTER_SECONDS,
  readOtlpExport,
  type ReceivedExport,
} from './otlp-http.js';
import type { AddResult, TraceStore } from './store.js';

/** The OTLP/HTTP path for traces (OTLP specification). */
export const OTLP_TRACES_PATH = '/v1/traces';

export interface OtlpHttpStats {
  readonly exportsAccepted: number;
  readonly exportsRejected: number;
  readonly lastError: string | null;
  /** Bytes of export bodies being received or decoded now. */
  readonly bytesInFlight: number;
}

export interface RouteContext {
  readonly store: TraceStore;
  /** Stores an export and hands it on (forward, save). */
  readonly ingest: (received: ReceivedExport) => AddResult;
  /** What `/api/stats` reports. */
  readonly stats: () => unknown;
  readonly maxBodyBytes: number;
  /** The export bodies held at once, across connections. */
  readonly inFlight: BytesInFlight;
  /** Whether the API answers only requests addressed to a loopback name. */
  readonly loopbackOnly: boolean;
}

/**
 * Builds the collector's request listener, with counters of the exports it took and refused.
 *
 * @example
 * const inFlight = bytesInFlight(DEFAULT_MAX_BYTES_IN_FLIGHT);
 * const routes = createRoutes({ store, ingest, stats, maxBodyBytes: MAX_BODY_BYTES, inFlight, loopbackOnly: true });
 * http.createServer(routes.listener).listen(4318, '127.0.0.1');
 */
export function createRoutes(context: RouteContext): {
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void;
  readonly stats: () => OtlpHttpStats;
} {
  const counts = { exportsAccepted: 0, exportsRejected: 0, lastError: null as string | null };

  const refuse = (
    response: ServerResponse,
    status: number,
    contentType: OtlpContentType,
    message: string,
  ): void => {
    counts.exportsRejected++;
    counts.lastError = message;
    answer(response, status, contentType, encodeStatus(contentType, message));
  };

  const receive = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const header = request.headers['content-type'];
    const contentType = otlpContentType(header);
    if (!contentType) {
      const message = `Content-Type ${header ?? '(none)'} is not supported: send ${OtlpContentType.Protobuf} or ${OtlpContentType.Json}`;
      refuse(response, 415, OtlpContentType.Json, message);
      return;
    }
    let received: ReceivedExport;
    try {
      received = await readOtlpExport(request, contentType, context.maxBodyBytes, context.inFlight);
    } catch (error) {
      if (!(error instanceof OtlpRequestError)) throw error;
      if (error.status === 503) response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      refuse(response, error.status, contentType, error.message);
      return;
    }
    const result = context.ingest(received);
    counts.exportsAccepted++;
    const body = encodeExportResponse(contentType, result.rejected, result.rejectedReason);
    answer(response, 200, contentType, body);
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === OTLP_TRACES_PATH) {
      if (request.method === 'POST') {
        await receive(request, response);
      } else {
        response.setHeader('allow', 'POST');
        sendJson(response, 405, { message: `${OTLP_TRACES_PATH} takes POST only` });
      }
    } else if (readsNothing(request) && hasBody(request)) {
      // The API and the viewer answer GET only, and read no body: none is buffered for them,
      // whatever a client sends (OTLP exports are the one body the collector takes).
      response.setHeader('connection', 'close');
      sendJson(response, 413, { error: `${path} takes no request body` });
    } else if (path.startsWith('/api/')) {
      handleApiRequest(request, response, context);
    } else if (isViewerPath(path)) {
      await serveViewer(request, response);
    } else {
      sendJson(response, 404, {
        error: `nothing at ${path}: OTLP goes to POST ${OTLP_TRACES_PATH}, the API is under /api/, the viewer at /`,
      });
    }
  };

  return {
    listener(request, response) {
      route(request, response).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        counts.lastError = reason;
        // Only a bug gets here: the collector answers 500 and keeps serving.
        if (response.headersSent || response.destroyed) response.destroy();
        else sendJson(response, 500, { error: reason });
      });
    },
    stats: () => ({ ...counts, bytesInFlight: context.inFlight.held() }),
  };
}

function readsNothing(request: IncomingMessage): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

function answer(
  response: ServerResponse,
  status: number,
  contentType: OtlpContentType,
  body: Uint8Array,
): void {
  // A client that went away mid-body has no one left to answer.
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': contentType, 'content-length': body.length });
  // Without a body (every export taken whole, in protobuf) the headers go out in one write;
  // an empty chunk made Node.js gather headers and chunk into a writev.
  if (body.length === 0) response.end();
  else response.end(body);
}
