/**
 * One threshold fit on a set of units: the data rules that decide whether a threshold may be learned at all, then
 * the cost search. Used on all units and on the training part of the hold-out.
 *
 * @module
 */
import { searchCostOptimalThreshold } from './cost-search.js';
import { groupBySigma, sortBySigma, weightedAuc } from './sigma-groups.js';
import type { CostSearch, ResolvedThresholdOptions, ThresholdCounts, ThresholdNotLearnedReason, ThresholdObjective } from './types.js';

/** The outcome of {@link fitThreshold}. */
export interface ThresholdFit {
  readonly reason: 'learned' | ThresholdNotLearnedReason;
  readonly message: string;
  /** The learned threshold, or `null`. */
  readonly threshold: number | null;
  readonly counts: ThresholdCounts;
  readonly search: CostSearch | null;
  readonly auc: number | null;
  /** The units, ascending by sigma. */
  readonly order: Int32Array;
}

/**
 * Learns the threshold of the units `subset` (default: all), or says why not. The rules, in this order:
 * `too_few_samples` (n < minSamples), `no_failures`, `no_passes`, `too_few_failures` (< minFailures),
 * `too_few_passes` (< minPasses), `constant_sigma` (one distinct value), `no_separation` (severity-weighted AUC
 * ≤ minAuc, i.e. failures do not have higher sigma than passes, or the best cut lowers the cost of the better of
 * "pass all" / "reject all" by less than `minCostReduction` of it).
 *
 * @example
 * ```ts
 * const fit = fitThreshold(sigma, fail, severity, options);
 * fit.reason === 'learned' ? fit.threshold : null;
 * ```
 */
export function fitThreshold(
  sigma: Float64Array,
  fail: Uint8Array,
  severity: Float64Array,
  options: ResolvedThresholdOptions,
  subset?: Int32Array,
): ThresholdFit {
  const order = sortBySigma(sigma, subset);
  const groups = groupBySigma(sigma, fail, severity, order);
  const n = order.length;
  let failures = 0;
  for (const i of order) failures += fail[i]!;
  const passes = n - failures;
  const counts: ThresholdCounts = { n, failures, passes, distinctSigma: groups.values.length };
  const objective: ThresholdObjective = { costRatio: options.costRatio, normalization: options.normalization };
  const auc = weightedAuc(groups);
  const search = searchCostOptimalThreshold(groups, objective);
  const no = (reason: ThresholdNotLearnedReason, message: string): ThresholdFit => ({
    reason,
    message: `${message} The formula threshold stays.`,
    threshold: null,
    counts,
    search,
    auc,
    order,
  });
  if (n < options.minSamples) return no('too_few_samples', `Only ${n} units (a threshold needs ${options.minSamples}).`);
  if (failures === 0) return no('no_failures', `No failures among ${n} units: nothing to separate.`);
  if (passes === 0) return no('no_passes', `Every one of ${n} units failed: nothing to separate.`);
  if (failures < options.minFailures) {
    return no('too_few_failures', `Only ${failures} failures among ${n} units (a threshold needs ${options.minFailures}).`);
  }
  if (passes < options.minPasses) {
    return no('too_few_passes', `Only ${passes} passes among ${n} units (a threshold needs ${options.minPasses}).`);
  }
  if (search === null || auc === null) {
    return no('constant_sigma', `All ${n} units have the same sigma (${sigma[order[0]!]}): no threshold can separate them.`);
  }
  if (auc <= options.minAuc) {
    return no(
      'no_separation',
      `Failures do not have higher sigma than passes (severity-weighted AUC ${auc.toFixed(3)} ≤ ${options.minAuc}): a sigma ceiling cannot separate them.`,
    );
  }
  const trivial = Math.min(search.costPassAll, search.costRejectAll);
  if (!(search.cost < trivial) || (trivial - search.cost) / trivial < options.minCostReduction) {
    return no(
      'no_separation',
      `The best threshold costs ${search.cost.toFixed(4)} against ${trivial.toFixed(4)} for passing or rejecting everything (less than ${(options.minCostReduction * 100).toFixed(0)} % better).`,
    );
  }
  return {
    reason: 'learned',
    message: `Learned from ${n} units (${failures} failures): cost ${search.cost.toFixed(4)} against ${trivial.toFixed(4)} for passing or rejecting everything.`,
    threshold: search.threshold,
    counts,
    search,
    auc,
    order,
  };
}
