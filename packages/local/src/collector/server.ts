// The local collector: an OTLP/HTTP receiver and the read API on one port, the X-Ray
// daemon's UDP port beside it, and one ingestion path behind both (store, then forward and
// save). It listens on 127.0.0.1 unless told otherwise: traces hold payloads and names the
// developer may not want on the network.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CollectorStartError } from './errors.js';
import { createForwarder, type ForwardStats, forwardUrl } from './forward.js';
import { createRoutes, type OtlpHttpStats } from './http-routes.js';
import {
  bytesInFlight,
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  MAX_BODY_BYTES,
  type ReceivedExport,
} from './otlp-http.js';
import { openSaveFile, type SaveStats } from './save.js';
import {
  type AddResult,
  createTraceStore,
  type TraceStore,
  type TraceStoreStats,
} from './store.js';
import {
  DEFAULT_XRAY_PORT,
  type RunningXRayListener,
  startXRayListener,
  type XRayListenerStats,
} from './xray-udp.js';
import { LOOPBACK_HOST } from '../loopback.js';

/** The OTLP/HTTP port every OpenTelemetry exporter defaults to (OTLP specification). */
export const DEFAULT_OTLP_HTTP_PORT = 4318;
// Exporters give up after 10 s (OTEL_EXPORTER_OTLP_TIMEOUT's default); a request still
// arriving after 30 s comes from a stuck or hostile client, and its connection is dropped.
export const REQUEST_TIMEOUT_MS = 30_000;
// Clients send their headers at once; one still sending them after 10 s is holding a
// connection open (slowloris), and gets a 408.
const HEADERS_TIMEOUT_MS = 10_000;
// Node.js checks the two timeouts above only every 30 s by default, which let a stalled
// client keep its connection for up to twice the limit.
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
// Each function's exporter keeps a connection or two and the viewer a few, so a local run
// stays far below this; past it new connections are closed on arrival.
export const DEFAULT_MAX_CONNECTIONS = 128;
// How long close() lets requests in progress finish before cutting their connections.
const CLOSE_GRACE_MS = 2_000;
const MAX_PORT = 65_535; // TCP and UDP port numbers are 16 bits
// The names that mean this machine; the API checks Host against them when bound to one.
const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

export interface CollectorOptions {
  /** OTLP/HTTP and API port; 0 picks a free one. Default {@link DEFAULT_OTLP_HTTP_PORT}. */
  readonly port?: number;
  /** Interface for both ports. Default {@link LOOPBACK_HOST}; anything else exposes traces. */
  readonly host?: string;
  /** X-Ray daemon UDP port; 0 picks a free one, `null` turns it off. Default 2000. */
  readonly xrayPort?: number | null;
  /** Where spans go; default a new store with the default limits. */
  readonly store?: TraceStore;
  /** An OTLP/HTTP backend that gets a copy of every export (`/v1/traces` added to a bare URL). */
  readonly forward?: string | URL;
  /** A file every export is appended to, as one line of OTLP/JSON. */
  readonly save?: string;
  /** Largest request body, compressed or not. Default {@link MAX_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** Open connections at most; more are closed on arrival. Default {@link DEFAULT_MAX_CONNECTIONS}. */
  readonly maxConnections?: number;
  /**
   * Bytes of export bodies held at once, across connections; an export that would pass it is
   * answered 503 with Retry-After. Default {@link DEFAULT_MAX_BYTES_IN_FLIGHT}.
   */
  readonly maxBytesInFlight?: number;
  /**
   * Time a client has to send a whole request; its headers get at most 10 s of it. Default
   * {@link REQUEST_TIMEOUT_MS}.
   */
  readonly requestTimeoutMs?: number;
}

export interface ConnectionStats {
  readonly maxConnections: number;
  /** Connections closed on arrival because `maxConnections` were open. */
  readonly dropped: number;
  /** The last error of the listening socket itself (such as running out of file descriptors). */
  readonly lastError: string | null;
}

export interface CollectorStats {
  readonly store: TraceStoreStats;
  readonly connections: ConnectionStats;
  readonly otlpHttp: OtlpHttpStats;
  readonly xray: XRayListenerStats | null;
  readonly forward: ForwardStats | null;
  readonly save: SaveStats | null;
}

export interface RunningCollector {
  /** `http://127.0.0.1:<port>`, for `OTEL_EXPORTER_OTLP_ENDPOINT` and the API. */
  readonly endpoint: string;
  readonly port: number;
  /** `127.0.0.1:<port>` for `AWS_XRAY_DAEMON_ADDRESS`; undefined with `xrayPort: null`. */
  readonly xrayAddress: string | undefined;
  readonly store: TraceStore;
  stats(): CollectorStats;
  /** Stops both listeners, drains forwarding, closes the save file; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the collector.
 *
 * @throws {CollectorStartError} for an invalid option, a port in use, a save file that
 * cannot be opened, or a forward URL that points back at the collector.
 * @example
 * const collector = await startCollector({ port: 0, xrayPort: 0, save: 'run.jsonl' });
 * process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
 * // ... run the functions ...
 * await collector.close();
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const {
    port = DEFAULT_OTLP_HTTP_PORT,
    host = LOOPBACK_HOST,
    xrayPort = DEFAULT_XRAY_PORT,
    store = createTraceStore(),
    maxBodyBytes = MAX_BODY_BYTES,
    maxConnections = DEFAULT_MAX_CONNECTIONS,
    maxBytesInFlight = DEFAULT_MAX_BYTES_IN_FLIGHT,
    requestTimeoutMs = REQUEST_TIMEOUT_MS,
  } = options;
  requirePort('port', port);
  if (xrayPort !== null) requirePort('xrayPort', xrayPort);
  requirePositive('maxBodyBytes', maxBodyBytes);
  requirePositive('maxConnections', maxConnections);
  requirePositive('maxBytesInFlight', maxBytesInFlight);
  requirePositive('requestTimeoutMs', requestTimeoutMs);
  const target = options.forward === undefined ? undefined : forwardUrl(options.forward);
  const saveFile = options.save === undefined ? undefined : openSaveFile(options.save);
  const forwarder = target ? createForwarder(target) : undefined;

  const ingest = (received: ReceivedExport): AddResult => {
    const result = store.add(received.request);
    forwarder?.enqueue(received.body, received.contentType);
    saveFile?.write(received.request);
    return result;
  };
  let xray: RunningXRayListener | undefined;
  const connections = { maxConnections, dropped: 0, lastError: null as string | null };
  const stats = (): CollectorStats => ({
    store: store.stats(),
    connections: { ...connections },
    otlpHttp: routes.stats(),
    xray: xray?.stats() ?? null,
    forward: forwarder?.stats() ?? null,
    save: saveFile?.stats() ?? null,
  });
  const routes = createRoutes({
    store,
    ingest,
    stats,
    maxBodyBytes,
    inFlight: bytesInFlight(maxBytesInFlight),
    loopbackOnly: LOOPBACK_NAMES.includes(host),
  });
  const server = http.createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, requestTimeoutMs),
    },
    routes.listener,
  );
  server.maxConnections = maxConnections;
  server.on('drop', () => {
    connections.dropped++;
  });

  const release = async (): Promise<void> => {
    await Promise.all([closeServer(server), xray?.close()]);
    await forwarder?.close();
    await saveFile?.close();
  };

  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (cause) {
    await release();
    throw new CollectorStartError(
      `the collector cannot listen on ${host}:${port} (${cause instanceof Error ? cause.message : String(cause)}): stop what uses the port or choose another`,
      { cause },
    );
  }
  // Past listening, net.Server emits the errors libuv reports for accept() (a connection the
  // system could not hand over); they concern one connection, and unheard would end the process.
  server.on('error', (error) => {
    connections.lastError = error.message;
  });
  const bound = (server.address() as AddressInfo).port;
  if (target && pointsAt(target, bound)) {
    await release();
    throw new CollectorStartError(
      `--forward ${target.href} is this collector itself: every export would come back forever; forward to another backend`,
    );
  }
  if (xrayPort !== null) {
    try {
      xray = await startXRayListener({ port: xrayPort, host, onExport: ingest });
    } catch (error) {
      await release();
      throw error;
    }
  }

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    xrayAddress: xray?.address,
    store,
    stats,
    close() {
      closing ??= release();
      return closing;
    },
  };
}

function requirePositive(option: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CollectorStartError(`${option} must be a positive integer, not ${value}`);
  }
}

function requirePort(option: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new CollectorStartError(`${option} must be 0 to ${MAX_PORT}, not ${port}`);
  }
}

function pointsAt(target: URL, port: number): boolean {
  // URL keeps IPv6 hosts in brackets.
  const loopback = [...LOOPBACK_NAMES, '[::1]'].includes(target.hostname);
  // An empty port means the scheme's default one.
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  return loopback && targetPort === port;
}

function closeServer(server: http.Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.closeAllConnections();
    }, CLOSE_GRACE_MS);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
