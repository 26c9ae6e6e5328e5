/**
 * Defaults and validation of {@link ThresholdOptions}.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import type { ResolvedThresholdOptions, ThresholdOptions } from './types.js';

/**
 * Default options. `costRatio = 1` with `class-totals` normalisation and `severityWeighted: false`: the threshold
 * maximises the balanced accuracy, the figure a plant judges a threshold by, and the model's pass rate (0–100 %
 * across a plant) does not decide it. With `severityWeighted: true` it maximises the severity-weighted balanced
 * accuracy instead (measured slightly worse against Final Test on six seeds: docs/thresholds.md).
 */
export const DEFAULT_THRESHOLD_OPTIONS: ResolvedThresholdOptions = {
  costRatio: 1,
  normalization: 'class-totals',
  minSamples: 30,
  minFailures: 5,
  minPasses: 5,
  minCostReduction: 0.05,
  minAuc: 0.5,
  bootstrapResamples: 200,
  heldOutFraction: 0.3,
  spreadScale: Math.log(1.5),
  supportScale: 10,
  seed: 42,
  severityWeighted: false,
};

/**
 * Fills defaults and validates (throws {@link InvalidInputError} naming the option).
 *
 * @example
 * ```ts
 * resolveThresholdOptions({ costRatio: 3 }).minSamples; // 30
 * ```
 */
export function resolveThresholdOptions(options: ThresholdOptions = {}): ResolvedThresholdOptions {
  const o: ResolvedThresholdOptions = { ...DEFAULT_THRESHOLD_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_THRESHOLD_OPTIONS)) {
      throw new InvalidInputError(`Unknown threshold option '${key}'. Known: ${Object.keys(DEFAULT_THRESHOLD_OPTIONS).join(', ')}.`);
    }
    (o as Record<string, unknown>)[key] = value;
  }
  const bad = (name: string, rule: string): never => {
    throw new InvalidInputError(`Threshold option ${name} = ${String((o as Record<string, unknown>)[name])}: ${rule}.`);
  };
  if (!(Number.isFinite(o.costRatio) && o.costRatio > 0)) bad('costRatio', 'must be a finite number > 0');
  if (o.normalization !== 'class-totals' && o.normalization !== 'none') bad('normalization', "must be 'class-totals' or 'none'");
  if (!(Number.isInteger(o.minSamples) && o.minSamples >= 2)) bad('minSamples', 'must be an integer ≥ 2');
  if (!(Number.isInteger(o.minFailures) && o.minFailures >= 1)) bad('minFailures', 'must be an integer ≥ 1');
  if (!(Number.isInteger(o.minPasses) && o.minPasses >= 1)) bad('minPasses', 'must be an integer ≥ 1');
  if (!(o.minCostReduction >= 0 && o.minCostReduction < 1)) bad('minCostReduction', 'must be in [0, 1)');
  if (!(o.minAuc >= 0 && o.minAuc < 1)) bad('minAuc', 'must be in [0, 1)');
  if (!(Number.isInteger(o.bootstrapResamples) && o.bootstrapResamples >= 20)) bad('bootstrapResamples', 'must be an integer ≥ 20');
  if (!(o.heldOutFraction > 0 && o.heldOutFraction < 1)) bad('heldOutFraction', 'must be in (0, 1)');
  if (!(Number.isFinite(o.spreadScale) && o.spreadScale > 0)) bad('spreadScale', 'must be a finite number > 0');
  if (!(Number.isFinite(o.supportScale) && o.supportScale >= 0)) bad('supportScale', 'must be a finite number ≥ 0');
  if (!Number.isFinite(o.seed)) bad('seed', 'must be a finite number');
  if (typeof o.severityWeighted !== 'boolean') bad('severityWeighted', 'must be a boolean');
  return o;
}
