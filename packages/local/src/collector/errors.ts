/**
 * Thrown when the collector cannot start: an option is invalid, a port is taken, or the
 * save file cannot be opened. `cause` holds the underlying error (for a port in use, a
 * Node.js `EADDRINUSE` error), and the message says what to change.
 *
 * @example
 * ```ts
 * try {
 *   await startCollector({ port: 4318 });
 * } catch (error) {
 *   if (error instanceof CollectorStartError) console.error(error.message);
 *   throw error;
 * }
 * ```
 */
export class CollectorStartError extends Error {
  override readonly name = 'CollectorStartError';
}

/**
 * Thrown by `loadSavedTraces` for a file it cannot read or a line that is not an OTLP/JSON
 * export; the message names the file and the line, `cause` holds the parse error.
 *
 * @example
 * ```ts
 * try {
 *   await loadSavedTraces('run.jsonl', store);
 * } catch (error) {
 *   if (error instanceof SavedTracesError) console.error(error.message);
 *   throw error;
 * }
 * ```
 */
export class SavedTracesError extends Error {
  override readonly name = 'SavedTracesError';
}
