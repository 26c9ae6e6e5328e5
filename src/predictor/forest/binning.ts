/**
 * Quantile binning of the features, done once per fit: each feature gets at most `maxBins` bins whose edges
 * (`cuts`) are midpoints between adjacent distinct training values, so a split "bin ≤ b" is exactly the real-valued
 * rule "x ≤ cuts[b]" on the training rows and predictions can work on raw values.
 *
 * @module
 */
import type { RowMajorMatrix } from './matrix.js';

/** Binned training data. */
export interface BinnedFeatures {
  /** Bin codes, column-major: the bin of row i in feature f is `codes[f * rows + i]`. */
  readonly codes: Uint8Array;
  /** Per feature, the ascending bin edges: bin b holds values in (cuts[b-1], cuts[b]]; the last bin is (cuts[last], ∞). */
  readonly cuts: Float64Array[];
  readonly rows: number;
  readonly cols: number;
}

/**
 * The midpoint of two adjacent distinct values a < b, nudged down to `a` when rounding makes it equal `b` (as
 * scikit-learn does), so that `a ≤ t < b` always holds.
 */
export function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= b ? a : m;
}

/**
 * Edges of at most `maxBins` bins for one sorted column. With ≤ maxBins distinct values every distinct value has its
 * own bin; otherwise an edge is placed after the distinct value at which the cumulative count first reaches each
 * target k·n/maxBins (k = 1 … maxBins−1), so bins hold about n/maxBins rows each (ties never straddle a bin).
 */
export function quantileCuts(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  // Distinct values and their counts.
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (values.length > 0 && values[values.length - 1] === v) counts[counts.length - 1]!++;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  const u = values.length;
  if (u <= maxBins) {
    const cuts = new Float64Array(u - 1);
    for (let k = 0; k < u - 1; k++) cuts[k] = midpoint(values[k]!, values[k + 1]!);
    return cuts;
  }
  const cuts: number[] = [];
  let cum = 0;
  let k = 1;
  for (let j = 0; j < u - 1 && k < maxBins; j++) {
    cum += counts[j]!;
    if (cum >= (k * n) / maxBins) {
      cuts.push(midpoint(values[j]!, values[j + 1]!));
      while (k < maxBins && cum >= (k * n) / maxBins) k++;
    }
  }
  return Float64Array.from(cuts);
}

/** Index of the bin of `x`: the smallest b with x ≤ cuts[b], or cuts.length. */
export function binOf(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bins every feature of X into at most `maxBins` (≤ 256) quantile bins.
 *
 * @example
 * ```ts
 * const b = binFeatures({ data: Float64Array.of(1, 5, 2, 5, 3, 7), rows: 3, cols: 2 }, 256);
 * b.cuts[0]; // Float64Array [1.5, 2.5]
 * b.codes;   // Uint8Array [0, 1, 2, 0, 0, 1]  (column-major)
 * ```
 */
export function binFeatures(x: RowMajorMatrix, maxBins: number): BinnedFeatures {
  const { rows: n, cols: d, data } = x;
  const codes = new Uint8Array(n * d);
  const cuts: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) col[i] = data[i * d + f]!;
    const sorted = col.slice().sort();
    const c = quantileCuts(sorted, maxBins);
    cuts.push(c);
    const base = f * n;
    for (let i = 0; i < n; i++) codes[base + i] = binOf(c, col[i]!);
  }
  return { codes, cuts, rows: n, cols: d };
}
