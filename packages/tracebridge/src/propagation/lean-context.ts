import type { Context } from '@opentelemetry/api';

/**
 * An OpenTelemetry `Context` that keeps its values in a small array of key-value pairs, copied
 * on every change. The API's own context copies a `Map` and creates three closures for every
 * value set, and a consumer sets two per message (the producer's span when it reads the
 * message, the record span when it runs the record function): about a twentieth of the
 * consumer's CPU per message, counting the garbage (measured on Node 20 with
 * `bench/child/consumer-cost.mjs`). A context holds a handful of keys (the span, baggage,
 * suppression), so a linear scan finds a value faster than a hash lookup, and the array never
 * grows with the depth of nested spans, only with the number of distinct keys.
 */
class LeanContext implements Context {
  /** Keys at even indexes, each followed by its value; a deleted key holds `undefined`. */
  readonly #entries: readonly unknown[];

  constructor(entries: readonly unknown[]) {
    this.#entries = entries;
  }

  getValue(key: symbol): unknown {
    const index = this.#indexOf(key);
    return index < 0 ? undefined : this.#entries[index + 1];
  }

  setValue(key: symbol, value: unknown): Context {
    const entries = this.#entries.slice();
    const index = this.#indexOf(key);
    if (index < 0) entries.push(key, value);
    else entries[index + 1] = value;
    return new LeanContext(entries);
  }

  deleteValue(key: symbol): Context {
    return this.setValue(key, undefined);
  }

  /** The index of `key` among the keys (a value equal to a key is never taken for it), or -1. */
  #indexOf(key: symbol): number {
    const entries = this.#entries;
    for (let index = 0; index < entries.length; index += 2) {
      if (entries[index] === key) return index;
    }
    return -1;
  }
}

/**
 * A context with no values, the same to every reader as the API's `ROOT_CONTEXT`, from which
 * tracebridge derives the contexts it extracts from messages.
 *
 * @example
 * ```ts
 * const parent = trace.setSpanContext(EMPTY_CONTEXT, spanContext);
 * ```
 */
export const EMPTY_CONTEXT: Context = new LeanContext([]);
