/**
 * Types of {@link ModelPredictor}: options, training outcome, out-of-sample metrics and persisted state.
 *
 * @module
 */
import type { PlattCalibration } from './calibration.js';
import type { RandomForestJSON } from './forest/forest-json.js';
import type { RandomForestParams } from './forest/params.js';

/** Options of a {@link ModelPredictor}. */
export interface ModelPredictorOptions {
  /** Forest parameters, merged over `PREDICTOR_FOREST_DEFAULTS`. */
  readonly forest?: Partial<RandomForestParams>;
  /** Fewest rows to train. Default 20 (`PREDICTOR_MIN_SAMPLES`). */
  readonly minSamples?: number;
  /** Fewest failures, and fewest passes, to train. Default 5 (`PREDICTOR_MIN_CLASS_COUNT`). */
  readonly minClassCount?: number;
}

/** Default minimum number of rows: below it out-of-bag metrics and calibration are noise. */
export const PREDICTOR_MIN_SAMPLES = 20;
/** Default minimum number of failures and of passes. */
export const PREDICTOR_MIN_CLASS_COUNT = 5;

/**
 * Forest defaults of the predictor: 100 trees, depth ≤ 10, leaves of ≥ 3 rows (smoother leaf fractions for small
 * per-model data), splits of ≥ 6 rows, √d features per split, balanced class weights, seed 42.
 */
export const PREDICTOR_FOREST_DEFAULTS: Partial<RandomForestParams> = Object.freeze({
  nEstimators: 100,
  maxDepth: 10,
  minSamplesLeaf: 3,
  minSamplesSplit: 6,
  maxFeatures: 'sqrt',
  classWeight: 'balanced',
  bootstrap: true,
  seed: 42,
});

/**
 * Out-of-sample metrics of a trained predictor, measured on the out-of-bag calibrated probabilities of the
 * training rows (each row scored only by trees that did not see it, and calibrated by a Platt fit on the other four
 * of five folds, so neither the forest nor the calibration saw the row). Undefined ratios are `null`.
 */
export interface PredictorMetrics {
  /** Decision rule for the confusion metrics: fail predicted when the calibrated probability is ≥ this (0.5). */
  readonly threshold: number;
  readonly accuracy: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** ROC AUC (Mann-Whitney, ties ½) of the calibrated out-of-bag probabilities; `null` if one class is absent. */
  readonly auc: number | null;
  /** Brier score of the calibrated out-of-bag probabilities. */
  readonly brier: number;
  /** Brier score of always predicting the evaluated base rate π: π(1 − π). A useful model scores below it. */
  readonly brierBaseRate: number;
  /** What the metrics were measured on: `n` out-of-bag rows, `positives` of them failures. */
  readonly evaluatedOn: { readonly method: 'oob'; readonly n: number; readonly positives: number };
}

/** Why a predictor was not trained. */
export type PredictorSkipReason = 'too_few_samples' | 'single_class' | 'too_few_failures' | 'too_few_passes';

/** Outcome of {@link ModelPredictor.train}. */
export type PredictorTrainingResult =
  | {
      readonly trained: true;
      readonly modelName: string;
      readonly samples: number;
      readonly failures: number;
      readonly metrics: PredictorMetrics;
      readonly featureImportance: Record<string, number>;
    }
  | {
      readonly trained: false;
      readonly modelName: string;
      readonly reason: PredictorSkipReason;
      /** A sentence for the UI, e.g. "Need 12 more samples". */
      readonly message: string;
      readonly samples: number;
      readonly failures: number;
    };

/** Persisted form of a trained {@link ModelPredictor} (plain JSON). */
export interface ModelPredictorState {
  readonly kind: 'ModelPredictor';
  readonly version: 1;
  readonly modelName: string;
  readonly featureNames: string[];
  readonly trainingSamples: number;
  readonly trainingFailures: number;
  readonly minSamples: number;
  readonly minClassCount: number;
  readonly forest: RandomForestJSON;
  readonly calibration: PlattCalibration;
  readonly metrics: PredictorMetrics;
}
