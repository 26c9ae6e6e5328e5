/**
 * Accuracy of a sigma threshold against outcomes.
 *
 * @module
 */

/**
 * Accuracy of `sigma ≤ threshold` as a "pass" prediction, with **fail as the positive class**: a unit is predicted
 * to fail when `sigma > threshold`. TP = failures predicted to fail, TN = passes predicted to pass,
 * FN = failures passed (escapes), FP = passes rejected.
 * `accuracy = (TP + TN) / n`, `tpr = TP / (TP + FN)`, `tnr = TN / (TN + FP)`,
 * `balancedAccuracy = (tpr + tnr) / 2`. Unweighted: every unit counts once (severity shapes the search, not this report).
 *
 * @param threshold - one threshold for all units, or a per-unit threshold (indexed like `sigma`, e.g. the formula).
 * @param units - the unit indices evaluated.
 * @returns `null` when `units` holds no failure or no pass (TPR or TNR undefined).
 * @example
 * ```ts
 * // sigma 1, 2, 3, 4; fail 0, 1, 0, 1; t = 2.5 → TP = 1 (4), FN = 1 (2), TN = 1 (1), FP = 1 (3)
 * thresholdAccuracy(Float64Array.from([1, 2, 3, 4]), Uint8Array.from([0, 1, 0, 1]), 2.5, [0, 1, 2, 3]);
 * // { accuracy: 0.5, balancedAccuracy: 0.5, tpr: 0.5, tnr: 0.5 }
 * ```
 */
export function thresholdAccuracy(
  sigma: Float64Array,
  fail: Uint8Array,
  threshold: number | Float64Array,
  units: ArrayLike<number>,
): { accuracy: number; balancedAccuracy: number; tpr: number; tnr: number } | null {
  let tp = 0;
  let fn = 0;
  let tn = 0;
  let fp = 0;
  for (let k = 0; k < units.length; k++) {
    const i = units[k]!;
    const t = typeof threshold === 'number' ? threshold : threshold[i]!;
    const predictedFail = sigma[i]! > t;
    if (fail[i] === 1) {
      if (predictedFail) tp++;
      else fn++;
    } else if (predictedFail) fp++;
    else tn++;
  }
  if (tp + fn === 0 || tn + fp === 0) return null;
  const tpr = tp / (tp + fn);
  const tnr = tn / (tn + fp);
  return { accuracy: (tp + tn) / units.length, balancedAccuracy: (tpr + tnr) / 2, tpr, tnr };
}
