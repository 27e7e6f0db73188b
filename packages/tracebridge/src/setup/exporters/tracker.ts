import { diag } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { asError } from '../../propagation/diag.js';

/** The result an exporter reports, as the SDK's SpanExporter interface types it. */
export type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

// ExportResultCode.SUCCESS and FAILED. The enum is @opentelemetry/core's, a dependency of the
// SDK and not of tracebridge, so its two values are spelled out here.
/* eslint-disable @typescript-eslint/no-unsafe-enum-assignment -- the values of that enum */
const SUCCESS = 0 as ExportResult['code'];
const FAILED = 1 as ExportResult['code'];
/* eslint-enable @typescript-eslint/no-unsafe-enum-assignment */

/** The result of an export that reached its destination. */
export const EXPORTED: ExportResult = { code: SUCCESS };

/**
 * The result of an export that did not.
 *
 * @example
 * resultCallback(exportFailed(new Error('exporter is shut down')));
 */
export function exportFailed(error: Error): ExportResult {
  return { code: FAILED, error };
}

/**
 * The bookkeeping every tracebridge exporter shares. It keeps the exports in flight, so that
 * `forceFlush` also waits for an export the BatchSpanProcessor started on its own timer (the
 * processor's forceFlush does not: those spans would still be on the wire when Lambda freezes
 * the process); it remembers the first failure since the last flush, so the flush can report
 * it; and it warns once per outage: at the first failed export after a flush or a successful
 * export. A flush whose spans go in several exports to a collector that is down would
 * otherwise warn once per export; the others are logged at debug level. No export ever rejects.
 *
 * @example
 * ```ts
 * const tracker = new ExportTracker();
 * tracker.run(async () => send(body), resultCallback);
 * await tracker.drain(); // throws the first failure since the previous drain
 * ```
 */
export class ExportTracker {
  // `#` fields rather than TypeScript's `private` (here and in the exporters): a minifier shortens
  // `#` names but never property names, and every function's bundle carries these classes.
  readonly #inFlight = new Set<Promise<void>>();
  #failure: Error | undefined;
  /** A failure has been warned about, and no export has succeeded nor a flush ended since. */
  #warned = false;

  /** Runs one export; `send` rejects with an error whose message says what went wrong. */
  run(send: () => Promise<void>, resultCallback: (result: ExportResult) => void): void {
    const work: Promise<void> = send()
      .then(
        (): ExportResult => {
          this.#warned = false;
          return EXPORTED;
        },
        (reason: unknown): ExportResult => {
          const error = asError(reason);
          this.#failure ??= error;
          if (this.#warned) {
            diag.debug(`tracebridge: ${error.message}`);
          } else {
            this.#warned = true;
            diag.warn(`tracebridge: ${error.message}`);
          }
          return exportFailed(error);
        },
      )
      .then(resultCallback)
      .catch((reason: unknown) => {
        diag.error(`tracebridge: an export result callback threw: ${asError(reason).message}`);
      })
      .finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
  }

  /** Waits for every export in flight, then throws the first failure since the last drain. */
  async drain(): Promise<void> {
    // Loop: an export may start while we wait (the processor's timer), and it counts too.
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    const failure = this.#failure;
    this.#failure = undefined;
    this.#warned = false;
    if (failure) throw failure;
  }
}

/**
 * What every tracebridge exporter does the same way: refuses exports after shutdown, tracks
 * each export so a flush can wait for the ones in flight, and releases its transport once the
 * last one is done. Subclasses say how to send and what to release.
 *
 * @example
 * class Exporter extends TrackedExporter {
 *   protected send(spans: readonly ReadableSpan[]) { return post(encode(spans)); }
 *   protected release() { agent.destroy(); }
 * }
 */
export abstract class TrackedExporter implements SpanExporter {
  readonly #tracker = new ExportTracker();
  #stopped = false;

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#stopped) {
      resultCallback(exportFailed(new Error('exporter is shut down')));
      return;
    }
    this.#tracker.run(() => this.send(spans), resultCallback);
  }

  /** Waits for the exports in flight; rejects with the first failure since the last flush. */
  forceFlush(): Promise<void> {
    return this.#tracker.drain();
  }

  async shutdown(): Promise<void> {
    this.#stopped = true;
    await this.#tracker.drain().catch(() => undefined);
    this.release();
  }

  /** Sends one batch; rejects with an error whose message says what went wrong. */
  protected abstract send(spans: readonly ReadableSpan[]): Promise<void>;

  /** Frees the transport (agent, socket) once every export is done. */
  protected abstract release(): void;
}
