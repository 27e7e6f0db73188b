import type { Tracer, TracerProvider } from '@opentelemetry/api';

/** What a flush achieved. It never rejects: a flush reports, it does not throw. */
export interface FlushResult {
  /** Every span that had ended reached every exporter (trivially true with nothing to send). */
  readonly ok: boolean;
  /** The deadline passed first: spans may still be on their way, or lost. */
  readonly timedOut: boolean;
  /** Why `ok` is false: the first export failure, or the missed deadline. */
  readonly error?: Error;
}

/** The handle `initTracing` returns; the same one for every call in a process. */
export interface Tracing {
  /**
   * Where spans go: tracebridge's own provider, or the one the application had registered
   * before `initTracing` ran (ADOT, a vendor's), which tracebridge then leaves as it is.
   */
  readonly provider: TracerProvider;
  /** A tracer for the application's own spans, named after the service. */
  readonly tracer: Tracer;
  /** True when `provider` is the application's own and tracebridge configured nothing. */
  readonly external: boolean;
  /**
   * Exports every span that has ended and waits until the exporters have them, but never
   * past `timeoutMs` (default 10 000), even when a collector hangs. For an external provider,
   * calls its `forceFlush`, if it has one, under the same deadline.
   */
  forceFlush(timeoutMs?: number): Promise<FlushResult>;
  /**
   * Flushes, then shuts the provider and its exporters down, bounded like `forceFlush`.
   * An external provider is flushed but left running: it is the application's to stop.
   */
  shutdown(timeoutMs?: number): Promise<FlushResult>;
}
