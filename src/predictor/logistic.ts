/**
 * Ridge-penalised logistic regression fitted by Newton's method (IRLS), on standardised columns. Small and exact: it
 * serves as the track-only "expected failure" model behind the pooled forest's `model_ft_excess` column
 * (src/manager/pooled/pooled-context.ts), where five of them are fitted per train-all.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';

/** A fitted logistic model on standardised columns: `P(y = 1 | x) = 1 / (1 + exp(−(w0 + Σ w_j (x_j − mean_j) / scale_j)))`. */
export interface LogisticModel {
  /** Column means over the fitted rows. */
  readonly mean: readonly number[];
  /** Column standard deviations (population) over the fitted rows; 1 for a constant column. */
  readonly scale: readonly number[];
  /** Intercept first, then one weight per column. */
  readonly weights: readonly number[];
}

/** Options of {@link fitLogistic}. */
export interface LogisticFitOptions {
  /** The rows to fit (default all). */
  readonly include?: (row: number) => boolean;
  /** Weights to start Newton's method from (intercept first), e.g. a fit on overlapping rows; the optimum is the same. */
  readonly start?: readonly number[];
  /**
   * Fit on at most this many of the selected rows, evenly spaced in row order (the k-th of `maxRows` is selected row
   * ⌊k·m/maxRows⌋ of m): a fixed, label-free choice that bounds the cost. Default: every selected row.
   */
  readonly maxRows?: number;
}

/** Ridge penalty on the (standardised) slopes: small, so that a separable or collinear data set still has one optimum. */
export const LOGISTIC_RIDGE = 1e-3;

/**
 * Fits a logistic regression by Newton's method, minimising
 * `Σ_i [log(1 + e^{z_i}) − y_i z_i] + (λ/2) Σ_{j≥1} w_j²` with `z_i = w0 + Σ_j w_j (x_ij − mean_j)/scale_j`
 * (λ = {@link LOGISTIC_RIDGE}, the intercept unpenalised), a Newton step that raises the objective halved back
 * toward the last point, until a step moves no weight by more than 1e-6 or gains less than 1e-10 of the objective
 * (at most 60 passes over the rows).
 * `data` is row-major with `stride` values per row, of which the first `columns` are used; {@link LogisticFitOptions}
 * select the rows and the start. All used values must be finite.
 *
 * @example
 * ```ts
 * // one binary column: rows x = 0 fail 1 in 4, rows x = 1 fail 3 in 4; the fit reproduces both rates (λ ≈ 0):
 * const m = fitLogistic(Float64Array.of(0, 0, 0, 0, 1, 1, 1, 1), 1, 1, Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 0));
 * logisticProbability(m, Float64Array.of(0), 0); // ≈ 0.25
 * ```
 */
export function fitLogistic(
  data: Float64Array,
  stride: number,
  columns: number,
  labels: ArrayLike<number>,
  options: LogisticFitOptions = {},
): LogisticModel {
  const include = options.include ?? (() => true);
  const start = options.start;
  const n = labels.length;
  if (data.length < n * stride || columns > stride)
    throw new InvalidInputError(
      `fitLogistic: ${data.length} values do not hold ${n} rows of ${stride} (using ${columns}); pass row-major data.`,
    );
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (include(i)) rows.push(i);
  if (rows.length === 0) throw new InvalidInputError('fitLogistic: no row selected; fit on at least one row.');
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  if (rows.length > maxRows) {
    const all = rows.splice(0);
    for (let k = 0; k < maxRows; k++) rows.push(all[Math.floor((k * all.length) / maxRows)]!);
  }
  const mean = new Array<number>(columns).fill(0);
  const scale = new Array<number>(columns).fill(0);
  for (const i of rows) for (let j = 0; j < columns; j++) mean[j]! += data[i * stride + j]!;
  for (let j = 0; j < columns; j++) mean[j]! /= rows.length;
  for (const i of rows) for (let j = 0; j < columns; j++) scale[j]! += (data[i * stride + j]! - mean[j]!) ** 2;
  for (let j = 0; j < columns; j++) scale[j] = Math.sqrt(scale[j]! / rows.length) || 1;
  const p = columns + 1;
  // Standardised design, intercept column first.
  const z = new Float64Array(rows.length * p);
  rows.forEach((i, r) => {
    z[r * p] = 1;
    for (let j = 0; j < columns; j++) {
      const v = data[i * stride + j]!;
      if (!Number.isFinite(v)) throw new InvalidInputError(`fitLogistic: column ${j} of row ${i} is ${v}; impute missing values first.`);
      z[r * p + j + 1] = (v - mean[j]!) / scale[j]!;
    }
  });
  const w = new Float64Array(p);
  if (start && start.length === p) w.set(start);
  const m = rows.length;
  const ys = new Float64Array(m);
  for (let r = 0; r < m; r++) ys[r] = labels[rows[r]!]!;
  const g = new Float64Array(p);
  const h = new Float64Array(p * p);
  // The last accepted point, its objective and Newton step: a point whose objective is higher is replaced by the
  // point halfway back (step halving; a far start would otherwise overshoot). The objective is computed in the same
  // pass as the gradient and Hessian.
  const previous = new Float64Array(p);
  let previousValue = Number.POSITIVE_INFINITY;
  let delta: Float64Array = new Float64Array(p);
  let t = 1;
  for (let pass = 0; pass < 60; pass++) {
    g.fill(0);
    h.fill(0);
    let value = 0;
    for (let r = 0; r < m; r++) {
      const o = r * p;
      let e = 0;
      for (let a = 0; a < p; a++) e += w[a]! * z[o + a]!;
      const y = ys[r]!;
      // softplus(e) = max(e, 0) + ln(1 + e^−|e|), and q = 1 / (1 + e^−e), from one exponential.
      const x = Math.exp(-Math.abs(e));
      value += (e > 0 ? e : 0) + Math.log1p(x) - y * e;
      const q = e >= 0 ? 1 / (1 + x) : x / (1 + x);
      const res = q - y;
      const wt = q * (1 - q);
      for (let a = 0; a < p; a++) {
        const za = z[o + a]!;
        g[a]! += res * za;
        const wza = wt * za;
        for (let b = 0; b <= a; b++) h[a * p + b]! += wza * z[o + b]!;
      }
    }
    for (let a = 1; a < p; a++) {
      value += 0.5 * LOGISTIC_RIDGE * w[a]! * w[a]!;
      g[a]! += LOGISTIC_RIDGE * w[a]!;
      h[a * p + a]! += LOGISTIC_RIDGE;
    }
    if (value > previousValue) {
      // Higher by rounding only, or still higher after ten halvings: the last point is the optimum to rounding.
      t /= 2;
      if (value - previousValue <= 1e-12 * Math.abs(previousValue) || t < 1e-3) {
        w.set(previous);
        break;
      }
      for (let a = 0; a < p; a++) w[a] = previous[a]! - t * delta[a]!;
      continue;
    }
    // Converged when the step's objective gain is below 1e-10 of the objective.
    if (previousValue - value <= 1e-10 * Math.abs(value)) break;
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) h[a * p + b] = h[b * p + a]!;
    delta = solveSymmetric(h, g, p);
    previous.set(w);
    previousValue = value;
    t = 1;
    let moved = 0;
    for (let a = 0; a < p; a++) {
      w[a]! -= delta[a]!;
      moved = Math.max(moved, Math.abs(delta[a]!));
    }
    if (!(moved > 1e-6)) break;
  }
  return { mean, scale, weights: Array.from(w) };
}

/** Solves `A x = b` for a symmetric positive definite `A` (p × p, row-major) by Cholesky; a copy, inputs untouched. */
function solveSymmetric(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
      l[i * p + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * p + j]!;
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * p + k]! * y[k]!;
    y[i] = s / l[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * x[k]!;
    x[i] = s / l[i * p + i]!;
  }
  return x;
}

/** `P(y = 1)` of the row at `offset` of `data` (its first `mean.length` values) under a fitted {@link LogisticModel}. */
export function logisticProbability(m: LogisticModel, data: ArrayLike<number>, offset: number): number {
  let e = m.weights[0]!;
  for (let j = 0; j < m.mean.length; j++) e += m.weights[j + 1]! * ((data[offset + j]! - m.mean[j]!) / m.scale[j]!);
  return 1 / (1 + Math.exp(-e));
}
