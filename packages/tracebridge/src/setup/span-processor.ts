import { context, diag, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { asError } from '../propagation/diag.js';
import { SUPPRESS_TRACING_KEY } from '../propagation/w3c.js';
import { type CancelDeadline, scheduleDeadline } from './deadlines.js';
import { EXPORTED, type ExportResult, exportFailed } from './exporters/tracker.js';
import type { BatchOptions } from './options.js';

/**
 * The context every export runs in: the SDK's suppression flag set (the key is a `Symbol.for`
 * symbol, the same one `@opentelemetry/core` uses), so that an instrumented transport does not
 * trace the exporter's own requests.
 */
const EXPORT_CONTEXT = ROOT_CONTEXT.setValue(SUPPRESS_TRACING_KEY, true);

const SETTLED: Promise<void> = Promise.resolve();

/**
 * The BatchSpanProcessor's behaviour at a fraction of its cost per invocation, for a function
 * that flushes at the end of every invocation. Ended sampled spans wait in a buffer bounded by
 * `maxQueueSize` (spans beyond it are dropped, counted, and reported in one warning per flush);
 * a full batch of `maxExportBatchSize` is exported at once, anything else within
 * `scheduledDelayMillis` or at the next flush, one export at a time between flushes; an export
 * that has not answered within `exportTimeoutMillis` is given up. Resource attributes still pending are waited for before an
 * export, as the SDK's processor does.
 *
 * What it saves: the SDK's processor arms a timer per export and re-arms its delay timer after
 * every flush, and the provider's own forceFlush adds a timer and two promises per processor;
 * here a flush whose exporter answers synchronously costs no timer and no promise, and the
 * delay timer is armed at most once per delay.
 *
 * @example
 * ```ts
 * import { TracerProvider } from '@opentelemetry/sdk-trace';
 *
 * const processor = new BufferedSpanProcessor(exporter, {
 *   scheduledDelayMillis: 5_000,
 *   exportTimeoutMillis: 30_000,
 *   maxQueueSize: 2_048,
 *   maxExportBatchSize: 512,
 * });
 * const provider = new TracerProvider({ spanProcessors: [processor] });
 * ```
 */
export class BufferedSpanProcessor implements SpanProcessor {
  #buffer: ReadableSpan[] = [];
  /**
   * Exports that run on, each settled by the exporter's callback or by the export timeout, with
   * the export's failure if it failed.
   */
  readonly #pending = new Set<Promise<Error | undefined>>();
  #timer: NodeJS.Timeout | undefined;
  /** Spans dropped because the buffer was full, since the last warning. */
  #dropped = 0;
  /** Spans dropped because the buffer was full, over the processor's life. */
  #droppedTotal = 0;
  /** The first export failure since the last flush, whether or not a flush waited for it. */
  #failure: Error | undefined;
  #stopped = false;
  readonly #maxQueueSize: number;
  readonly #maxExportBatchSize: number;
  readonly #scheduledDelayMillis: number;
  readonly #exportTimeoutMillis: number;

  readonly #exporter: SpanExporter;

  constructor(exporter: SpanExporter, options: Required<BatchOptions>) {
    this.#exporter = exporter;
    this.#maxQueueSize = options.maxQueueSize;
    // The SDK's processor clamps the batch to the queue the same way.
    this.#maxExportBatchSize = Math.min(options.maxExportBatchSize, options.maxQueueSize);
    this.#scheduledDelayMillis = options.scheduledDelayMillis;
    this.#exportTimeoutMillis = options.exportTimeoutMillis;
  }

  /** Spans dropped so far because more than `maxQueueSize` waited for an export. */
  get droppedSpans(): number {
    return this.#droppedTotal;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#buffer.length >= this.#maxQueueSize) {
      this.#dropped++;
      this.#droppedTotal++;
      return;
    }
    this.#buffer.push(span);
    this.#exportWhenDue();
  }

  /**
   * Exports every buffered span and waits for every export still running, including those
   * started by a full batch or the delay timer. Rejects with the first export failure since
   * the previous flush.
   */
  forceFlush(): Promise<void> {
    this.#reportDrops();
    while (this.#buffer.length > 0) this.#exportBatch();
    if (this.#pending.size > 0) return this.#drain();
    return this.#takeFailure();
  }

  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.forceFlush();
    } finally {
      this.#stopped = true;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#exporter.shutdown();
    }
  }

  /**
   * Between flushes, one export at a time, as the SDK's processor does: while it runs, spans
   * wait in the buffer, which is what bounds the memory a slow collector can hold.
   */
  #exportWhenDue(): void {
    if (this.#buffer.length === 0 || this.#pending.size > 0) return;
    if (this.#buffer.length >= this.#maxExportBatchSize) {
      this.#exportBatch();
      return;
    }
    // Armed once per delay, not re-armed by each flush: a flush empties the buffer and the
    // timer, when it fires, finds nothing or the few spans ended since.
    this.#timer ??= setTimeout(this.#onTimer, this.#scheduledDelayMillis).unref();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#reportDrops();
    if (this.#buffer.length > 0 && this.#pending.size === 0) this.#exportBatch();
  };

  /**
   * Waits for every export, and rejects with the failure known as it starts (one before this
   * flush, or an export that failed as it started) or the first among the exports it waited
   * for: those are this flush's own, whichever flush takes the shared failure first (a timed-out
   * flush may still be draining).
   */
  async #drain(): Promise<void> {
    // Read before the first await, so it is the failure known when the flush called this.
    let awaited = this.#failure;
    // Loop: a full batch or the timer may start another export while we wait.
    while (this.#pending.size > 0) {
      for (const failure of await Promise.all(this.#pending)) awaited ??= failure;
    }
    return this.#takeFailure(awaited);
  }

  #takeFailure(awaited?: Error): Promise<void> {
    const failure = awaited ?? this.#failure;
    this.#failure = undefined;
    return failure ? Promise.reject(failure) : SETTLED;
  }

  #reportDrops(): void {
    if (this.#dropped === 0) return;
    diag.warn(
      `tracebridge: dropped ${this.#dropped} spans: more than maxQueueSize (${this.#maxQueueSize}) spans waited for an export; raise OTEL_BSP_MAX_QUEUE_SIZE or flush more often`,
    );
    this.#dropped = 0;
  }

  /** Takes up to one batch from the buffer and exports it. */
  #exportBatch(): void {
    let spans: ReadableSpan[];
    if (this.#buffer.length <= this.#maxExportBatchSize) {
      spans = this.#buffer;
      this.#buffer = [];
    } else {
      spans = this.#buffer.splice(0, this.#maxExportBatchSize);
    }
    let waiting: Promise<unknown>[] | undefined;
    for (const span of spans) {
      const { resource } = span;
      if (resource.asyncAttributesPending && resource.waitForAsyncAttributes) {
        (waiting ??= []).push(resource.waitForAsyncAttributes());
      }
    }
    if (waiting === undefined) {
      // An export still running is tracked in #pending; nothing to wait for here.
      void this.#send(spans);
      return;
    }
    this.#track(
      Promise.all(waiting).then(
        () => this.#send(spans),
        (reason: unknown) => this.#fail(reason),
      ),
    );
  }

  /**
   * Hands spans to the exporter in the suppressed context. Returns the export still running,
   * settling with its failure if it fails; or, when the exporter answered before returning, that
   * failure itself (undefined for a success), so that every path reports a failure alike.
   */
  #send(spans: ReadableSpan[]): Promise<Error | undefined> | Error | undefined {
    // An object, not `let`s: the exporter's callback sets it, out of the compiler's sight.
    const state: { answered: boolean; failure?: Error } = { answered: false };
    let cancelTimer: CancelDeadline | undefined;
    let settle: ((failure: Error | undefined) => void) | undefined;
    const finish = (result: ExportResult): void => {
      if (state.answered) return;
      state.answered = true;
      cancelTimer?.();
      if (result.code !== EXPORTED.code) {
        state.failure = this.#fail(result.error ?? new Error('span export failed'));
      }
      settle?.(state.failure);
    };
    try {
      context.with(EXPORT_CONTEXT, () => {
        this.#exporter.export(spans, finish);
      });
    } catch (error) {
      finish(exportFailed(asError(error)));
    }
    if (state.answered) return state.failure;
    const done = new Promise<Error | undefined>((resolve) => {
      settle = resolve;
      cancelTimer = scheduleDeadline(this.#exportTimeoutMillis, () => {
        finish(
          exportFailed(
            new Error(`span export did not finish within ${this.#exportTimeoutMillis} ms`),
          ),
        );
      });
    });
    this.#track(done);
    return done;
  }

  #track(done: Promise<Error | undefined>): void {
    this.#pending.add(done);
    void done.finally(() => {
      this.#pending.delete(done);
      if (!this.#stopped) this.#exportWhenDue();
    });
  }

  /** Records a failure and returns it as an Error. */
  #fail(reason: unknown): Error {
    const failure = asError(reason);
    this.#failure ??= failure;
    return failure;
  }
}
