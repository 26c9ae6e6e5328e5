/**
 * Min–max decimation of long series for the report's charts: the n points are cut into ⌊maxPoints / (2·keys)⌋
 * buckets of consecutive points, and each bucket keeps, for every plotted statistic, the point holding its minimum
 * and the point holding its maximum (plus the first and last point of the series). Every excursion a chart's reader
 * must see (a point beyond a limit, a CUSUM peak at the alarm) survives, which averaging or every-k-th sampling would
 * lose; the price is that the density of points in the calm stretches is not kept.
 *
 * @module
 */

/**
 * The indices to keep, ascending; all of them when n ≤ maxPoints.
 *
 * @example
 * ```ts
 * decimateExtremes(6, 4, [(i) => [1, 5, 2, 0, 3, 1][i]!]); // [0, 1, 3, 4, 5]: buckets [0..2] and [3..5] keep min and max
 * ```
 */
export function decimateExtremes(n: number, maxPoints: number, keys: readonly ((i: number) => number)[]): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / (2 * Math.max(1, keys.length))));
  const keep = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    for (const key of keys) {
      let lo = from;
      let hi = from;
      for (let i = from + 1; i < to; i++) {
        const v = key(i);
        if (v < key(lo)) lo = i;
        if (v > key(hi)) hi = i;
      }
      keep.add(lo).add(hi);
    }
  }
  return [...keep].sort((a, b) => a - b);
}
