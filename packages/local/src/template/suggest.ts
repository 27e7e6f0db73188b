// Names further apart than this are different names, not typos of each other.
const MAX_TYPO_DISTANCE = 2;

/**
 * "Did you mean X" for a misspelt logical id, or the fallback advice when no known name is
 * close.
 *
 * @example
 * ```ts
 * suggestion('OrdersQueu', ['OrdersQueue'], 'Use a logical id'); // 'Did you mean OrdersQueue?'
 * ```
 */
export function suggestion(name: string, known: readonly string[], fallback: string): string {
  let best: string | undefined;
  let bestDistance = MAX_TYPO_DISTANCE + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? fallback : `Did you mean ${best}?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
