/**
 * Seeded stratified bootstrap of the cost-optimal threshold.
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import { quantilesLinear } from '../core/stats/descriptive.js';
import { searchCostOptimalThreshold } from './cost-search.js';
import type { BootstrapSummary, ThresholdObjective } from './types.js';

/**
 * Draws `resamples` stratified bootstrap resamples (failures resampled with replacement among the failures,
 * passes among the passes, so each resample keeps the class counts) and recomputes the cost-optimal threshold of
 * each. Resamples with a single distinct sigma value give no threshold and are left out (`valid` counts the rest).
 * p5 / p50 / p95 are numpy-linear (type 7) percentiles (core `quantilesLinear`) of the valid thresholds. Returns `null` when no resample is valid.
 *
 * With `soft` (each unit's probability of failing, see `groupBySigmaSoft`) the resamples draw `n` units with
 * replacement from all of them (the classes are not known, so they cannot be stratified) and each drawn unit adds
 * `soft_i · severity_i` to the failures and `1 − soft_i` to the passes.
 *
 * @param order - indices of the units used, ascending by sigma.
 * @example
 * ```ts
 * const summary = bootstrapThreshold(sigma, fail, severity, sortBySigma(sigma), objective, 200, createRng(42));
 * summary?.p5; // lower end of the 90 % interval of the threshold
 * ```
 */
export function bootstrapThreshold(
  sigma: Float64Array,
  fail: Uint8Array,
  severity: Float64Array,
  order: Int32Array,
  objective: ThresholdObjective,
  resamples: number,
  rng: Rng,
  soft?: Float64Array,
): BootstrapSummary | null {
  // Group index of every unit in `order` (a resample's groups are the full data's groups with a nonzero count), so
  // that a resample costs O(draws + groups) with reused buffers; the draws are those of a multiplicity vector filled
  // failures first, then passes, as before.
  const groupOf = new Int32Array(sigma.length);
  const values = new Float64Array(order.length);
  let G = 0;
  // The units drawn from for failures (all units with `soft`) and for passes (none with `soft`).
  const fails: number[] = [];
  const passes: number[] = [];
  for (const i of order) {
    if (G === 0 || values[G - 1] !== sigma[i]) values[G++] = sigma[i]!;
    groupOf[i] = G - 1;
    (soft || fail[i] === 1 ? fails : passes).push(i);
  }
  const fw = new Float64Array(G);
  const pw = new Float64Array(G);
  const cv = new Float64Array(G);
  const cf = new Float64Array(G);
  const cp = new Float64Array(G);
  const thresholds: number[] = [];
  for (let b = 0; b < resamples; b++) {
    fw.fill(0);
    pw.fill(0);
    let totalFail = 0;
    let totalPass = 0;
    for (let k = 0; k < fails.length; k++) {
      const i = fails[rng.nextInt(fails.length)]!;
      const q = soft ? soft[i]! : 1;
      fw[groupOf[i]!]! += q * severity[i]!;
      totalFail += q * severity[i]!;
      if (soft) {
        pw[groupOf[i]!]! += 1 - q;
        totalPass += 1 - q;
      }
    }
    for (let k = 0; k < passes.length; k++) {
      const i = passes[rng.nextInt(passes.length)]!;
      pw[groupOf[i]!]! += 1;
      totalPass += 1;
    }
    let k = 0;
    for (let g = 0; g < G; g++) {
      if (fw[g] === 0 && pw[g] === 0) continue;
      cv[k] = values[g]!;
      cf[k] = fw[g]!;
      cp[k] = pw[g]!;
      k++;
    }
    const groups = { values: cv.subarray(0, k), failWeight: cf.subarray(0, k), passWeight: cp.subarray(0, k), totalFail, totalPass };
    const search = searchCostOptimalThreshold(groups, objective);
    if (search) thresholds.push(search.threshold);
  }
  if (thresholds.length === 0) return null;
  const [p5, p50, p95] = quantilesLinear(thresholds, [0.05, 0.5, 0.95]) as [number, number, number];
  return {
    resamples,
    valid: thresholds.length,
    p5,
    p50,
    p95,
    logHalfWidth: (Math.log(p95) - Math.log(p5)) / 2,
  };
}
