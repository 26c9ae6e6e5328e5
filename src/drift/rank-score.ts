/**
 * Distribution-free scores for drift charts: the sequential-rank normal score of a new ln(sigma) value against the
 * model's own reference values.
 *
 * The score of y against a reference of n values is
 *
 *   r = #{x < y} + ½·#{x = y}          (mid-rank, 0 ≤ r ≤ n)
 *   q = Φ⁻¹((r + ½) / (n + 1)) / cₙ,   cₙ² = (1/(n + 1))·Σⱼ₌₀ⁿ Φ⁻¹((j + ½)/(n + 1))².
 *
 * If y and the n reference values are independent draws from one continuous distribution (whatever its shape:
 * skewed, heavy-tailed, a mixture of clean and glitch-prone units), r is uniform on {0, …, n}, so q has mean exactly
 * 0 and variance exactly 1, and the sequential ranks of a growing reference are mutually independent (Barndorff-
 * Nielsen 1963; the basis of the sequential-rank CUSUM of McDonald 1990 and of Hawkins & Deng 2010). The map
 * (r + ½)/(n + 1) → Φ⁻¹ is van der Waerden's normal score: against the normal-theory score its asymptotic relative
 * efficiency is 1 for normal data and ≥ 1 for every other continuous shape (Chernoff & Savage 1958), so a right tail
 * costs no sensitivity, while its influence is bounded: |q| ≤ Φ⁻¹(1 − ½/(n + 1))/cₙ (2.28 for n = 30, 3.1 for
 * n = 500): one glitch unit cannot push a CUSUM far.
 *
 * @module
 */
import { normalQuantile } from '../core/stats/normal.js';

/** cₙ for n = 0, 1, … computed so far (a cache of a pure function). */
const scale: number[] = [];

/**
 * cₙ = √((1/(n + 1))·Σⱼ₌₀ⁿ Φ⁻¹((j + ½)/(n + 1))²): the standard deviation of the unscaled normal score of a uniform
 * rank among n + 1 positions. c₀ = 0 (one position, score 0).
 *
 * @example
 * ```ts
 * rankScoreScale(1); // 0.6744897501960817 (= Φ⁻¹(0.75): positions 0.25, 0.75)
 * rankScoreScale(3); // 0.8440… (positions 1/8, 3/8, 5/8, 7/8)
 * ```
 */
export function rankScoreScale(n: number): number {
  if (!Number.isInteger(n) || n < 0) return Number.NaN;
  let c = scale[n];
  if (c === undefined) {
    let s = 0;
    for (let j = 0; j <= n; j++) {
      const z = normalQuantile((j + 0.5) / (n + 1));
      s += z * z;
    }
    c = Math.sqrt(s / (n + 1));
    scale[n] = c;
  }
  return c;
}

/**
 * Mid-rank of y in an ascending array: the count of values below y plus half the count equal to it (binary search).
 *
 * @example
 * ```ts
 * midRank([1, 2, 2, 3], 2);   // 2 (1 below, 2 equal)
 * midRank([1, 2, 2, 3], 2.5); // 3
 * ```
 */
export function midRank(sorted: ArrayLike<number>, y: number): number {
  const below = lowerBound(sorted, y);
  let above = below;
  while (above < sorted.length && sorted[above]! === y) above++;
  return below + 0.5 * (above - below);
}

/** First index i with sorted[i] ≥ y (sorted.length when none). */
export function lowerBound(sorted: ArrayLike<number>, y: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The standardized normal score q of y against an ascending reference of n ≥ 1 values (see the module comment):
 * mean 0 and variance 1 exactly when y is exchangeable with the reference.
 *
 * @example
 * ```ts
 * rankNormalScore([1, 2, 3], 10);  // Φ⁻¹(7/8)/c₃ = 1.1503/0.8440 ≈ 1.363
 * rankNormalScore([1, 2, 3], 2);   // 0 (the median)
 * ```
 */
export function rankNormalScore(sorted: ArrayLike<number>, y: number): number {
  const n = sorted.length;
  const r = midRank(sorted, y);
  return normalQuantile((r + 0.5) / (n + 1)) / rankScoreScale(n);
}

/**
 * Within-sample normal scores of a series (each value against all the others of the series: rank among the n
 * values, Φ⁻¹((rank − ½)/n), standardized to unit variance), in the series' order. Used to measure the serial
 * correlation of a baseline on a scale that a right tail does not dominate.
 *
 * @example
 * ```ts
 * withinNormalScores([5, 1, 3]); // [Φ⁻¹(5/6), Φ⁻¹(1/6), 0] / √((2·0.9674²)/3) ≈ [1.2247, −1.2247, 0]
 * ```
 */
export function withinNormalScores(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(n).fill(0);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    const z = normalQuantile((0.5 * (i + j) + 0.5) / n); // mid-rank (1-based (i + j)/2 + 1) − ½, over n
    for (let m = i; m <= j; m++) out[order[m]![1]] = z;
    i = j + 1;
  }
  const ss = out.reduce((a, z) => a + z * z, 0) / n;
  return ss > 0 ? out.map((z) => z / Math.sqrt(ss)) : out;
}
