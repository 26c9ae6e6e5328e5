/**
 * A random forest classifier for binary labels (0 = pass, 1 = fail) on typed arrays, in the style of
 * scikit-learn's `RandomForestClassifier`: parameters validated in the constructor, `fit` / `predictProba`, fitted
 * state kept apart from the parameters.
 *
 * Algorithm (Breiman 2001, as scikit-learn): each tree is grown on a bootstrap sample (n draws with replacement),
 * every split examines `maxFeatures` randomly drawn non-constant features and takes the threshold maximising the
 * weighted Gini decrease; weights = sample weight × bootstrap count × class weight. Features are binned once per fit
 * into ≤ 256 quantile bins so a split search is a histogram scan; thresholds are stored as real values (midpoints
 * between adjacent training values). A tree predicts the weighted class-1 fraction of its leaf; the forest the mean
 * over trees.
 *
 * @module
 */
import { InvalidInputError, NotTrainedError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { binFeatures } from './binning.js';
import { type RandomForestJSON, checkForestJSON, treeFromJSON, treeToJSON } from './forest-json.js';
import { type MatrixInput, type RowMajorMatrix, toRowMajor } from './matrix.js';
import { type RandomForestParams, featuresPerSplit, resolveForestParams } from './params.js';
import { type OutOfBag, drawBootstrap, outOfBag } from './oob.js';
import { type TreeArrays, predictTreeRow } from './tree.js';
import { TreeBuilder } from './tree-builder.js';

/** What `fit` learned. */
interface FittedForest {
  readonly trees: TreeArrays[];
  readonly nFeatures: number;
  readonly nTrainingRows: number;
  readonly impurityImportance: Float64Array;
  /** After `fit` only (not persisted): what out-of-bag predictions need, and their memoised result. */
  readonly oob: { readonly treeSeeds: Uint32Array; readonly data: Float64Array; result: OutOfBag | null } | null;
}

function checkLabels(y: ArrayLike<number>, n: number): Uint8Array {
  if (y.length !== n)
    throw new InvalidInputError(`RandomForestClassifier.fit: X has ${n} rows but y has ${y.length} labels; pass one label per row.`);
  const out = new Uint8Array(n);
  let ones = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1)
      throw new InvalidInputError(`RandomForestClassifier.fit: y[${i}] is ${String(v)}; labels must be 0 (pass) or 1 (fail).`);
    out[i] = v;
    ones += v;
  }
  if (ones === 0 || ones === n) {
    throw new InvalidInputError(
      `RandomForestClassifier.fit: every label is ${ones === 0 ? 0 : 1}; a classifier needs both classes. Collect rows of the other class, or use the observed rate (${ones === 0 ? 0 : 1}) as the probability instead of a model.`,
    );
  }
  return out;
}

function checkWeights(w: ArrayLike<number> | undefined, n: number): Float64Array {
  if (w === undefined) return new Float64Array(n).fill(1);
  if (w.length !== n)
    throw new InvalidInputError(`RandomForestClassifier.fit: X has ${n} rows but sampleWeight has ${w.length}; pass one weight per row.`);
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    if (!Number.isFinite(v) || v < 0)
      throw new InvalidInputError(`RandomForestClassifier.fit: sampleWeight[${i}] is ${v}; weights must be finite and >= 0.`);
    out[i] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new InvalidInputError('RandomForestClassifier.fit: every sample weight is 0; give some rows a positive weight.');
  return out;
}

/**
 * Random forest classifier (binary, label 1 = fail). Same seed and data → the same forest bit for bit.
 *
 * @example
 * ```ts
 * const rf = new RandomForestClassifier({ nEstimators: 100, maxDepth: 10, minSamplesLeaf: 3, seed: 42 });
 * rf.fit([[0.1, 3], [0.9, 1], [0.2, 2], [0.8, 5]], [0, 1, 0, 1]);
 * rf.predictProba([[0.85, 2]]);                 // Float64Array [P(fail)]
 * const copy = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(rf.toJSON())));
 * ```
 */
const adjacent = new WeakMap<TreeArrays, boolean>();

/** Whether every split's right child is its left child + 1 (how the builder lays trees out), checked once per tree. */
function hasAdjacentChildren(tree: TreeArrays): boolean {
  let v = adjacent.get(tree);
  if (v === undefined) {
    v = true;
    for (let k = 0; k < tree.feature.length && v; k++) if (tree.feature[k]! >= 0 && tree.right[k] !== tree.left[k]! + 1) v = false;
    adjacent.set(tree, v);
  }
  return v;
}

/**
 * A forest's trees for scoring, all in one buffer of 16-byte nodes: a float64 (the split threshold, or the leaf's
 * value) then two int32 (the feature, −1 at a leaf, and the left child's index in the buffer; the right child is the
 * next node). A node visit reads one cache line instead of one in each of four arrays: scoring a row or two with a
 * large forest (the pooled forest, once per model in an incremental apply, its nodes evicted from the cache in
 * between) is bound by those misses. `null` for a tree whose children are not adjacent (it keeps the general path).
 */
interface PackedForest {
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  /** Per tree, the buffer index of its root, or −1 when it is not packed. */
  readonly roots: Int32Array;
}

interface ScoringCache {
  calls: number;
  packed: PackedForest | null;
}

const scoring = new WeakMap<readonly TreeArrays[], ScoringCache>();

function packForest(trees: readonly TreeArrays[]): PackedForest {
  let total = 0;
  for (const t of trees) total += t.feature.length;
  const buf = new ArrayBuffer(total * 16);
  const f64 = new Float64Array(buf);
  const i32 = new Int32Array(buf);
  const roots = new Int32Array(trees.length).fill(-1);
  let base = 0;
  trees.forEach((t, ti) => {
    if (!hasAdjacentChildren(t)) return;
    roots[ti] = base;
    const n = t.feature.length;
    for (let k = 0; k < n; k++) {
      const g = base + k;
      const f = t.feature[k]!;
      i32[4 * g + 2] = f;
      if (f >= 0) {
        f64[2 * g] = t.threshold[k]!;
        i32[4 * g + 3] = base + t.left[k]!;
      } else {
        f64[2 * g] = t.value[k]!;
        i32[4 * g + 3] = -1;
      }
    }
    base += n;
  });
  return { f64, i32, roots };
}

/**
 * The packed trees, built on a forest's second scoring call or on a call whose rows outnumber its nodes / 16 (one
 * call on a row or two, as an incremental apply makes with each model's own forest, does not pay for the packing).
 */
function packedFor(trees: readonly TreeArrays[], rows: number): PackedForest | null {
  let c = scoring.get(trees);
  if (!c) {
    c = { calls: 0, packed: null };
    scoring.set(trees, c);
  }
  c.calls++;
  if (c.packed === null) {
    let nodes = 0;
    for (const t of trees) nodes += t.feature.length;
    if (c.calls >= 2 || rows * 16 >= nodes) c.packed = packForest(trees);
  }
  return c.packed;
}

/**
 * Adds one packed tree's leaf values to `out` for every row: the branch-free step `g = left + (x <= t ? 0 : 1)`
 * (docs/benchmarks.md), with the same results as {@link predictTreeRow}: a row goes left exactly when `x <= t`.
 */
function addTreePacked(p: PackedForest, root: number, data: Float64Array, cols: number, rows: number, out: Float64Array): void {
  const { f64, i32 } = p;
  for (let i = 0; i < rows; i++) {
    const b = i * cols;
    let g = root;
    let f = i32[4 * g + 2]!;
    while (f >= 0) {
      g = i32[4 * g + 3]! + (data[b + f]! <= f64[2 * g]! ? 0 : 1);
      f = i32[4 * g + 2]!;
    }
    out[i] = out[i]! + f64[2 * g]!;
  }
}

/**
 * A seeded random forest for binary labels on typed arrays, with sample and class weights, out-of-bag probabilities
 * and versioned JSON (see the module comment for the algorithm).
 *
 * @example
 * ```ts
 * const x = [[0.1, 3], [0.2, 1], [0.9, 4], [0.8, 2], [0.15, 5], [0.85, 0]];
 * const y = [0, 0, 1, 1, 0, 1];
 * const forest = new RandomForestClassifier({ nEstimators: 50, maxDepth: 4, minSamplesLeaf: 1, seed: 7 });
 * forest.fit(x, y, [1, 1, 3, 3, 1, 3]);          // failures weigh 3 (e.g. severity)
 * forest.predictProba([[0.12, 2], [0.95, 1]]);  // Float64Array [low, high]
 * forest.oobProba;                              // out-of-bag P(fail) per training row (NaN where no tree left it out)
 * const same = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())));
 * ```
 */
export class RandomForestClassifier {
  /** The validated parameters. */
  readonly params: RandomForestParams;
  private fitted: FittedForest | null = null;

  /** Validates and stores the parameters; throws {@link InvalidInputError} on a bad one. */
  constructor(params: Partial<RandomForestParams> = {}) {
    this.params = resolveForestParams(params);
  }

  /** Whether `fit` (or `fromJSON`) has run. */
  get isFitted(): boolean {
    return this.fitted !== null;
  }

  private state(what: string): FittedForest {
    if (this.fitted === null)
      throw new NotTrainedError(
        `RandomForestClassifier.${what}: the forest is not fitted; call fit(X, y) or RandomForestClassifier.fromJSON() first.`,
      );
    return this.fitted;
  }

  /** Number of features seen in `fit`. */
  get nFeatures(): number {
    return this.state('nFeatures').nFeatures;
  }

  /** The fitted trees (read-only views). */
  get trees(): readonly TreeArrays[] {
    return this.state('trees').trees;
  }

  /**
   * Fits the forest. `y` holds 0/1 labels (both must occur); `sampleWeight` (≥ 0, default 1) multiplies into the
   * split weights and leaf fractions. Replaces any previous fit.
   */
  fit(x: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this {
    const m = toRowMajor(x, 'RandomForestClassifier.fit');
    const { rows: n, cols: d } = m;
    const labels = checkLabels(y, n);
    const sw = checkWeights(sampleWeight, n);
    const p = this.params;
    const mtry = featuresPerSplit(p.maxFeatures, d);
    const classWeight = [1, 1];
    if (p.classWeight === 'balanced') {
      let ones = 0;
      for (let i = 0; i < n; i++) ones += labels[i]!;
      classWeight[0] = n / (2 * (n - ones));
      classWeight[1] = n / (2 * ones);
    }
    const base = new Float64Array(n);
    for (let i = 0; i < n; i++) base[i] = sw[i]! * classWeight[labels[i]!]!;

    const binned = binFeatures(m, p.maxBins);
    const builder = new TreeBuilder(binned, labels, {
      maxDepth: p.maxDepth ?? Number.POSITIVE_INFINITY,
      minSamplesSplit: p.minSamplesSplit,
      minSamplesLeaf: p.minSamplesLeaf,
      featuresPerSplit: mtry,
    });
    const master = createRng(p.seed);
    const weight = new Float64Array(n);
    const counts = new Uint32Array(n);
    const treeImp = new Float64Array(d);
    const impSum = new Float64Array(d);
    const treeSeeds = new Uint32Array(p.nEstimators);
    let treesWithSplits = 0;
    const trees: TreeArrays[] = [];
    for (let t = 0; t < p.nEstimators; t++) {
      // One independent stream per tree, derived from the seed: tree t depends only on (seed, t, data).
      treeSeeds[t] = master.nextInt(4294967296);
      const rng = createRng(treeSeeds[t]!);
      if (p.bootstrap) {
        drawBootstrap(rng, n, counts);
        for (let i = 0; i < n; i++) weight[i] = base[i]! * counts[i]!;
      } else {
        weight.set(base);
      }
      treeImp.fill(0);
      trees.push(builder.grow(weight, rng, treeImp));
      let s = 0;
      for (let f = 0; f < d; f++) s += treeImp[f]!;
      if (s > 0) {
        treesWithSplits++;
        for (let f = 0; f < d; f++) impSum[f] = impSum[f]! + treeImp[f]! / s;
      }
    }
    const impurityImportance = new Float64Array(d);
    if (treesWithSplits > 0) {
      let s = 0;
      for (let f = 0; f < d; f++) s += impSum[f]!;
      for (let f = 0; f < d; f++) impurityImportance[f] = impSum[f]! / s;
    }
    // The training X is copied (not referenced) so later changes to the caller's array cannot alter OOB results.
    const oob = { treeSeeds, data: Float64Array.from(m.data), result: null };
    this.fitted = { trees, nFeatures: d, nTrainingRows: n, impurityImportance, oob };
    return this;
  }

  /**
   * P(label 1) of each row: the mean over trees of the weighted class-1 fraction of the leaf the row reaches.
   * (Only the class-1 column of scikit-learn's `predict_proba`; P(0) = 1 − P(1).)
   */
  predictProba(x: MatrixInput): Float64Array {
    const f = this.state('predictProba');
    const m = toRowMajor(x, 'RandomForestClassifier.predictProba');
    if (m.cols !== f.nFeatures) {
      throw new InvalidInputError(
        `RandomForestClassifier.predictProba: X has ${m.cols} columns but the forest was fitted on ${f.nFeatures}; pass the same columns in the same order.`,
      );
    }
    return this.predictUnchecked(m);
  }

  private predictUnchecked(m: RowMajorMatrix): Float64Array {
    const { trees } = this.state('predictProba');
    const out = new Float64Array(m.rows);
    const packed = packedFor(trees, m.rows);
    for (let ti = 0; ti < trees.length; ti++) {
      const root = packed === null ? -1 : packed.roots[ti]!;
      if (root >= 0) addTreePacked(packed!, root, m.data, m.cols, m.rows, out);
      else for (let i = 0; i < m.rows; i++) out[i] = out[i]! + predictTreeRow(trees[ti]!, m.data, m.cols, i);
    }
    const T = trees.length;
    for (let i = 0; i < m.rows; i++) out[i] = out[i]! / T;
    return out;
  }

  /** Whether out-of-bag probabilities are available (right after `fit` with bootstrap; not after `fromJSON`). */
  get hasOob(): boolean {
    return this.fitted !== null && this.fitted.oob !== null;
  }

  private outOfBag(what: string): OutOfBag {
    const f = this.state(what);
    if (f.oob === null)
      throw new NotTrainedError(
        `RandomForestClassifier.${what}: out-of-bag results exist only right after fit(), not in a forest loaded with fromJSON().`,
      );
    if (f.oob.result === null) {
      if (!this.params.bootstrap) {
        f.oob.result = { proba: new Float64Array(f.nTrainingRows).fill(Number.NaN), treeCounts: new Uint32Array(f.nTrainingRows) };
      } else {
        f.oob.result = outOfBag(f.trees, f.oob.treeSeeds, f.oob.data, f.nTrainingRows, f.nFeatures);
      }
    }
    return f.oob.result;
  }

  /**
   * Out-of-bag P(label 1) of each training row: the mean over the trees whose bootstrap sample left the row out;
   * `NaN` where no tree did (always `NaN` with `bootstrap: false`). Computed on first access (each tree's bootstrap
   * is regenerated from its seed), so `fit` does not pay for it. Available after `fit` only, not after `fromJSON`.
   */
  get oobProba(): Float64Array {
    return this.outOfBag('oobProba').proba;
  }

  /** Per training row, the number of trees whose bootstrap sample left it out (0 ⇔ `oobProba` is NaN). After `fit` only. */
  get oobTreeCounts(): Uint32Array {
    return this.outOfBag('oobTreeCounts').treeCounts;
  }

  /**
   * Impurity importance (mean decrease in weighted Gini, "MDI"): per tree the weighted impurity decreases of the
   * splits on each feature, normalised to sum 1; averaged over trees that split; normalised to sum 1 (as
   * scikit-learn's `feature_importances_`). Measured on the training data, so it favours features with many
   * distinct values; prefer {@link permutationImportance} on held-out rows to judge a feature.
   */
  featureImportances(): Float64Array {
    return this.state('featureImportances').impurityImportance.slice();
  }

  /** The compact versioned JSON form (plain data; `JSON.stringify` it freely). */
  toJSON(): RandomForestJSON {
    const f = this.state('toJSON');
    return {
      kind: 'RandomForestClassifier',
      version: 1,
      params: { ...this.params },
      nFeatures: f.nFeatures,
      nTrainingRows: f.nTrainingRows,
      impurityImportance: Array.from(f.impurityImportance),
      trees: f.trees.map(treeToJSON),
    };
  }

  /** Restores a forest from {@link toJSON}; predictions are bit-identical. Throws StateVersionError / InvalidInputError. */
  static fromJSON(json: RandomForestJSON): RandomForestClassifier {
    const params = checkForestJSON(json);
    const rf = new RandomForestClassifier(params);
    rf.fitted = {
      trees: json.trees.map((t, i) => treeFromJSON(t, json.nFeatures, i)),
      nFeatures: json.nFeatures,
      nTrainingRows: json.nTrainingRows,
      impurityImportance: Float64Array.from(json.impurityImportance),
      oob: null,
    };
    return rf;
  }
}
