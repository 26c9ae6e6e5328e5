/**
 * The confidence of a learned threshold.
 *
 * @module
 */

/**
 * `confidence = separation × stability`, in [0, 1]:
 *
 * - `separation = max(0, (AUC − 0.5) / 0.5)`, with AUC the severity-weighted AUC of sigma, failures against
 *   passes, on all units (0 when sigma does not rank failures above passes, 1 when it does perfectly);
 * - `stability = exp(−w / spreadScale)`, with `w = (ln p95 − ln p5) / 2` the half-width, in natural-log units, of
 *   the 90 % percentile interval of the threshold over a seeded stratified bootstrap (the interval narrows as the
 *   sample grows, roughly as 1/√n). With the default `spreadScale = ln 1.5`, a threshold known to ±50 % scores
 *   e^−1 ≈ 0.37, to ±10 % (w ≈ 0.095) 0.79, exactly 1.
 *
 * The product is high only when sigma separates the outcomes **and** the data pin the cut down.
 *
 * @example
 * ```ts
 * thresholdConfidence(0.9, Math.log(1.1), Math.log(1.5)); // 0.8 × exp(−ln 1.1 / ln 1.5) ≈ 0.8 × 0.790 = 0.632
 * ```
 */
export function thresholdConfidence(auc: number, logHalfWidth: number, spreadScale: number): number {
  const separation = Math.max(0, Math.min(1, (auc - 0.5) / 0.5));
  const stability = Math.exp(-Math.max(0, logHalfWidth) / spreadScale);
  return separation * stability;
}
