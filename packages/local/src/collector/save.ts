// Saving a run as OTLP/JSON Lines (one ExportTraceServiceRequest per line), and loading it
// back. The collector's model already has OTLP/JSON's shape (hex ids, 64-bit integers as
// decimal strings, camelCase fields), so a line is that model serialised; any OTLP/JSON
// reader can load the file, including this one.

import { createWriteStream, openSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CollectorStartError, SavedTracesError } from './errors.js';
import { parseOtlpJson } from './otlp-json.js';
import type { OtlpExportTraceServiceRequest } from './otlp-types.js';
import type { TraceStore } from './store.js';

// Lines waiting for the disk. Past this the disk is not keeping up, and exports are counted
// as failed instead of growing memory; 64 MiB is four maximum-size exports.
export const SAVE_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface SaveStats {
  readonly path: string;
  readonly written: number;
  readonly failed: number;
  readonly lastError: string | null;
}

export interface SaveFile {
  write(request: OtlpExportTraceServiceRequest): void;
  stats(): SaveStats;
  /** Flushes what is buffered and closes the file. */
  close(): Promise<void>;
}

/**
 * Serialises an export as one line of OTLP/JSON (without the newline).
 *
 * @example
 * appendFileSync('run.jsonl', `${toOtlpJsonLine(request)}\n`);
 */
export function toOtlpJsonLine(request: OtlpExportTraceServiceRequest): string {
  // proto3 JSON writes the doubles JSON cannot hold as strings; JSON.stringify would write null.
  return JSON.stringify(request, (key, value: unknown) =>
    key === 'doubleValue' && typeof value === 'number' && !Number.isFinite(value)
      ? String(value)
      : value,
  );
}

/**
 * Opens `path` for appending, creating it if needed.
 *
 * @throws {CollectorStartError} when the file cannot be opened.
 * @example
 * const file = openSaveFile('run.jsonl');
 * file.write(request);
 * await file.close();
 */
export function openSaveFile(path: string): SaveFile {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CollectorStartError(
      `--save ${path} cannot be opened for writing (${reason}): choose a writable file`,
      { cause },
    );
  }
  const stream = createWriteStream('', { fd });
  const counts = { written: 0, failed: 0 };
  let lastError: string | null = null;
  let closing: Promise<void> | undefined;
  stream.on('error', (error) => {
    lastError = `saving to ${path} failed: ${error.message}`;
  });

  return {
    write(request) {
      if (closing || stream.destroyed || stream.writableLength > SAVE_MAX_BUFFERED_BYTES) {
        counts.failed++;
        lastError ??= `saving to ${path} fell behind: more than ${SAVE_MAX_BUFFERED_BYTES} bytes waited for the disk (SAVE_MAX_BUFFERED_BYTES)`;
        return;
      }
      try {
        stream.write(`${toOtlpJsonLine(request)}\n`);
        counts.written++;
      } catch (error) {
        counts.failed++;
        lastError = `saving to ${path} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    },

    stats: () => ({ path, ...counts, lastError }),

    close() {
      closing ??= (async () => {
        // A failed stream has already closed its descriptor (autoClose).
        if (stream.destroyed) return;
        stream.end();
        // `once` rejects on 'error', which lastError has already recorded.
        await once(stream, 'close').catch(() => undefined);
      })();
      return closing;
    },
  };
}

/**
 * Loads a file written with `--save` (or any OTLP/JSON Lines file) into a store.
 *
 * @throws {SavedTracesError} when the file cannot be read or a line is not an OTLP/JSON
 * trace export; the spans of the lines before it are in the store.
 * @example
 * const store = createTraceStore();
 * const { spans } = await loadSavedTraces('run.jsonl', store);
 */
export async function loadSavedTraces(
  path: string,
  store: TraceStore,
): Promise<{ readonly exports: number; readonly spans: number }> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SavedTracesError(`cannot read saved traces from ${path}: ${reason}`, { cause });
  }
  // The stream closes the file when it ends or is destroyed (autoClose).
  const input = file.createReadStream();
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let exports = 0;
  let spans = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      let request: OtlpExportTraceServiceRequest;
      try {
        request = parseOtlpJson(JSON.parse(line) as unknown);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new SavedTracesError(
          `${path} line ${lineNumber} is not an OTLP/JSON trace export: ${reason}`,
          { cause },
        );
      }
      spans += store.add(request).accepted;
      exports++;
    }
  } catch (cause) {
    if (cause instanceof SavedTracesError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SavedTracesError(`cannot read saved traces from ${path}: ${reason}`, { cause });
  } finally {
    lines.close();
    input.destroy();
  }
  return { exports, spans };
}
