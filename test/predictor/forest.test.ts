import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotTrainedError, StateVersionError } from '../../src/core/errors.js';
import { RandomForestClassifier, binFeatures, permutationImportance, type RandomForestJSON } from '../../src/predictor/forest/index.js';
import { quantileCuts } from '../../src/predictor/forest/binning.js';
import { featuresPerSplit } from '../../src/predictor/forest/params.js';
import { rocAuc } from '../../src/predictor/metrics.js';
import { signalData } from './helpers.js';

const SMALL = { nEstimators: 20, maxDepth: 6, minSamplesLeaf: 3, seed: 7 } as const;

describe('binning', () => {
  it('gives every distinct value its own bin when there are few, with midpoint edges', () => {
    const b = binFeatures({ data: Float64Array.of(1, 5, 2, 5, 3, 7), rows: 3, cols: 2 }, 256);
    expect(Array.from(b.cuts[0]!)).toEqual([1.5, 2.5]);
    expect(Array.from(b.cuts[1]!)).toEqual([6]);
    expect(Array.from(b.codes)).toEqual([0, 1, 2, 0, 0, 1]);
  });
  it('places quantile edges between distinct values when there are many', () => {
    // 0..999 into 4 bins: targets 250, 500, 750 rows → edges after 249, 499, 749.
    const sorted = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(Array.from(quantileCuts(sorted, 4))).toEqual([249.5, 499.5, 749.5]);
    // Ties never straddle an edge: 600 zeros then 400 ones → a single edge at 0.5.
    const tied = Float64Array.from({ length: 1000 }, (_, i) => (i < 600 ? 0 : 1));
    expect(Array.from(quantileCuts(tied, 4))).toEqual([0.5]);
  });
});

describe('RandomForestClassifier', () => {
  it('is deterministic: same seed → identical JSON and probabilities; another seed differs', () => {
    const { X, y } = signalData(300, 1);
    const a = new RandomForestClassifier(SMALL).fit(X, y);
    const b = new RandomForestClassifier(SMALL).fit(X, y);
    const c = new RandomForestClassifier({ ...SMALL, seed: 8 }).fit(X, y);
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect(Array.from(a.predictProba(X))).toEqual(Array.from(b.predictProba(X)));
    expect(Array.from(a.oobProba)).toEqual(Array.from(b.oobProba));
    expect(JSON.stringify(c.toJSON())).not.toBe(JSON.stringify(a.toJSON()));
    expect(Array.from(c.predictProba(X))).not.toEqual(Array.from(a.predictProba(X)));
  });

  it('round-trips through JSON with bit-identical predictions', () => {
    const { X, y } = signalData(300, 2);
    const rf = new RandomForestClassifier(SMALL).fit(X, y);
    const copy = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(rf.toJSON())) as RandomForestJSON);
    const probe = signalData(200, 99).X;
    const p1 = rf.predictProba(probe);
    const p2 = copy.predictProba(probe);
    expect(Buffer.from(p2.buffer).equals(Buffer.from(p1.buffer))).toBe(true);
    expect(Array.from(copy.featureImportances())).toEqual(Array.from(rf.featureImportances()));
    expect(copy.params).toEqual(rf.params);
    expect(() => copy.oobProba).toThrow(NotTrainedError);
  });

  it('treats a sample weight of 2 exactly as the row repeated twice (no bootstrap, all features)', () => {
    const { X, y, d } = signalData(60, 3);
    const w = Array.from({ length: 60 }, (_, i) => 1 + (i % 3)); // weights 1, 2, 3
    const repeated: number[][] = [];
    const yr: number[] = [];
    for (let i = 0; i < 60; i++) {
      for (let k = 0; k < w[i]!; k++) {
        repeated.push(Array.from(X.data.subarray(i * d, (i + 1) * d)));
        yr.push(y[i]!);
      }
    }
    const params = { nEstimators: 3, bootstrap: false, maxFeatures: 'all', minSamplesLeaf: 1, minSamplesSplit: 2, seed: 1 } as const;
    const weighted = new RandomForestClassifier(params).fit(X, y, w);
    const dup = new RandomForestClassifier(params).fit(repeated, yr);
    expect(JSON.stringify(weighted.toJSON().trees)).toBe(JSON.stringify(dup.toJSON().trees));
    const probe = signalData(100, 4).X;
    expect(Array.from(weighted.predictProba(probe))).toEqual(Array.from(dup.predictProba(probe)));
    // And the weights do matter: unweighted is a different forest.
    const plain = new RandomForestClassifier(params).fit(X, y);
    expect(JSON.stringify(plain.toJSON().trees)).not.toBe(JSON.stringify(weighted.toJSON().trees));
  });

  it('learns a known signal: held-out AUC > 0.9', () => {
    const train = signalData(2000, 5);
    const test = signalData(1000, 6);
    const rf = new RandomForestClassifier({ nEstimators: 50, maxDepth: 8, minSamplesLeaf: 5, seed: 1 }).fit(train.X, train.y);
    // The best possible AUC here is that of the true probability; the forest must come close.
    const ideal = rocAuc(test.p, test.y);
    const auc = rocAuc(rf.predictProba(test.X), test.y);
    expect(auc).toBeGreaterThan(0.9);
    expect(ideal - auc).toBeLessThan(0.02);
  });

  it('ranks the signal feature first and a pure-noise feature near zero', () => {
    const train = signalData(2000, 7, 1);
    const rf = new RandomForestClassifier({ nEstimators: 50, maxDepth: 6, minSamplesLeaf: 5, seed: 1 }).fit(train.X, train.y);
    const mdi = rf.featureImportances();
    expect(mdi[0]! + mdi[1]!).toBeCloseTo(1, 12);
    expect(mdi[0]!).toBeGreaterThan(0.8);
    const test = signalData(1000, 8, 1);
    const perm = permutationImportance(rf, test.X, test.y, { nRepeats: 3, seed: 2 });
    expect(perm.importancesMean[0]!).toBeGreaterThan(0.2);
    expect(Math.abs(perm.importancesMean[1]!)).toBeLessThan(0.01);
    const again = permutationImportance(rf, test.X, test.y, { nRepeats: 3, seed: 2 });
    expect(Array.from(again.importancesMean)).toEqual(Array.from(perm.importancesMean));
  });

  it('gives OOB probabilities that are NaN exactly where a row was never out of bag', () => {
    const { X, y } = signalData(50, 9);
    const one = new RandomForestClassifier({ nEstimators: 1, seed: 3 }).fit(X, y);
    const counts = one.oobTreeCounts;
    const p = one.predictProba(X);
    let nan = 0;
    for (let i = 0; i < 50; i++) {
      expect(Number.isNaN(one.oobProba[i]!)).toBe(counts[i] === 0);
      if (counts[i] === 0) nan++;
      // With one tree, an OOB probability is that tree's prediction.
      else expect(one.oobProba[i]).toBe(p[i]);
    }
    // A bootstrap of n from n leaves about (1 − 1/n)^n ≈ 36% out: some rows of each kind.
    expect(nan).toBeGreaterThan(15);
    expect(nan).toBeLessThan(50);
    const many = new RandomForestClassifier({ nEstimators: 100, seed: 3 }).fit(X, y);
    expect(Array.from(many.oobProba).some(Number.isNaN)).toBe(false);
    // Computed lazily from the tree seeds and a copy of X: changing the caller's X after fit changes nothing.
    const X2 = { ...X, data: Float64Array.from(X.data) };
    const lazy = new RandomForestClassifier({ nEstimators: 100, seed: 3 }).fit(X2, y);
    X2.data.fill(0);
    expect(lazy.hasOob).toBe(true);
    expect(Array.from(lazy.oobProba)).toEqual(Array.from(many.oobProba));
    expect(RandomForestClassifier.fromJSON(lazy.toJSON()).hasOob).toBe(false);
    const noBoot = new RandomForestClassifier({ nEstimators: 2, bootstrap: false }).fit(X, y);
    expect(Array.from(noBoot.oobProba).every(Number.isNaN)).toBe(true);
  });

  it('splits with thresholds between training values and predicts raw values with them', () => {
    const X = [[1], [2], [3], [10], [11], [12]];
    const y = [0, 0, 0, 1, 1, 1];
    const rf = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all' }).fit(X, y);
    const t = rf.trees[0]!;
    expect(t.threshold[0]).toBe(6.5);
    expect(Array.from(rf.predictProba([[6.5], [6.50001], [-100], [100]]))).toEqual([0, 1, 0, 1]);
  });

  it('balances classes: class weight n/(2·n_c) moves a leaf fraction to ½', () => {
    // A stump on one constant feature is a single leaf: its value is the weighted class-1 fraction.
    const X = [[0], [0], [0], [0]];
    const y = [1, 0, 0, 0];
    const plain = new RandomForestClassifier({ nEstimators: 1, bootstrap: false }).fit(X, y);
    const balanced = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, classWeight: 'balanced' }).fit(X, y);
    expect(plain.predictProba([[0]])[0]).toBe(0.25);
    expect(balanced.predictProba([[0]])[0]).toBe(0.5);
    expect(Array.from(balanced.featureImportances())).toEqual([0]);
  });

  it('counts features per split like scikit-learn', () => {
    expect(featuresPerSplit('sqrt', 11)).toBe(3);
    expect(featuresPerSplit('log2', 11)).toBe(3);
    expect(featuresPerSplit('all', 11)).toBe(11);
    expect(featuresPerSplit(0.5, 11)).toBe(5);
    expect(featuresPerSplit(0.01, 11)).toBe(1);
    expect(featuresPerSplit(4, 11)).toBe(4);
  });

  it('respects maxDepth and minSamplesLeaf', () => {
    const { X, y } = signalData(500, 10);
    const rf = new RandomForestClassifier({ nEstimators: 5, maxDepth: 2, minSamplesLeaf: 40, seed: 1 }).fit(X, y);
    for (const t of rf.trees) {
      expect(t.feature.length).toBeLessThanOrEqual(7);
      // Depth of every node ≤ 2.
      const depth = new Int32Array(t.feature.length);
      for (let k = 0; k < t.feature.length; k++) {
        if (t.feature[k]! >= 0) {
          depth[t.left[k]!] = depth[k]! + 1;
          depth[t.right[k]!] = depth[k]! + 1;
        }
      }
      expect(Math.max(...depth)).toBeLessThanOrEqual(2);
    }
  });

  it('rejects bad input with a message that says what to do', () => {
    const rf = new RandomForestClassifier();
    expect(() => rf.fit([], [])).toThrow(/empty/);
    expect(() => rf.fit([[1], [2]], [0])).toThrow(/one label per row/);
    expect(() => rf.fit([[1], [Number.NaN]], [0, 1])).toThrow(/finite.*Impute/);
    expect(() => rf.fit([[1], [Number.POSITIVE_INFINITY]], [0, 1])).toThrow(InvalidInputError);
    expect(() => rf.fit([[1], [2]], [0, 2])).toThrow(/0 \(pass\) or 1 \(fail\)/);
    expect(() => rf.fit([[1], [2]], [1, 1])).toThrow(/both classes/);
    expect(() => rf.fit([[1, 2], [2]], [0, 1])).toThrow(/rectangular/);
    expect(() => rf.fit([[1], [2]], [0, 1], [1, -1])).toThrow(/weights/);
    expect(() => new RandomForestClassifier({ nEstimators: 0 })).toThrow(/nEstimators/);
    expect(() => new RandomForestClassifier({ maxFeatures: 'half' as never })).toThrow(/maxFeatures/);
    expect(() => new RandomForestClassifier({ maxBins: 300 })).toThrow(/256/);
    expect(() => new RandomForestClassifier({ minSamplesSplit: 1 })).toThrow(/minSamplesSplit/);
    expect(() => new RandomForestClassifier({ nTrees: 3 } as never)).toThrow(/unknown parameter/);
    expect(() =>
      new RandomForestClassifier({ maxFeatures: 5 }).fit(
        [
          [1, 2],
          [3, 4],
        ],
        [0, 1],
      ),
    ).toThrow(/only 2 features/);
    expect(() => rf.predictProba([[1]])).toThrow(NotTrainedError);
    const fitted = new RandomForestClassifier({ nEstimators: 2 }).fit(
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      [0, 1, 1],
    );
    expect(() => fitted.predictProba([[1]])).toThrow(/2/);
    const json = fitted.toJSON();
    expect(() => RandomForestClassifier.fromJSON({ ...json, version: 2 as 1 })).toThrow(StateVersionError);
    expect(() => RandomForestClassifier.fromJSON({ ...json, trees: [{ ...json.trees[0]!, feature: [5] }] })).toThrow(InvalidInputError);
  });
});

describe('RandomForestClassifier scoring paths', () => {
  // Two hand-made trees on one feature: the first with adjacent children (right = left + 1, packed for scoring from
  // the second call on), the second with its children the other way round (the general traversal).
  function handForest(): RandomForestClassifier {
    const x = { data: Float64Array.of(0.1, 0.2, 0.8, 0.9), rows: 4, cols: 1 };
    const json = new RandomForestClassifier({ nEstimators: 2, maxDepth: 2, minSamplesLeaf: 1, seed: 1 }).fit(x, [0, 0, 1, 1]).toJSON();
    const trees = [
      { feature: [0, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0.5, 0.25, 0.75] },
      { feature: [0, -1, -1], threshold: [0.4, 0, 0], left: [2, -1, -1], right: [1, -1, -1], value: [0.5, 1, 0] },
    ];
    return RandomForestClassifier.fromJSON({ ...json, trees });
  }
  it('gives the hand-computed means on the first (unpacked) and later (packed) calls, at and around the thresholds', () => {
    const rf = handForest();
    const x = Float64Array.of(0.3, 0.4, 0.45, 0.5, 0.7);
    // Tree 1: x <= 0.5 → 0.25 else 0.75. Tree 2: x <= 0.4 → node 2 (0) else node 1 (1).
    const expected = [(0.25 + 0) / 2, (0.25 + 0) / 2, (0.25 + 1) / 2, (0.25 + 1) / 2, (0.75 + 1) / 2];
    const first = Array.from(rf.predictProba({ data: x, rows: 5, cols: 1 }));
    const second = Array.from(rf.predictProba({ data: x, rows: 5, cols: 1 }));
    expect(first).toEqual(expected);
    expect(second).toEqual(expected);
  });
  it('scores a fitted forest the same row by row (unpacked, then packed) as in one call', () => {
    const { X, y } = signalData(400, 3);
    const json = new RandomForestClassifier(SMALL).fit(X, y).toJSON();
    const whole = RandomForestClassifier.fromJSON(json).predictProba(X);
    const rowwise = RandomForestClassifier.fromJSON(json);
    for (let i = 0; i < X.rows; i++) {
      const p = rowwise.predictProba({ data: X.data.subarray(i * X.cols, (i + 1) * X.cols), rows: 1, cols: X.cols });
      expect(p[0]).toBe(whole[i]);
    }
  });
});
