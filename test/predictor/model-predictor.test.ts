import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotTrainedError, StateVersionError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { severityWeight } from '../../src/core/labels.js';
import { brierScore, rocAuc } from '../../src/predictor/metrics.js';
import { ModelPredictor, RandomForestClassifier, PREDICTOR_FOREST_DEFAULTS, type ModelPredictorState } from '../../src/predictor/index.js';
import { signalData } from './helpers.js';

const NAMES = ['sigma_gradient', 'travel_length', 'resistance_change'];

/** Severity as the library computes it: passes 1, failures 1 + log2(1 + fail points) with 1–60 fail points. */
function severityOf(y: Uint8Array, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from(y, (l) => severityWeight(l as 0 | 1, l === 1 ? 1 + rng.nextInt(60) : 0));
}

function dataset(n: number, seed: number, trueP?: (x0: number) => number) {
  const s = signalData(n, seed, 2, trueP);
  return { features: { names: NAMES, data: s.X.data }, y: s.y, severity: severityOf(s.y, seed + 1000), p: s.p, X: s.X };
}

describe('ModelPredictor', () => {
  it('trains, reports out-of-bag metrics and predicts calibrated probabilities', () => {
    const d = dataset(400, 1);
    const predictor = new ModelPredictor('8340-1');
    const r = predictor.train(d.features, d.y, d.severity);
    expect(r.trained).toBe(true);
    if (!r.trained) return;
    expect(predictor.isTrained).toBe(true);
    expect(predictor.trainingSamples).toBe(400);
    expect(predictor.featureNames).toEqual(NAMES);
    const m = r.metrics;
    expect(m.evaluatedOn.method).toBe('oob');
    expect(m.evaluatedOn.n).toBe(400);
    expect(m.evaluatedOn.positives).toBe(d.y.reduce((a, b) => a + b, 0));
    expect(m.threshold).toBe(0.5);
    expect(m.auc!).toBeGreaterThan(0.85);
    expect(m.brier).toBeLessThan(m.brierBaseRate);
    expect(m.accuracy).toBeGreaterThan(0.75);
    expect(predictor.metrics).toEqual(m);
    const imp = predictor.getFeatureImportance();
    expect(Object.keys(imp)).toEqual(NAMES);
    expect(imp['sigma_gradient']!).toBeGreaterThan(imp['travel_length']! + imp['resistance_change']!);
    // Record and array forms agree with predictMany.
    const rows = d.X.data.subarray(0, 9);
    const many = predictor.predictMany(rows);
    expect(predictor.predictFailureProbability(rows.slice(0, 3))).toBe(many[0]);
    expect(predictor.predictFailureProbability({ sigma_gradient: rows[3]!, travel_length: rows[4]!, resistance_change: rows[5]! })).toBe(
      many[1],
    );
    expect(predictor.predictFailureProbability(Float64Array.of(0.95, 0.5, 0.5))).toBeGreaterThan(
      predictor.predictFailureProbability(Float64Array.of(0.05, 0.5, 0.5)),
    );
  });

  it('calibrates: held-out predictions bin-average close to the true probability despite balanced and severity weights', () => {
    // True P(fail) = logistic(8 (x0 − 0.75)): base rate ≈ 0.17, so balanced weights and severity (2–7× for failures)
    // push raw forest scores far above the truth; Platt scaling on out-of-bag scores must undo that.
    const trueP = (x: number) => 1 / (1 + Math.exp(-8 * (x - 0.75)));
    const train = dataset(3000, 11, trueP);
    const test = dataset(5000, 12, trueP);
    const predictor = new ModelPredictor('cal');
    expect(predictor.train(train.features, train.y, train.severity).trained).toBe(true);
    const cal = predictor.predictMany(test.features.data);
    const raw = new RandomForestClassifier(PREDICTOR_FOREST_DEFAULTS).fit(train.X, train.y, train.severity).predictProba(test.X);
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    const truth = mean(test.p);
    expect(mean(raw) - truth).toBeGreaterThan(0.15); // distorted
    expect(Math.abs(mean(cal) - truth)).toBeLessThan(0.02);
    // Bins of predicted probability (width 0.1) with ≥ 200 rows: mean prediction vs mean true probability, on the
    // held-out rows and on the calibrated out-of-bag probabilities of the training rows.
    const binsChecked = (pred: Float64Array, truth: Float64Array, minRows: number): number => {
      let checked = 0;
      for (let b = 0; b < 10; b++) {
        const idx = Array.from(pred.keys()).filter((i) => pred[i]! >= b / 10 && pred[i]! < (b + 1) / 10);
        if (idx.length < minRows) continue;
        checked++;
        const predMean = idx.reduce((s, i) => s + pred[i]!, 0) / idx.length;
        const trueMean = idx.reduce((s, i) => s + truth[i]!, 0) / idx.length;
        expect(Math.abs(predMean - trueMean)).toBeLessThan(0.06);
      }
      return checked;
    };
    expect(binsChecked(cal, test.p, 200)).toBeGreaterThanOrEqual(3);
    expect(binsChecked(predictor.oobProbabilities!, train.p, 150)).toBeGreaterThanOrEqual(3);
  });

  it('round-trips its state with bit-identical predictions', () => {
    const d = dataset(200, 3);
    const predictor = new ModelPredictor('6828 "quoted"/x');
    predictor.train(d.features, d.y, d.severity);
    const state = JSON.parse(JSON.stringify(predictor.toState())) as ModelPredictorState;
    expect(state.kind).toBe('ModelPredictor');
    expect(state.version).toBe(1);
    const copy = ModelPredictor.fromState(state);
    expect(copy.modelName).toBe('6828 "quoted"/x');
    expect(copy.metrics).toEqual(predictor.metrics);
    expect(copy.getFeatureImportance()).toEqual(predictor.getFeatureImportance());
    const probe = dataset(300, 4).features.data;
    expect(Buffer.from(copy.predictMany(probe).buffer).equals(Buffer.from(predictor.predictMany(probe).buffer))).toBe(true);
    // Out-of-bag probabilities exist after train only (bootstrap samples are not persisted).
    const oob = predictor.oobProbabilities!;
    expect(oob.length).toBe(200);
    expect(Array.from(oob).every((v) => v > 0 && v < 1)).toBe(true);
    expect(copy.oobProbabilities).toBeNull();
    expect(() => ModelPredictor.fromState({ ...state, version: 2 as 1 })).toThrow(StateVersionError);
    expect(() => ModelPredictor.fromState({ ...state, kind: 'Other' as 'ModelPredictor' })).toThrow(StateVersionError);
  });

  describe('too little or one-sided data: an explicit outcome, never a crash', () => {
    const cases: [string, number, (i: number) => 0 | 1, string][] = [
      ['tiny (10 rows)', 10, (i) => (i % 2) as 0 | 1, 'too_few_samples'],
      ['two samples', 2, (i) => i as 0 | 1, 'too_few_samples'],
      ['empty', 0, () => 0, 'too_few_samples'],
      ['all pass', 50, () => 0, 'single_class'],
      ['all fail', 50, () => 1, 'single_class'],
      ['3 failures of 50', 50, (i) => (i < 3 ? 1 : 0), 'too_few_failures'],
      ['4 passes of 50', 50, (i) => (i < 4 ? 0 : 1), 'too_few_passes'],
    ];
    for (const [name, n, label, reason] of cases) {
      it(name, () => {
        const rng = createRng(n);
        const data = Float64Array.from({ length: n * 3 }, () => rng.next());
        const y = Uint8Array.from({ length: n }, (_, i) => label(i));
        const p = new ModelPredictor('m');
        const r = p.train({ names: NAMES, data }, y, severityOf(y, 1));
        expect(r.trained).toBe(false);
        if (r.trained) return;
        expect(r.reason).toBe(reason);
        expect(r.samples).toBe(n);
        expect(r.message.length).toBeGreaterThan(10);
        expect(p.isTrained).toBe(false);
        expect(p.metrics).toBeNull();
        expect(() => p.predictFailureProbability(Float64Array.of(0.5, 0.5, 0.5))).toThrow(NotTrainedError);
        expect(() => p.toState()).toThrow(NotTrainedError);
      });
    }

    it('says how many more samples are needed', () => {
      const y = Uint8Array.from({ length: 8 }, (_, i) => i % 2);
      const r = new ModelPredictor('m').train({ names: ['a'], data: new Float64Array(8) }, y, severityOf(y, 2));
      expect(r.trained === false && r.message).toMatch(/Need 12 more samples/);
    });

    it('forgets a previous model when retraining fails', () => {
      const d = dataset(100, 5);
      const p = new ModelPredictor('m');
      expect(p.train(d.features, d.y, d.severity).trained).toBe(true);
      const y = new Uint8Array(100);
      expect(p.train(d.features, y, severityOf(y, 1)).trained).toBe(false);
      expect(p.isTrained).toBe(false);
    });

    it('constant features: trains, predicts the base rate and reports no importance', () => {
      const n = 60;
      const y = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 15 failures
      const p = new ModelPredictor('m');
      const r = p.train({ names: NAMES, data: new Float64Array(n * 3).fill(0.3) }, y, severityOf(y, 3));
      expect(r.trained).toBe(true);
      // Smoothed base rate (15 + 1)/(60 + 2), whatever the (weighted) raw score is.
      expect(p.predictFailureProbability(Float64Array.of(0.3, 0.3, 0.3))).toBeCloseTo(16 / 62, 12);
      expect(p.predictFailureProbability(Float64Array.of(9, 9, 9))).toBeCloseTo(16 / 62, 12);
      expect(Object.values(p.getFeatureImportance())).toEqual([0, 0, 0]);
      expect(p.metrics!.auc).toBe(0.5);
    });
  });

  it('rejects bad input with messages that say what to do', () => {
    const p = new ModelPredictor('m');
    const y = Uint8Array.of(0, 1);
    const sev = Float64Array.of(1, 2);
    expect(() => p.train({ names: ['a'], data: Float64Array.of(1, 2, 3) }, y, sev)).toThrow(/row-major/);
    expect(() => p.train({ names: ['a'], data: Float64Array.of(1, 2) }, y, Float64Array.of(1))).toThrow(/severity/);
    expect(() => p.train({ names: ['a'], data: Float64Array.of(1, Number.NaN) }, y, sev)).toThrow(/impute/);
    expect(() => p.train({ names: ['a'], data: Float64Array.of(1, 2) }, Uint8Array.of(0, 2), sev)).toThrow(/0 \(pass\) or 1/);
    expect(() => p.train({ names: ['a'], data: Float64Array.of(1, 2) }, y, Float64Array.of(1, 0))).toThrow(/severityWeight/);
    expect(() => p.train({ names: [], data: new Float64Array(0) }, new Uint8Array(0), new Float64Array(0))).toThrow(/at least one feature/);
    expect(() => p.train({ names: ['a', 'a'], data: new Float64Array(4) }, y, sev)).toThrow(/duplicate/);
    expect(() => new ModelPredictor('m', { forest: { maxDepth: 0 } })).toThrow(InvalidInputError);
    expect(() => new ModelPredictor('m', { minSamples: 0 })).toThrow(/minSamples/);
    const d = dataset(100, 6);
    p.train(d.features, d.y, d.severity);
    expect(() => p.predictFailureProbability({ sigma_gradient: 1 })).toThrow(/missing features travel_length, resistance_change/);
    expect(() => p.predictMany(new Float64Array(4))).toThrow(/whole number of rows/);
    expect(() => p.predictMany(Float64Array.of(1, Number.NaN, 1))).toThrow(/finite/);
  });
});

describe('ModelPredictor metrics are cross-fitted', () => {
  it('measures the metrics on the cross-fitted out-of-bag probabilities it exposes', () => {
    const rng = createRng(3);
    const n = 400;
    const data = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = rng.nextNormal();
      data[2 * i] = x;
      data[2 * i + 1] = rng.nextNormal();
      y[i] = rng.next() < 1 / (1 + Math.exp(-2 * x)) ? 1 : 0;
    }
    const p = new ModelPredictor('m', { forest: { nEstimators: 40, seed: 1 } });
    const r = p.train({ names: ['x', 'noise'], data }, y, new Float64Array(n).fill(1));
    expect(r.trained).toBe(true);
    const oob = p.oobProbabilities!;
    const ps: number[] = [];
    const ys: number[] = [];
    oob.forEach((v, i) => {
      if (!Number.isNaN(v)) {
        ps.push(v);
        ys.push(y[i]!);
      }
    });
    expect(p.metrics!.evaluatedOn.n).toBe(ps.length);
    expect(p.metrics!.brier).toBeCloseTo(brierScore(ps, ys), 12);
    expect(p.metrics!.auc!).toBeCloseTo(rocAuc(ps, ys), 12);
  });
});
