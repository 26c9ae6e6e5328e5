/**
 * Small descriptive statistics shared by the per-model components. Every function takes finite numbers only (the
 * caller filters), never returns NaN, and returns `null` where the statistic is undefined (empty input, ddof=1 with
 * one value, correlation with zero variance), so a degenerate model yields `null`, not NaN.
 *
 * Percentiles are numpy's default `'linear'` method (R type 7), via simple-statistics' `quantileSorted`.
 *
 * @module
 */
import { quantileSorted, sampleRankCorrelation } from 'simple-statistics';
import { InvalidInputError } from '../errors.js';

/**
 * Arithmetic mean, `Σx / n` (computed as `x₀ + Σ(x − x₀) / n`); `null` for an empty input.
 *
 * @example
 * ```ts
 * mean([1, 2, 6]); // 3
 * mean([]);        // null
 * ```
 */
export function mean(values: readonly number[]): number | null {
  const first = values[0];
  if (first === undefined) return null;
  // Shifted by the first value: exact for constant data (so a constant sample has std exactly 0, not 1e-20,
  // and a correlation with it is null, not noise), and more accurate for data far from 0.
  let s = 0;
  for (const v of values) s += v - first;
  return first + s / values.length;
}

/**
 * Sample variance with ddof = 1, `Σ(x − x̄)² / (n − 1)` (two-pass, numerically stable); `null` when n < 2.
 *
 * @example
 * ```ts
 * sampleVariance([2, 4, 4, 4, 5, 5, 7, 9]); // 32 / 7 = 4.571428…
 * ```
 */
export function sampleVariance(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values) as number;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (n - 1);
}

/**
 * Sample standard deviation with ddof = 1 (numpy `std(x, ddof=1)`); `null` when n < 2.
 *
 * @example
 * ```ts
 * sampleStd([2, 4, 4, 4, 5, 5, 7, 9]); // √(32 / 7) = 2.13809…
 * ```
 */
export function sampleStd(values: readonly number[]): number | null {
  const v = sampleVariance(values);
  return v === null ? null : Math.sqrt(v);
}

/**
 * Percentiles by numpy's default `'linear'` method (R type 7): with the values sorted ascending as `s[0..n-1]`,
 * `h = (n − 1)·p`, result `s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋+1] − s[⌊h⌋])`. Sorts once for all `ps`. Returns `null`
 * for each p when the input is empty.
 *
 * @param ps - probabilities in [0, 1] (not percents).
 * @example
 * ```ts
 * quantilesLinear([1, 2, 3, 4], [0.05, 0.5, 0.95]); // [1.15, 2.5, 3.85]
 * ```
 */
export function quantilesLinear(values: readonly number[], ps: readonly number[]): (number | null)[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 1))
      throw new InvalidInputError(`quantilesLinear: probability must be in [0, 1] (0.95 for the 95th percentile), got ${p}.`);
  }
  if (values.length === 0) return ps.map(() => null);
  const sorted = [...values].sort((a, b) => a - b);
  return ps.map((p) => quantileSorted(sorted, p));
}

/**
 * One percentile by numpy's `'linear'` method (see {@link quantilesLinear}); `null` for an empty input.
 *
 * @example
 * ```ts
 * quantileLinear([10, 20, 30], 0.95); // 20 + 0.9 · 10 = 29
 * ```
 */
export function quantileLinear(values: readonly number[], p: number): number | null {
  return quantilesLinear(values, [p])[0] ?? null;
}

/**
 * Pearson product-moment correlation `Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² · Σ(y−ȳ)²)`; on 0/1 indicators it is the phi
 * coefficient. `null` when n < 2 or either variable has zero variance. Clamped to [−1, 1] against rounding.
 *
 * @example
 * ```ts
 * pearsonCorrelation([1, 2, 3], [2, 4, 7]); // 5 / √(2 · 12.6667) = 0.99339…
 * ```
 */
export function pearsonCorrelation(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length)
    throw new InvalidInputError(`pearsonCorrelation: lengths differ (${x.length} vs ${y.length}); pass paired values.`);
  if (x.length < 2) return null;
  const mx = mean(x) as number;
  const my = mean(y) as number;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Spearman rank correlation: Pearson correlation of the midranks of x and of y (ties averaged; scipy's
 * `spearmanr`), by simple-statistics' `sampleRankCorrelation`. `null` when n < 2 or either variable is constant;
 * clamped to [−1, 1] against rounding.
 *
 * @example
 * ```ts
 * spearmanCorrelation([1, 10, 100], [3, 2, 1]); // −1
 * spearmanCorrelation([1, 1, 2], [1, 2, 3]);    // ranks [1.5, 1.5, 3] vs [1, 2, 3]: 1.5 / √3 = 0.866…
 * ```
 */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length)
    throw new InvalidInputError(`spearmanCorrelation: lengths differ (${x.length} vs ${y.length}); pass paired values.`);
  if (x.length < 2) return null;
  const r = sampleRankCorrelation(x, y);
  return Number.isNaN(r) ? null : Math.max(-1, Math.min(1, r));
}

/**
 * Mean moving range of consecutive values, `Σ|x[i] − x[i−1]| / (n − 1)` (the order is the caller's: time order
 * for a control chart); `null` when n < 2. Divided by d2 = 1.128 it estimates σ within (Shewhart individuals chart).
 *
 * @example
 * ```ts
 * meanMovingRange([10, 12, 11, 13]); // (2 + 1 + 2) / 3 = 1.6667
 * ```
 */
export function meanMovingRange(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  let s = 0;
  for (let i = 1; i < values.length; i++) s += Math.abs((values[i] as number) - (values[i - 1] as number));
  return s / (values.length - 1);
}
