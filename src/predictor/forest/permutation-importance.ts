/**
 * Permutation importance: how much a score worsens when one feature's column is shuffled, breaking its link to the
 * label while keeping its distribution (Breiman 2001; scikit-learn's `permutation_importance`).
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { brierScore, confusionMetrics, rocAuc } from '../metrics.js';
import { type MatrixInput, type RowMajorMatrix, toRowMajor } from './matrix.js';

/** Anything that predicts P(class 1) per row of a row-major matrix. */
export interface ProbabilityModel {
  readonly nFeatures: number;
  predictProba(x: RowMajorMatrix): Float64Array;
}

/** Score used by {@link permutationImportance}: ROC AUC, Brier score, or accuracy at probability ≥ 0.5. */
export type PermutationScoring = 'auc' | 'brier' | 'accuracy';

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Shuffles per feature. Default 5. */
  readonly nRepeats?: number;
  /** Seed of the shuffles. Default 0. */
  readonly seed?: number;
  /** Default `'auc'`. */
  readonly scoring?: PermutationScoring;
}

/** Result of {@link permutationImportance}: per feature, the worsening of the score (positive = the feature matters). */
export interface PermutationImportanceResult {
  readonly scoring: PermutationScoring;
  /** Score on the unshuffled data. */
  readonly baselineScore: number;
  /** Mean over repeats of the worsening (baseline − shuffled for AUC and accuracy, shuffled − baseline for Brier). */
  readonly importancesMean: Float64Array;
  /** Population standard deviation (ddof = 0, as scikit-learn) of the worsening over repeats. */
  readonly importancesStd: Float64Array;
  /** Rows it was measured on: say whether they were held out. */
  readonly n: number;
}

function score(scoring: PermutationScoring, p: Float64Array, y: Uint8Array): number {
  if (scoring === 'auc') return rocAuc(p, y);
  if (scoring === 'brier') return brierScore(p, y);
  return confusionMetrics(p, y, 0.5).accuracy;
}

/**
 * Permutation importance of every feature of `model` on the given rows (use held-out rows: on training rows it
 * measures what the model memorised). Each column is shuffled `nRepeats` times with a seeded Fisher-Yates shuffle.
 *
 * @example
 * ```ts
 * const r = permutationImportance(forest, Xtest, ytest, { nRepeats: 5, seed: 1 });
 * r.importancesMean[0]; // drop in test AUC when feature 0 is shuffled
 * ```
 */
export function permutationImportance(
  model: ProbabilityModel,
  x: MatrixInput,
  y: ArrayLike<number>,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const scoring = options.scoring ?? 'auc';
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1)
    throw new InvalidInputError(`permutationImportance: nRepeats must be an integer >= 1, got ${nRepeats}.`);
  if (scoring !== 'auc' && scoring !== 'brier' && scoring !== 'accuracy') {
    throw new InvalidInputError(`permutationImportance: scoring must be 'auc', 'brier' or 'accuracy', got ${String(scoring)}.`);
  }
  const m = toRowMajor(x, 'permutationImportance');
  if (m.cols !== model.nFeatures)
    throw new InvalidInputError(`permutationImportance: X has ${m.cols} columns but the model was fitted on ${model.nFeatures}.`);
  if (y.length !== m.rows) throw new InvalidInputError(`permutationImportance: ${m.rows} rows but ${y.length} labels.`);
  const labels = Uint8Array.from(y);
  const work: RowMajorMatrix = { data: Float64Array.from(m.data), rows: m.rows, cols: m.cols };
  const baseline = score(scoring, model.predictProba(work), labels);
  if (Number.isNaN(baseline))
    throw new InvalidInputError(
      'permutationImportance: the AUC is undefined because y has one class; pass rows of both classes or use scoring "brier".',
    );
  const sign = scoring === 'brier' ? -1 : 1;
  const rng = createRng(options.seed ?? 0);
  const { rows: n, cols: d, data } = work;
  const original = new Float64Array(n);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const drops = new Float64Array(nRepeats);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) original[i] = data[i * d + f]!;
    for (let r = 0; r < nRepeats; r++) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const t = data[i * d + f]!;
        data[i * d + f] = data[j * d + f]!;
        data[j * d + f] = t;
      }
      drops[r] = sign * (baseline - score(scoring, model.predictProba(work), labels));
    }
    for (let i = 0; i < n; i++) data[i * d + f] = original[i]!;
    let s = 0;
    for (let r = 0; r < nRepeats; r++) s += drops[r]!;
    const mu = s / nRepeats;
    let v = 0;
    for (let r = 0; r < nRepeats; r++) v += (drops[r]! - mu) ** 2;
    mean[f] = mu;
    std[f] = Math.sqrt(v / nRepeats);
  }
  return { scoring, baselineScore: baseline, importancesMean: mean, importancesStd: std, n };
}
