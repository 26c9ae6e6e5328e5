/**
 * The manager's options with every default filled in, shared by the façade and both rooms (train, apply).
 *
 * @module
 */
import { hostname } from 'node:os';
import { InvalidInputError } from '../core/errors.js';
import { formulaThreshold as plantFormula, type FormulaThresholdFn } from '../core/formula.js';
import { DIFFICULTY_MIN_SAMPLES } from '../profiler/difficulty.js';
import type { MLManagerOptions } from './types.js';

/** Options with every default filled in. */
export interface ResolvedManagerOptions {
  readonly seed: number;
  readonly minSamples: number;
  /** The plant-backed tier's minimum (see {@link ComponentMinimums}); at most `minSamples` in effect. */
  readonly minPlantBackedSamples: number;
  readonly minOwnPredictorSamples: number;
  readonly minOwnPredictorClassCount: number;
  readonly minDriftBaseline: number;
  readonly trees: number;
  readonly labelOptions: NonNullable<MLManagerOptions['labelOptions']>;
  readonly formulaThreshold: FormulaThresholdFn;
  readonly riskCutoffs: { readonly medium: number; readonly high: number };
  readonly predictorCacheBytes: number;
  readonly owner: string;
}

/** `v`, checked to be a positive integer, or `dflt` when absent. */
export function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`MLManager option ${name} must be a positive integer, got ${v}.`);
  return v;
}

/** The options with their defaults, checked. */
export function resolveOptions(o: MLManagerOptions): ResolvedManagerOptions {
  const risk = o.riskCutoffs ?? { medium: 0.2, high: 0.5 };
  if (!(risk.medium > 0 && risk.medium < risk.high && risk.high < 1)) {
    throw new InvalidInputError(`riskCutoffs must satisfy 0 < medium < high < 1, got ${JSON.stringify(risk)}.`);
  }
  return {
    seed: o.seed ?? 42,
    minSamples: positiveInt('minSamples', o.minSamples, 50),
    minPlantBackedSamples: positiveInt('minPlantBackedSamples', o.minPlantBackedSamples, DIFFICULTY_MIN_SAMPLES),
    minOwnPredictorSamples: positiveInt('minOwnPredictorSamples', o.minOwnPredictorSamples, 200),
    minOwnPredictorClassCount: positiveInt('minOwnPredictorClassCount', o.minOwnPredictorClassCount, 20),
    minDriftBaseline: positiveInt('minDriftBaseline', o.minDriftBaseline, 30),
    trees: positiveInt('trees', o.trees, 100),
    labelOptions: o.labelOptions ?? {},
    formulaThreshold: o.formulaThreshold ?? plantFormula,
    riskCutoffs: risk,
    predictorCacheBytes: positiveInt('predictorCacheBytes', o.predictorCacheBytes, 256 * 2 ** 20),
    owner: o.owner ?? `laser-trim-ml pid ${process.pid} on ${hostname()}`,
  };
}

/** The fewest clean samples that train a model at all: the plant-backed tier's minimum, at most `minSamples`. */
export function effectiveMinToTrain(o: Pick<ResolvedManagerOptions, 'minSamples' | 'minPlantBackedSamples'>): number {
  return Math.min(o.minSamples, o.minPlantBackedSamples);
}
