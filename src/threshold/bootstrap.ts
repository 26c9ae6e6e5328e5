/**
 * Seeded stratified bootstrap of the cost-optimal threshold.
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import { quantilesLinear } from '../core/stats/descriptive.js';
import { searchCostOptimalThreshold } from './cost-search.js';
import { groupBySigma } from './sigma-groups.js';
import type { BootstrapSummary, ThresholdObjective } from './types.js';

/**
 * Draws `resamples` stratified bootstrap resamples (failures resampled with replacement among the failures,
 * passes among the passes, so each resample keeps the class counts) and recomputes the cost-optimal threshold of
 * each. Resamples with a single distinct sigma value give no threshold and are left out (`valid` counts the rest).
 * p5 / p50 / p95 are numpy-linear (type 7) percentiles (core `quantilesLinear`) of the valid thresholds. Returns `null` when no resample is valid.
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
): BootstrapSummary | null {
  const fails: number[] = [];
  const passes: number[] = [];
  for (const i of order) (fail[i] === 1 ? fails : passes).push(i);
  const mult = new Float64Array(sigma.length);
  const thresholds: number[] = [];
  for (let b = 0; b < resamples; b++) {
    mult.fill(0);
    for (const cls of [fails, passes]) {
      for (let k = 0; k < cls.length; k++) mult[cls[rng.nextInt(cls.length)]!]! += 1;
    }
    const search = searchCostOptimalThreshold(groupBySigma(sigma, fail, severity, order, mult), objective);
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
