/**
 * Proof that code left its input alone, for inputs of any depth: `structuredClone`,
 * `Object.freeze` walks and `expect().toEqual` all recurse and overflow the stack on the
 * thousands-deep JSON the fuzz suites feed in, so these walk with an explicit stack.
 */

type Pair = readonly [unknown, unknown];

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** A copy of a JSON-shaped value: own data properties (`__proto__` included) and prototypes. */
export function snapshotOf<T>(value: T): T {
  const copies = new Map<object, object>();
  const pending: object[] = [];
  const copyOf = (source: unknown): unknown => {
    if (!isObject(source)) return source;
    const known = copies.get(source);
    if (known) return known;
    if (ArrayBuffer.isView(source)) {
      return new Uint8Array(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
    }
    const shell: object = Array.isArray(source)
      ? new Array<unknown>(source.length)
      : (Object.create(Object.getPrototypeOf(source) as object | null) as object);
    copies.set(source, shell);
    pending.push(source);
    return shell;
  };
  const root = copyOf(value);
  for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
    const copy = copies.get(source)!;
    for (const key of Reflect.ownKeys(source)) {
      if (Array.isArray(source) && key === 'length') continue;
      const descriptor = Object.getOwnPropertyDescriptor(source, key)!;
      Object.defineProperty(copy, key, {
        value: copyOf(descriptor.value),
        enumerable: descriptor.enumerable ?? false,
        writable: true,
        configurable: true,
      });
    }
  }
  return root as T;
}

/** Freezes `value` and everything reachable from it (typed arrays cannot be frozen). */
export function freezeDeep<T>(value: T): T {
  const pending: unknown[] = [value];
  for (let next = pending.pop(); pending.length > 0 || next !== undefined; next = pending.pop()) {
    if (!isObject(next) || Object.isFrozen(next) || ArrayBuffer.isView(next)) continue;
    Object.freeze(next);
    for (const key of Reflect.ownKeys(next)) {
      pending.push((Object.getOwnPropertyDescriptor(next, key) as PropertyDescriptor).value);
    }
  }
  return value;
}

/**
 * Where two values first differ (a path), or `undefined` when they are the same: same own keys
 * in the same order, same prototypes, same primitives (`Object.is`), same bytes.
 */
export function firstDifference(actual: unknown, expected: unknown): string | undefined {
  const pending: (readonly [Pair, string])[] = [[[actual, expected], '$']];
  const seen = new Set<object>();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [[left, right], path] = next;
    if (!isObject(left) || !isObject(right)) {
      if (!Object.is(left, right)) return path;
      continue;
    }
    if (seen.has(left)) continue;
    seen.add(left);
    if (Object.getPrototypeOf(left) !== Object.getPrototypeOf(right)) return `${path} (prototype)`;
    if (ArrayBuffer.isView(left) && ArrayBuffer.isView(right)) {
      const bytes = (view: ArrayBufferView): Buffer =>
        Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      if (!bytes(left).equals(bytes(right))) return `${path} (bytes)`;
      continue;
    }
    const leftKeys = Reflect.ownKeys(left);
    const rightKeys = Reflect.ownKeys(right);
    if (leftKeys.length !== rightKeys.length || leftKeys.some((k, i) => k !== rightKeys[i])) {
      return `${path} (keys)`;
    }
    for (const key of leftKeys) {
      const value = (target: object): unknown =>
        (Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor).value;
      pending.push([[value(left), value(right)], `${path}.${String(key)}`]);
    }
  }
  return undefined;
}

/** Own property names and descriptors of the built-in prototypes a parser could pollute. */
export function builtInPrototypesShape(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((prototype) =>
      Reflect.ownKeys(prototype)
        .map((key) => {
          const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
          return `${String(key)}:${typeof descriptor?.value}:${String(descriptor?.writable)}`;
        })
        .join(','),
    )
    .join('\n');
}
