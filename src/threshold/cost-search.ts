/**
 * The cost-minimising sigma threshold.
 *
 * A unit is passed by threshold `t` when `sigma ≤ t`. With `c = costRatio = costEscape / costReject`:
 *
 * - `escapes(t)  = Σ_{fail i, σ_i ≤ t} severity_i` (failures the threshold passes),
 * - `rejects(t)  = #{pass j, σ_j > t}` (good units the threshold rejects),
 * - `cost(t) = c · escapes(t) / W_fail + rejects(t) / N_pass` with normalisation `class-totals`
 *   (`W_fail` = total failure severity, `N_pass` = number of passes), or `c · escapes(t) + rejects(t)` with `none`.
 *
 * With `class-totals` and `c = 1`, `cost(t) = (1 − wTPR) + (1 − TNR) = 2 · (1 − wBA)` where `wTPR` is the
 * severity-weighted share of failures rejected and `wBA` the severity-weighted balanced accuracy: the optimum is the
 * severity-weighted Youden point, and the pass rate of the model does not move it.
 *
 * The cost is constant between consecutive distinct sigma values, so the candidates are the cuts between them
 * (distinct values − 1 candidates). Among the cuts of minimal cost (equal within 1e-12 relative), consecutive cuts form
 * a plateau: every `t` in the open interval (`plateauLow`, `plateauHigh`) between the two units bounding it has the
 * minimal cost. The widest plateau in log space is chosen (ties: the lowest, which lets fewer failures escape), and
 * the threshold is its geometric middle `√(low · high)`: the point farthest, in ratio, from both bounding units
 * (the largest margin). For a one-cut plateau this is the log-space midpoint of the two neighbouring sigma values.
 *
 * @module
 */
import type { SigmaGroups } from './sigma-groups.js';
import type { CostSearch, ThresholdObjective } from './types.js';

const REL_TIE = 1e-12;

/** The cost of every candidate cut: `cut k` lies between `values[k]` and `values[k + 1]` of the groups. */
export interface CostCurve {
  /** Geometric midpoint `√(values[k] · values[k + 1])` of each cut. */
  readonly thresholds: Float64Array;
  readonly costs: Float64Array;
  readonly costPassAll: number;
  readonly costRejectAll: number;
}

/**
 * The cost (see the module comment) of every candidate cut, for inspection and plots. Returns `null` when there is
 * no candidate (fewer than two distinct sigma values) or a class has zero weight.
 *
 * @example
 * ```ts
 * const sigma = Float64Array.from([1, 2, 4]);
 * const curve = costCurve(groupBySigma(sigma, Uint8Array.from([0, 1, 1]), Float64Array.from([1, 2, 2]), sortBySigma(sigma)),
 *   { costRatio: 1, normalization: 'class-totals' });
 * // cuts √2 and √8: costs [0, 0.5]
 * ```
 */
export function costCurve(groups: SigmaGroups, objective: ThresholdObjective): CostCurve | null {
  const run = cumulativeCosts(groups, objective);
  if (run === null) return null;
  const { values } = groups;
  const thresholds = new Float64Array(values.length - 1);
  for (let k = 0; k < values.length - 1; k++) thresholds[k] = Math.sqrt(values[k]!) * Math.sqrt(values[k + 1]!);
  return { thresholds, ...run };
}

/**
 * The cost of cutting after each sigma group (one running sum over the groups) and of the two trivial cuts, shared by
 * {@link costCurve} and {@link searchCostOptimalThreshold} (which runs once per bootstrap resample and needs no
 * candidate thresholds); `null` with fewer than two groups or a class of zero weight.
 */
function cumulativeCosts(
  groups: SigmaGroups,
  objective: ThresholdObjective,
): { costs: Float64Array; costPassAll: number; costRejectAll: number } | null {
  const { values, failWeight, passWeight, totalFail, totalPass } = groups;
  const G = values.length;
  if (G < 2 || totalFail <= 0 || totalPass <= 0) return null;
  const norm = objective.normalization === 'class-totals';
  const escapeUnit = norm ? objective.costRatio / totalFail : objective.costRatio;
  const rejectUnit = norm ? 1 / totalPass : 1;
  const costs = new Float64Array(G - 1);
  let escapes = 0;
  let rejects = totalPass;
  for (let k = 0; k < G - 1; k++) {
    escapes += failWeight[k]!;
    rejects -= passWeight[k]!;
    costs[k] = escapeUnit * escapes + rejectUnit * rejects;
  }
  return { costs, costPassAll: escapeUnit * totalFail, costRejectAll: rejectUnit * totalPass };
}

/**
 * Finds the cost-minimising threshold (see the module comment for the objective and the tie rule). Returns `null`
 * when there is no candidate (fewer than two distinct sigma values) or a class has zero weight.
 *
 * @example
 * ```ts
 * const sigma = Float64Array.from([1, 2, 4, 8]);
 * const fail = Uint8Array.from([0, 0, 1, 1]);
 * const groups = groupBySigma(sigma, fail, Float64Array.from([1, 1, 2, 2]), sortBySigma(sigma));
 * searchCostOptimalThreshold(groups, { costRatio: 1, normalization: 'class-totals' }).threshold; // √(2·4) ≈ 2.83
 * ```
 */
export function searchCostOptimalThreshold(groups: SigmaGroups, objective: ThresholdObjective): CostSearch | null {
  const curve = cumulativeCosts(groups, objective);
  if (curve === null) return null;
  const { values } = groups;
  const G = values.length;
  const { costs } = curve;
  let best = Number.POSITIVE_INFINITY;
  for (const cost of costs) if (cost < best) best = cost;
  const tol = REL_TIE * Math.max(1, Math.abs(best));
  let bestLow = 0;
  let bestHigh = 0;
  let bestWidth = Number.NEGATIVE_INFINITY;
  let k = 0;
  while (k < G - 1) {
    if (costs[k]! > best + tol) {
      k++;
      continue;
    }
    const start = k;
    while (k + 1 < G - 1 && costs[k + 1]! <= best + tol) k++;
    const low = values[start]!;
    const high = values[k + 1]!;
    const width = Math.log(high) - Math.log(low);
    if (width > bestWidth * (1 + REL_TIE) + REL_TIE) {
      bestWidth = width;
      bestLow = low;
      bestHigh = high;
    }
    k++;
  }
  return {
    threshold: Math.sqrt(bestLow) * Math.sqrt(bestHigh),
    cost: best,
    costPassAll: curve.costPassAll,
    costRejectAll: curve.costRejectAll,
    plateauLow: bestLow,
    plateauHigh: bestHigh,
    candidates: G - 1,
  };
}
