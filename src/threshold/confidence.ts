/**
 * The confidence of a learned threshold.
 *
 * @module
 */

/** What `thresholdConfidence` is computed from. */
export interface ConfidenceInputs {
  /** Severity-weighted AUC of sigma, failures against passes, on all units. */
  readonly auc: number;
  /** `(ln p95 − ln p5) / 2` of the bootstrap thresholds (`BootstrapSummary.logHalfWidth`). */
  readonly logHalfWidth: number;
  /** `min(failures, passes)`: the count that limits how well a cut can be placed. */
  readonly minorityCount: number;
}

/** The scales of `thresholdConfidence` (options `spreadScale` and `supportScale`). */
export interface ConfidenceScales {
  readonly spreadScale: number;
  readonly supportScale: number;
}

/**
 * `confidence = separation × stability × support`, in [0, 1]:
 *
 * - `separation = clamp((AUC − 0.5) / 0.5, 0, 1)`: 0 when sigma does not rank failures above passes, 1 when every
 *   failure has a higher sigma than every pass;
 * - `stability = exp(−w / spreadScale)`, with `w = (ln p95 − ln p5) / 2` the half-width, in natural-log units, of
 *   the 90 % percentile interval of the threshold over a seeded stratified bootstrap. With the default
 *   `spreadScale = ln 1.5`, a threshold known to ±50 % scores e^−1 ≈ 0.37, to ±10 % (w = ln 1.1) 0.79, exactly 1;
 * - `support = m / (m + supportScale)` with `m = min(failures, passes)`: default `supportScale = 10` gives 0.33 at
 *   5 failures, 0.67 at 20, 0.91 at 100. It is there because a cut point is a non-smooth (cube-root) estimator for
 *   which the bootstrap interval is unreliable and often too narrow in small samples (Abrevaya & Huang 2005), so the
 *   bootstrap alone would over-trust a threshold placed from a dozen failures.
 *
 * More units (narrower interval, larger minority class) or better separation (higher AUC) raise it; it is high only
 * when sigma separates the outcomes, the data pin the cut down, and there are enough failures and passes to say so.
 *
 * @example
 * ```ts
 * thresholdConfidence({ auc: 0.9, logHalfWidth: Math.log(1.1), minorityCount: 40 }, { spreadScale: Math.log(1.5), supportScale: 10 });
 * // 0.8 × exp(−ln 1.1 / ln 1.5) × 40/50 = 0.8 × 0.79052 × 0.8 ≈ 0.50593
 * ```
 */
export function thresholdConfidence(inputs: ConfidenceInputs, scales: ConfidenceScales): number {
  const separation = Math.max(0, Math.min(1, (inputs.auc - 0.5) / 0.5));
  const stability = Math.exp(-Math.max(0, inputs.logHalfWidth) / scales.spreadScale);
  const m = Math.max(0, inputs.minorityCount);
  const support = m === 0 ? 0 : m / (m + scales.supportScale);
  return separation * stability * support;
}
