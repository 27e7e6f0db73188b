// Medians, ranges and formatting of the bench's samples.

/** Median, min and max of `samples`; NaN when there are none. */
export function summary(samples) {
  const sorted = [...samples].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** `value` with `digits` decimals, or "n/a". */
export function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** "median (min–max)" of a summary. */
export function cell(stats, unit, digits = 1) {
  if (!stats || stats.n === 0) return 'n/a';
  return `${fixed(stats.median, digits)} ${unit} (${fixed(stats.min, digits)}–${fixed(stats.max, digits)})`;
}

/** `a / b` as "0.42×"; "n/a" when `b` is not positive (an added cost lost in noise). */
export function ratio(a, b) {
  if (!(b > 0)) return 'n/a';
  const r = a / b;
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a';
}
