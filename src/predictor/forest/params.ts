/**
 * Hyper-parameters of {@link RandomForestClassifier}, named and defaulted as in scikit-learn's
 * `RandomForestClassifier` (camelCase), validated once in the constructor.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';

/** How many features each split may look at: `'sqrt'` → ⌊√d⌋, `'log2'` → ⌊log₂ d⌋, `'all'` → d, an integer ≥ 1 → that many, a fraction in (0, 1) → ⌊fraction·d⌋ (each at least 1). */
export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

/** Parameters of a random forest. Every field is optional in the constructor; see `DEFAULT_FOREST_PARAMS`. */
export interface RandomForestParams {
  /** Number of trees. Default 100. */
  readonly nEstimators: number;
  /** Maximum depth (root = depth 0); `null` grows until the other limits stop it. Default `null`. */
  readonly maxDepth: number | null;
  /** A node with fewer in-bag rows than this is not split (rows, not weights, like scikit-learn). Default 2. */
  readonly minSamplesSplit: number;
  /** Each child keeps at least this many in-bag rows (rows, not weights). Default 1. */
  readonly minSamplesLeaf: number;
  /** Features drawn (without replacement) at each split. Default `'sqrt'`. */
  readonly maxFeatures: MaxFeatures;
  /** Draw a bootstrap sample of n rows with replacement per tree. Default `true`. */
  readonly bootstrap: boolean;
  /** `'balanced'`: class c weighs `n / (2 · n_c)` (row counts, as scikit-learn), multiplied into the sample weights. Default `null`. */
  readonly classWeight: 'balanced' | null;
  /** Quantile bins per feature, 2..256. Default 256. */
  readonly maxBins: number;
  /** Seed of the forest's PRNG: the same seed and data give the same forest bit for bit. Default 0. */
  readonly seed: number;
}

/** The defaults (scikit-learn's, plus 256 bins and seed 0). */
export const DEFAULT_FOREST_PARAMS: RandomForestParams = Object.freeze({
  nEstimators: 100,
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  bootstrap: true,
  classWeight: null,
  maxBins: 256,
  seed: 0,
});

const KEYS = Object.keys(DEFAULT_FOREST_PARAMS) as (keyof RandomForestParams)[];

function intAtLeast(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidInputError(`RandomForestClassifier: ${name} must be an integer >= ${min}, got ${String(v)}.`);
  }
}

/**
 * Fills defaults and validates; throws {@link InvalidInputError} naming the bad parameter.
 *
 * @example
 * ```ts
 * resolveForestParams({ maxDepth: 10 }).nEstimators; // 100
 * ```
 */
export function resolveForestParams(params: Partial<RandomForestParams> = {}): RandomForestParams {
  for (const k of Object.keys(params)) {
    if (!KEYS.includes(k as keyof RandomForestParams)) {
      throw new InvalidInputError(`RandomForestClassifier: unknown parameter "${k}"; known parameters are ${KEYS.join(', ')}.`);
    }
  }
  const p: RandomForestParams = { ...DEFAULT_FOREST_PARAMS, ...stripUndefined(params) };
  intAtLeast('nEstimators', p.nEstimators, 1);
  if (p.maxDepth !== null) intAtLeast('maxDepth', p.maxDepth, 1);
  intAtLeast('minSamplesSplit', p.minSamplesSplit, 2);
  intAtLeast('minSamplesLeaf', p.minSamplesLeaf, 1);
  intAtLeast('maxBins', p.maxBins, 2);
  if (p.maxBins > 256)
    throw new InvalidInputError(`RandomForestClassifier: maxBins must be at most 256 (bins are stored as bytes), got ${p.maxBins}.`);
  if (typeof p.seed !== 'number' || !Number.isFinite(p.seed)) {
    throw new InvalidInputError(`RandomForestClassifier: seed must be a finite number, got ${String(p.seed)}.`);
  }
  if (typeof p.bootstrap !== 'boolean')
    throw new InvalidInputError(`RandomForestClassifier: bootstrap must be true or false, got ${String(p.bootstrap)}.`);
  if (p.classWeight !== null && p.classWeight !== 'balanced') {
    throw new InvalidInputError(`RandomForestClassifier: classWeight must be 'balanced' or null, got ${String(p.classWeight)}.`);
  }
  const mf = p.maxFeatures;
  const okString = mf === 'sqrt' || mf === 'log2' || mf === 'all';
  const okNumber = typeof mf === 'number' && ((Number.isInteger(mf) && mf >= 1) || (mf > 0 && mf < 1));
  if (!okString && !okNumber) {
    throw new InvalidInputError(
      `RandomForestClassifier: maxFeatures must be 'sqrt', 'log2', 'all', an integer >= 1 or a fraction in (0, 1), got ${String(mf)}.`,
    );
  }
  return Object.freeze(p);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Number of features tried per split for `d` features. Throws when an integer `maxFeatures` exceeds `d`.
 *
 * @example
 * ```ts
 * featuresPerSplit('sqrt', 11); // 3
 * featuresPerSplit(0.5, 11);    // 5
 * ```
 */
export function featuresPerSplit(maxFeatures: MaxFeatures, d: number): number {
  if (maxFeatures === 'all') return d;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(d)));
  if (maxFeatures < 1) return Math.max(1, Math.floor(maxFeatures * d));
  if (maxFeatures > d) {
    throw new InvalidInputError(
      `RandomForestClassifier: maxFeatures is ${maxFeatures} but the data has only ${d} features; lower maxFeatures.`,
    );
  }
  return maxFeatures;
}
