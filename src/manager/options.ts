/**
 * The manager's options with every default filled in, shared by the façade and both rooms (train, apply).
 *
 * @module
 */
import { hostname } from 'node:os';
import { InvalidInputError } from '../core/errors.js';
import { formulaThreshold as plantFormula, type FormulaThresholdFn } from '../core/formula.js';
import { DIFFICULTY_MIN_SAMPLES } from '../profiler/difficulty.js';
import type { LabelOptions } from '../core/labels.js';

/** Minimum data each component needs; a model below a minimum keeps the fallback for that component. */
export interface ComponentMinimums {
  /** Clean samples a model needs to be trained at all (the design's `min_samples`). Default 50. */
  readonly minSamples?: number;
  /** Clean samples for the model's own forest (below it, the pooled forest serves the model). Default 200. */
  readonly minOwnPredictorSamples?: number;
  /** Failures (and passes) for the model's own forest. Default 20. */
  readonly minOwnPredictorClassCount?: number;
  /** Samples in the drift baseline. Default 30. */
  readonly minDriftBaseline?: number;
  /**
   * Clean samples for the `plant-backed` training tier (`TrainingTier`): a model with at least this many but
   * fewer than `minSamples` is trained on the plant's learned components (pooled forest, plant-wide threshold blended
   * with its own outcomes) with its own profile. Default 10, the fewest samples the profiler ranks for difficulty
   * (`DIFFICULTY_MIN_SAMPLES`), so every trained model has a comparable profile. Set it to `minSamples` for the
   * design's single tier (below `minSamples`, untrained). Values above `minSamples` act as `minSamples`.
   */
  readonly minPlantBackedSamples?: number;
}

/** Options of the manager, fixed at construction. */
export interface MLManagerOptions extends ComponentMinimums {
  /** Seed of every random choice (forests, bootstraps): the same data and seed train the same state. Default 42. */
  readonly seed?: number;
  /** Label choice rules (when Final Test is the label). */
  readonly labelOptions?: LabelOptions;
  /** The threshold used where no learned one exists. Default: the plant formula. */
  readonly formulaThreshold?: FormulaThresholdFn;
  /** Number of trees of every forest. Default 100. */
  readonly trees?: number;
  /** Probability cut-offs of the risk categories: `low` below `medium`, `high` at or above `high`. Default 0.2 / 0.5. */
  readonly riskCutoffs?: { readonly medium: number; readonly high: number };
  /**
   * Memory budget of the parsed per-model forests, measured as the size of their JSON (the parsed typed arrays take
   * less): beyond it the least recently used are evicted and parsed again when needed. Default 256 MiB.
   */
  readonly predictorCacheBytes?: number;
  /** Name recorded as lock holder (default: `laser-trim-ml pid <pid> on <host>`). */
  readonly owner?: string;
}

/** Options with every default filled in. */
export interface ResolvedManagerOptions {
  readonly seed: number;
  readonly minSamples: number;
  /** The plant-backed tier's minimum (see `ComponentMinimums`); at most `minSamples` in effect. */
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
