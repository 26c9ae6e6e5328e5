/**
 * ModelPredictor: the per-model failure predictor of the design. A random forest trained with severity-weighted,
 * class-balanced rows, calibrated by Platt scaling on its out-of-bag scores, and judged on out-of-bag rows only.
 *
 * Training outcomes (checked in this order; the predictor stays untrained and nothing throws):
 * 1. fewer than `minSamples` rows (default 20) → `too_few_samples`;
 * 2. every row the same label → `single_class`;
 * 3. fewer than `minClassCount` failures (default 5) → `too_few_failures`, or passes → `too_few_passes`.
 *
 * @module
 */
import { InvalidInputError, NotTrainedError, StateVersionError } from '../core/errors.js';
import { type PlattCalibration, applyPlatt, checkPlattCalibration, fitPlatt, probabilityLogit } from './calibration.js';
import { RandomForestClassifier } from './forest/random-forest.js';
import { brierScore, confusionMetrics, rocAuc } from './metrics.js';
import {
  type ModelPredictorOptions,
  type ModelPredictorState,
  type PredictorMetrics,
  type PredictorTrainingResult,
  PREDICTOR_FOREST_DEFAULTS,
  PREDICTOR_MIN_CLASS_COUNT,
  PREDICTOR_MIN_SAMPLES,
} from './predictor-types.js';

/** Row-major features with their column names. */
export interface PredictorFeatures {
  readonly names: readonly string[];
  /** Row-major, `rows × names.length`, all finite (impute first). */
  readonly data: Float64Array;
}

interface Fitted {
  readonly forest: RandomForestClassifier;
  readonly calibration: PlattCalibration;
  readonly metrics: PredictorMetrics;
  readonly featureNames: string[];
  readonly samples: number;
  readonly failures: number;
  /** Cross-fitted calibrated out-of-bag probability per training row (NaN where never out of bag); not persisted. */
  readonly oobCalibrated: Float64Array | null;
}

/** Folds of the cross-fitted calibration behind the metrics. */
const CALIBRATION_FOLDS = 5;

/**
 * Cross-fitted Platt calibration: row i (of fold i's class-rank mod k) is calibrated by a fit on the other folds.
 * Folds are stratified (the j-th failure and the j-th pass go to fold j mod k), so every fit sees both classes.
 */
function crossFittedPlatt(scores: readonly number[], ys: readonly number[], k: number): number[] {
  const fold = new Int32Array(ys.length);
  const seen = [0, 0];
  ys.forEach((y, i) => (fold[i] = seen[y]!++ % k));
  const out = new Array<number>(ys.length);
  for (let f = 0; f < k; f++) {
    const s: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < ys.length; i++) {
      if (fold[i] !== f) {
        s.push(scores[i]!);
        y.push(ys[i]!);
      }
    }
    if (s.length === ys.length) continue; // empty fold
    const cal = fitPlatt(s, y);
    for (let i = 0; i < ys.length; i++) if (fold[i] === f) out[i] = applyPlatt(cal, scores[i]!);
  }
  return out;
}

function checkCount(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`ModelPredictor: ${name} must be an integer >= 1, got ${v}.`);
  return v;
}

/**
 * Per-model failure probability predictor.
 *
 * @example
 * ```ts
 * const set = buildTrainingSet(records);                         // from src/core/dataset.ts
 * const p = new ModelPredictor('8340-1');
 * const r = p.train({ names: set.featureNames, data: set.X }, set.y, set.severity);
 * if (r.trained) {
 *   r.metrics.auc;                                               // out-of-bag, on r.metrics.evaluatedOn.n rows
 *   p.predictFailureProbability({ sigma_gradient: 4e-4, ... }); // calibrated P(fail)
 * }
 * const copy = ModelPredictor.fromState(JSON.parse(JSON.stringify(p.toState())));
 * ```
 */
export class ModelPredictor {
  /** The product model this predictor belongs to (opaque text). */
  readonly modelName: string;
  private readonly options: ModelPredictorOptions;
  private readonly minSamples: number;
  private readonly minClassCount: number;
  private fitted: Fitted | null = null;

  /** Validates the options (forest parameters included); throws {@link InvalidInputError} on a bad one. */
  constructor(modelName: string, options: ModelPredictorOptions = {}) {
    if (typeof modelName !== 'string') throw new InvalidInputError('ModelPredictor: modelName must be a string.');
    this.modelName = modelName;
    this.minSamples = checkCount('minSamples', options.minSamples ?? PREDICTOR_MIN_SAMPLES);
    this.minClassCount = checkCount('minClassCount', options.minClassCount ?? PREDICTOR_MIN_CLASS_COUNT);
    this.options = { ...options, forest: { ...PREDICTOR_FOREST_DEFAULTS, ...options.forest } };
    new RandomForestClassifier(this.options.forest); // validate now, not at train time
  }

  /** Whether a model is trained (or loaded). */
  get isTrained(): boolean {
    return this.fitted !== null;
  }
  /** Rows of the last successful training (0 when untrained). */
  get trainingSamples(): number {
    return this.fitted?.samples ?? 0;
  }
  /** Feature names in column order (empty when untrained). */
  get featureNames(): readonly string[] {
    return this.fitted?.featureNames ?? [];
  }
  /** Out-of-bag metrics of the trained model; `null` when untrained. */
  get metrics(): PredictorMetrics | null {
    return this.fitted?.metrics ?? null;
  }

  /**
   * Calibrated out-of-bag probabilities of the training rows, in training-row order (NaN where a row was in every
   * tree's bootstrap sample); `null` when untrained or restored with `fromState` (bootstrap samples are not persisted).
   * The manager compares these with the pooled forest's on the same units.
   */
  get oobProbabilities(): Float64Array | null {
    const f = this.fitted;
    return f?.oobCalibrated ? Float64Array.from(f.oobCalibrated) : null;
  }

  /**
   * Trains on one model's rows. `severity` is the per-row sample weight (`severityWeight`: 1 for a pass, 2–9 for
   * a failure); class weights are balanced on top by default. The logits of the forest's out-of-bag probabilities
   * are calibrated with Platt scaling (unweighted, so probabilities are frequencies of real outcomes; rows never out
   * of bag are left out) and the metrics are computed on
   * the calibrated out-of-bag probabilities. Too little data returns `{ trained: false, reason }` and leaves the
   * predictor untrained (a previous model is discarded).
   */
  train(features: PredictorFeatures, labels: Uint8Array, severity: Float64Array): PredictorTrainingResult {
    const names = [...features.names];
    const d = names.length;
    if (d === 0) throw new InvalidInputError('ModelPredictor.train: features.names is empty; pass at least one feature column.');
    if (new Set(names).size !== d) throw new InvalidInputError(`ModelPredictor.train: duplicate feature names in ${names.join(', ')}.`);
    const n = labels.length;
    if (features.data.length !== n * d) {
      throw new InvalidInputError(
        `ModelPredictor.train: features.data has ${features.data.length} values, not labels (${n}) × names (${d}); it must be row-major rows × columns.`,
      );
    }
    if (severity.length !== n)
      throw new InvalidInputError(`ModelPredictor.train: ${n} labels but ${severity.length} severity weights; pass one per row.`);
    let failures = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i]!;
      if (y > 1) throw new InvalidInputError(`ModelPredictor.train: labels[${i}] is ${y}; labels must be 0 (pass) or 1 (fail).`);
      failures += y;
      const s = severity[i]!;
      if (!Number.isFinite(s) || s <= 0)
        throw new InvalidInputError(`ModelPredictor.train: severity[${i}] is ${s}; weights must be finite and > 0 (use severityWeight()).`);
    }
    for (let k = 0; k < features.data.length; k++) {
      if (!Number.isFinite(features.data[k])) {
        throw new InvalidInputError(
          `ModelPredictor.train: feature ${names[k % d]} of row ${Math.floor(k / d)} is ${features.data[k]}; impute missing values first (FeatureImputer).`,
        );
      }
    }
    this.fitted = null;
    const passes = n - failures;
    const skip = (reason: Exclude<PredictorTrainingResult, { trained: true }>['reason'], message: string): PredictorTrainingResult => ({
      trained: false,
      modelName: this.modelName,
      reason,
      message,
      samples: n,
      failures,
    });
    if (n < this.minSamples)
      return skip('too_few_samples', `Need ${this.minSamples - n} more samples (${n} of ${this.minSamples}; ${failures} failures).`);
    if (failures === 0 || passes === 0) {
      return skip(
        'single_class',
        `All ${n} samples ${failures === 0 ? 'passed' : 'failed'}: nothing to learn; report the observed rate instead of a prediction.`,
      );
    }
    if (failures < this.minClassCount)
      return skip('too_few_failures', `Need ${this.minClassCount - failures} more failures (${failures} of ${this.minClassCount}).`);
    if (passes < this.minClassCount)
      return skip('too_few_passes', `Need ${this.minClassCount - passes} more passes (${passes} of ${this.minClassCount}).`);

    const forest = new RandomForestClassifier(this.options.forest).fit({ data: features.data, rows: n, cols: d }, labels, severity);
    const oob = forest.oobProba;
    const scores: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(oob[i]!)) {
        scores.push(probabilityLogit(oob[i]!));
        ys.push(labels[i]!);
      }
    }
    const noSplit = forest.featureImportances().every((v) => v === 0);
    const calScores = noSplit ? scores.map(() => 0) : scores;
    const calibration = fitPlatt(calScores, ys);
    // The metrics must not be measured on the rows the calibration was fitted on: each out-of-bag row is calibrated
    // by a Platt fit on the other folds (5 folds, stratified by class in row order), then scored.
    const calibrated = crossFittedPlatt(calScores, ys, CALIBRATION_FOLDS);
    const oobCalibrated = new Float64Array(n).fill(Number.NaN);
    for (let i = 0, k = 0; i < n; i++) if (!Number.isNaN(oob[i]!)) oobCalibrated[i] = calibrated[k++]!;
    const cm = confusionMetrics(calibrated, ys, 0.5);
    const auc = rocAuc(calibrated, ys);
    const positives = ys.reduce((a, b) => a + b, 0);
    const rate = positives / ys.length;
    const metrics: PredictorMetrics = {
      threshold: 0.5,
      accuracy: cm.accuracy,
      precision: cm.precision,
      recall: cm.recall,
      f1: cm.f1,
      auc: Number.isNaN(auc) ? null : auc,
      brier: brierScore(calibrated, ys),
      brierBaseRate: rate * (1 - rate),
      evaluatedOn: { method: 'oob', n: ys.length, positives },
    };
    this.fitted = { forest, calibration, metrics, featureNames: names, samples: n, failures, oobCalibrated };
    return { trained: true, modelName: this.modelName, samples: n, failures, metrics, featureImportance: this.getFeatureImportance() };
  }

  private state(what: string): Fitted {
    if (this.fitted === null) {
      throw new NotTrainedError(
        `ModelPredictor(${JSON.stringify(this.modelName)}).${what}: not trained; call train() (and check its result) or fromState() first.`,
      );
    }
    return this.fitted;
  }

  /**
   * Calibrated probability that one unit fails. Pass a record with every feature name, or a Float64Array in
   * {@link featureNames} order. Throws {@link NotTrainedError} when untrained.
   */
  predictFailureProbability(features: Readonly<Record<string, number>> | Float64Array): number {
    const f = this.state('predictFailureProbability');
    const d = f.featureNames.length;
    let row: Float64Array;
    if (features instanceof Float64Array) {
      if (features.length !== d)
        throw new InvalidInputError(
          `ModelPredictor.predictFailureProbability: got ${features.length} values, expected ${d} (${f.featureNames.join(', ')}).`,
        );
      row = features;
    } else {
      row = new Float64Array(d);
      const missing = f.featureNames.filter((name) => typeof features[name] !== 'number');
      if (missing.length > 0)
        throw new InvalidInputError(`ModelPredictor.predictFailureProbability: missing features ${missing.join(', ')}; impute them first.`);
      f.featureNames.forEach((name, j) => (row[j] = features[name]!));
    }
    return this.predictMany(row)[0]!;
  }

  /** Calibrated failure probabilities of many rows (row-major, {@link featureNames} column order). */
  predictMany(data: Float64Array): Float64Array {
    const f = this.state('predictMany');
    const d = f.featureNames.length;
    if (data.length % d !== 0)
      throw new InvalidInputError(`ModelPredictor.predictMany: ${data.length} values is not a whole number of rows of ${d} features.`);
    const raw = f.forest.predictProba({ data, rows: data.length / d, cols: d });
    for (let i = 0; i < raw.length; i++) raw[i] = applyPlatt(f.calibration, probabilityLogit(raw[i]!));
    return raw;
  }

  /**
   * Impurity importance (mean decrease in weighted Gini, normalised to sum 1; all 0 when no tree split) per feature.
   * Measured on the training rows; it favours features with many distinct values.
   */
  getFeatureImportance(): Record<string, number> {
    const f = this.state('getFeatureImportance');
    const imp = f.forest.featureImportances();
    return Object.fromEntries(f.featureNames.map((name, j) => [name, imp[j]!]));
  }

  /** The persisted state (plain JSON). Throws {@link NotTrainedError} when untrained. */
  toState(): ModelPredictorState {
    const f = this.state('toState');
    return {
      kind: 'ModelPredictor',
      version: 1,
      modelName: this.modelName,
      featureNames: [...f.featureNames],
      trainingSamples: f.samples,
      trainingFailures: f.failures,
      minSamples: this.minSamples,
      minClassCount: this.minClassCount,
      forest: f.forest.toJSON(),
      calibration: f.calibration,
      metrics: f.metrics,
    };
  }

  /** Restores a trained predictor; predictions are bit-identical to the saved one. */
  static fromState(state: ModelPredictorState): ModelPredictor {
    if (state?.kind !== 'ModelPredictor' || state.version !== 1) {
      throw new StateVersionError(
        `ModelPredictor.fromState: expected kind ModelPredictor version 1, got ${String(state?.kind)} v${String(state?.version)}. Retrain the model with this version of laser-trim-ml.`,
      );
    }
    const forest = RandomForestClassifier.fromJSON(state.forest);
    if (!Array.isArray(state.featureNames) || state.featureNames.length !== forest.nFeatures) {
      throw new InvalidInputError(
        'ModelPredictor.fromState: featureNames does not match the forest; the state is corrupt, retrain the model.',
      );
    }
    const p = new ModelPredictor(state.modelName, {
      forest: forest.params,
      minSamples: state.minSamples,
      minClassCount: state.minClassCount,
    });
    p.fitted = {
      forest,
      calibration: checkPlattCalibration(state.calibration),
      metrics: state.metrics,
      featureNames: [...state.featureNames],
      samples: state.trainingSamples,
      failures: state.trainingFailures,
      oobCalibrated: null,
    };
    return p;
  }
}
