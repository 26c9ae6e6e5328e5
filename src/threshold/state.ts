/**
 * Validation of a persisted {@link ModelThresholdOptimizerState}.
 *
 * @module
 */
import { InvalidInputError, StateVersionError } from '../core/errors.js';
import type { ModelThresholdOptimizerState } from './types.js';
import { validatePlantPrior } from './plant-prior.js';

const REASONS = new Set([
  'learned',
  'too_few_samples',
  'no_failures',
  'no_passes',
  'too_few_failures',
  'too_few_passes',
  'constant_sigma',
  'no_separation',
  'no_outcomes',
  'formula_better',
]);
const SOURCES = new Set(['own', 'blended', 'plant_wide', 'formula']);

/**
 * Throws {@link StateVersionError} unless `state` is a version-2 `ModelThresholdOptimizer` state (`ModelThresholdOptimizer.fromState` upgrades version 1 first), and
 * {@link InvalidInputError} when its fields are inconsistent (the options themselves are validated by the constructor).
 *
 * @example
 * ```ts
 * validateThresholdState(JSON.parse(text)); // throws on a foreign or corrupted state
 * ```
 */
export function validateThresholdState(state: ModelThresholdOptimizerState): void {
  const s = state as Partial<ModelThresholdOptimizerState> | null | undefined;
  if (s?.kind !== 'ModelThresholdOptimizer' || s.version !== 2) {
    throw new StateVersionError(
      `Expected a ModelThresholdOptimizer state of version 2 (or 1), got kind ${String(s?.kind)} version ${String(s?.version)}: retrain the model's threshold.`,
    );
  }
  const bad = (what: string): never => {
    throw new InvalidInputError(`Corrupted ModelThresholdOptimizer state: ${what}. Retrain the model's threshold.`);
  };
  if (typeof s.modelName !== 'string') bad('modelName is not a string');
  if (typeof s.options !== 'object' || s.options === null) bad('options missing');
  const r = s.result;
  if (r === undefined) bad('result missing (use null before training)');
  if (r === null || r === undefined) return;
  if (r.modelName !== s.modelName) bad(`result is of model ${String(r.modelName)}, state of ${String(s.modelName)}`);
  if (!REASONS.has(r.reason)) bad(`unknown reason ${String(r.reason)}`);
  if (r.learned !== (r.reason === 'learned')) bad('learned and reason disagree');
  if (!SOURCES.has(r.source)) bad(`unknown source ${String(r.source)}`);
  if ((r.source === 'formula') === r.learned) bad('source and learned disagree');
  if (r.learned && !(typeof r.weight === 'number' && r.weight >= 0 && r.weight <= 1)) bad('weight is not in [0, 1]');
  if (r.prior !== null && r.prior !== undefined) validatePlantPrior(r.prior);
  if (r.learned) {
    if (!(typeof r.threshold === 'number' && Number.isFinite(r.threshold) && r.threshold > 0)) bad('learned threshold is not a number > 0');
    if (!(typeof r.confidence === 'number' && r.confidence >= 0 && r.confidence <= 1)) bad('confidence is not in [0, 1]');
  } else if (r.threshold !== null || r.confidence !== null) {
    bad('a threshold that was not learned must be null');
  }
}
