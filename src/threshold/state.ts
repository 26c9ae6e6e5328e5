/**
 * Validation of a persisted {@link ModelThresholdOptimizerState}.
 *
 * @module
 */
import { InvalidInputError, StateVersionError } from '../core/errors.js';
import type { ModelThresholdOptimizerState } from './model-threshold-optimizer.js';

const REASONS = new Set([
  'learned',
  'too_few_samples',
  'no_failures',
  'no_passes',
  'too_few_failures',
  'too_few_passes',
  'constant_sigma',
  'no_separation',
]);

/**
 * Throws {@link StateVersionError} unless `state` is a version-1 `ModelThresholdOptimizer` state, and
 * {@link InvalidInputError} when its fields are inconsistent (the options themselves are validated by the constructor).
 *
 * @example
 * ```ts
 * validateThresholdState(JSON.parse(text)); // throws on a foreign or corrupted state
 * ```
 */
export function validateThresholdState(state: ModelThresholdOptimizerState): void {
  const s = state as Partial<ModelThresholdOptimizerState> | null | undefined;
  if (s?.kind !== 'ModelThresholdOptimizer' || s.version !== 1) {
    throw new StateVersionError(
      `Expected a ModelThresholdOptimizer state of version 1, got kind ${String(s?.kind)} version ${String(s?.version)}: retrain the model's threshold.`,
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
  if (r.learned) {
    if (!(typeof r.threshold === 'number' && Number.isFinite(r.threshold) && r.threshold > 0)) bad('learned threshold is not a number > 0');
    if (!(typeof r.confidence === 'number' && r.confidence >= 0 && r.confidence <= 1)) bad('confidence is not in [0, 1]');
  } else if (r.threshold !== null || r.confidence !== null) {
    bad('a threshold that was not learned must be null');
  }
}
