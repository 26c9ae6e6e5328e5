import { describe, expect, it } from 'vitest';
import { InvalidInputError, StateVersionError } from '../../src/core/errors.js';
import {
  ModelThresholdOptimizer,
  type ModelThresholdOptimizerState,
  type ThresholdData,
  type ThresholdNotLearnedReason,
} from '../../src/threshold/index.js';
import { synthUnits } from './synthetic.js';

function data(sigma: number[], fail: number[], failPoints?: number[]): ThresholdData {
  return {
    sigma: Float64Array.from(sigma),
    fail: Uint8Array.from(fail),
    labelSource: 'trim',
    formulaThreshold: new Float64Array(sigma.length).fill(5),
    ...(failPoints ? { failPoints: Float64Array.from(failPoints) } : {}),
  };
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('ModelThresholdOptimizer: the learned threshold', () => {
  // sigma 1..12; passes at 1,2,3,4,6,7; failures at 5,8,9,10,11,12 (hand costs in cost-search.test.ts)
  const sigma = range(12, (i) => i + 1);
  const fail = [0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1];
  const small = { minSamples: 12, severityWeighted: true };

  it('finds the hand-computed optimum, with severity from fail points', () => {
    const opt = new ModelThresholdOptimizer('8340-1', small);
    const r = opt.calculateThreshold(
      data(
        sigma,
        fail,
        fail.map((f) => (f ? 1 : 0)),
      ),
    );
    expect(r.learned).toBe(true);
    expect(r.reason).toBe('learned');
    expect(r.threshold).toBeCloseTo(Math.sqrt(56), 12);
    expect(opt.threshold).toBe(r.threshold);
    expect(r.search!.cost).toBeCloseTo(1 / 6, 12);
    expect(r.counts).toEqual({ n: 12, failures: 6, passes: 6, distinctSigma: 12 });
    expect(r.objective).toEqual({ costRatio: 1, normalization: 'class-totals' });
    // 8 training units < minSamples 12: the comparison is refused, not faked
    expect(r.heldOut).toMatchObject({ evaluated: false, reason: 'train_not_learned', trainN: 8, heldOutN: 4, split: 'stratified' });
  });

  it('a heavy failure (255 fail points) just above the cut pulls the threshold down', () => {
    const r = new ModelThresholdOptimizer('8340-1', small).calculateThreshold(
      data(
        sigma,
        fail,
        fail.map((f, i) => (f ? (i === 4 ? 255 : 1) : 0)),
      ),
    );
    expect(r.threshold).toBeCloseTo(Math.sqrt(20), 12);
  });

  it('costRatio is a parameter: escapes costing 3× move the cut below the failure at 5', () => {
    // cost = 3·escapes/12 + rejects/6: 4|5 → 2/6 = 0.333; 7|8 → 3·2/12 = 0.5; 3|4 → 0.5; 5|6 → 0.833 → 4|5
    const r = new ModelThresholdOptimizer('m', { ...small, costRatio: 3 }).calculateThreshold(
      data(
        sigma,
        fail,
        fail.map((f) => (f ? 1 : 0)),
      ),
    );
    expect(r.threshold).toBeCloseTo(Math.sqrt(20), 12);
    expect(r.search!.cost).toBeCloseTo(2 / 6, 12);
    expect(r.search!.costPassAll).toBe(3);
    expect(r.objective.costRatio).toBe(3);
  });

  it('precomputed severity takes precedence over fail points; unknown fail points weigh as one', () => {
    const sev = fail.map((f, i) => (f ? (i === 4 ? 9 : 2) : 1));
    const d = {
      ...data(
        sigma,
        fail,
        fail.map(() => Number.NaN),
      ),
      severity: Float64Array.from(sev),
    };
    expect(new ModelThresholdOptimizer('m', small).calculateThreshold(d).threshold).toBeCloseTo(Math.sqrt(20), 12);
    const unknown = data(
      sigma,
      fail,
      fail.map(() => Number.NaN),
    );
    expect(new ModelThresholdOptimizer('m', small).calculateThreshold(unknown).threshold).toBeCloseTo(Math.sqrt(56), 12);
  });

  it('a weak but real edge passes the default cost-reduction floor and is refused by a stricter one', () => {
    // Alternating pass/fail over sigma 1..30 (pass at odd, fail at even). Every cut just above a pass costs
    // j/15 + (14 − j)/15 = 14/15 against 1 for pass-all / reject-all: a 6.7 % reduction. AUC = Σk/225 = 0.533.
    // Among the tied cuts the widest log gap is 1|2 → threshold √2.
    const s = range(30, (i) => i + 1);
    const f = range(30, (i) => (i % 2 === 1 ? 1 : 0));
    const r = new ModelThresholdOptimizer('m').calculateThreshold(data(s, f));
    expect(r.learned).toBe(true);
    expect(r.auc).toBeCloseTo(120 / 225, 12);
    expect(r.search!.cost).toBeCloseTo(14 / 15, 12);
    expect(r.threshold).toBeCloseTo(Math.SQRT2, 12);
    const strict = new ModelThresholdOptimizer('m', { minCostReduction: 0.1 }).calculateThreshold(data(s, f));
    expect(strict.learned).toBe(false);
    expect(strict.reason).toBe('no_separation');
  });
});

describe('ModelThresholdOptimizer: when no threshold can be learned', () => {
  const cases: [string, ThresholdNotLearnedReason, ThresholdData][] = [
    [
      'fewer than minSamples (20 < 30)',
      'too_few_samples',
      data(
        range(20, (i) => i + 1),
        range(20, (i) => (i >= 15 ? 1 : 0)),
      ),
    ],
    [
      'no failures',
      'no_failures',
      data(
        range(40, (i) => i + 1),
        range(40, () => 0),
      ),
    ],
    [
      'no passes',
      'no_passes',
      data(
        range(40, (i) => i + 1),
        range(40, () => 1),
      ),
    ],
    [
      '3 failures (< 5)',
      'too_few_failures',
      data(
        range(40, (i) => i + 1),
        range(40, (i) => (i >= 37 ? 1 : 0)),
      ),
    ],
    [
      '3 passes (< 5)',
      'too_few_passes',
      data(
        range(40, (i) => i + 1),
        range(40, (i) => (i < 3 ? 0 : 1)),
      ),
    ],
    [
      'constant sigma',
      'constant_sigma',
      data(
        range(40, () => 2e-4),
        range(40, (i) => (i < 10 ? 1 : 0)),
      ),
    ],
    [
      'inverted: failures have the LOWEST sigma',
      'no_separation',
      data(
        range(40, (i) => i + 1),
        range(40, (i) => (i < 10 ? 1 : 0)),
      ),
    ],
  ];
  for (const [name, reason, d] of cases) {
    it(`${name} → learned: false, reason ${reason}, the formula stays`, () => {
      const opt = new ModelThresholdOptimizer('6607');
      const r = opt.calculateThreshold(d);
      expect(r.learned).toBe(false);
      expect(r.reason).toBe(reason);
      expect(r.threshold).toBeNull();
      expect(r.confidence).toBeNull();
      expect(r.bootstrap).toBeNull();
      expect(r.heldOut).toBeNull();
      expect(r.message).toMatch(/formula threshold stays/);
      expect(opt.threshold).toBeNull();
      expect(opt.confidence).toBeNull();
    });
  }

  it('the inverted case reports its AUC (0: every failure below every pass)', () => {
    const r = new ModelThresholdOptimizer('m').calculateThreshold(cases[6]![2]);
    expect(r.auc).toBe(0);
    expect(r.message).toMatch(/AUC 0\.000/);
  });
});

describe('ModelThresholdOptimizer: input and options validation', () => {
  it('rejects malformed data with InvalidInputError', () => {
    const opt = new ModelThresholdOptimizer('m');
    expect(() => opt.calculateThreshold(data([1, 2], [0]))).toThrow(InvalidInputError);
    expect(() => opt.calculateThreshold(data([1, 0], [0, 1]))).toThrow(/sigma must be finite and > 0/);
    expect(() => opt.calculateThreshold(data([1, 999.999, Number.NaN], [0, 1, 0]))).toThrow(InvalidInputError);
    expect(() => opt.calculateThreshold(data([1, 2], [0, 2]))).toThrow(/1 for a failure/);
    expect(() => opt.calculateThreshold({ ...data([1, 2], [0, 1]), formulaThreshold: Float64Array.from([0, 1]) })).toThrow(
      InvalidInputError,
    );
    expect(() => opt.calculateThreshold({ ...data([1, 2], [0, 1]), dates: [new Date(0)] })).toThrow(InvalidInputError);
  });

  it('rejects bad and unknown options', () => {
    expect(() => new ModelThresholdOptimizer('m', { costRatio: 0 })).toThrow(InvalidInputError);
    expect(() => new ModelThresholdOptimizer('m', { heldOutFraction: 1 })).toThrow(InvalidInputError);
    expect(() => new ModelThresholdOptimizer('m', { bootstrapResamples: 5 })).toThrow(InvalidInputError);
    expect(() => new ModelThresholdOptimizer('m', { costratio: 1 } as never)).toThrow(/Unknown threshold option/);
  });
});

describe('ModelThresholdOptimizer: state', () => {
  it('round-trips a learned threshold exactly through JSON', () => {
    const opt = new ModelThresholdOptimizer('8340/1 "A"', { costRatio: 2, seed: 7 });
    opt.calculateThreshold(synthUnits({ n: 300, seed: 3, truth: 4e-4, slope: 0.1, formula: 1.5e-4, withDates: true }));
    const state = opt.toState();
    expect(state.kind).toBe('ModelThresholdOptimizer');
    expect(state.version).toBe(2);
    const json = JSON.parse(JSON.stringify(state)) as ModelThresholdOptimizerState;
    expect(json).toEqual(state);
    const back = ModelThresholdOptimizer.fromState(json);
    expect(back.toState()).toEqual(state);
    expect(back.threshold).toBe(opt.threshold);
    expect(back.confidence).toBe(opt.confidence);
    expect(back.options.costRatio).toBe(2);
    expect(back.result?.bootstrap).toEqual(opt.result?.bootstrap);
    expect(back.result?.heldOut).toEqual(opt.result?.heldOut);
  });

  it('round-trips untrained and not-learned states', () => {
    const fresh = new ModelThresholdOptimizer('m');
    expect(ModelThresholdOptimizer.fromState(fresh.toState()).result).toBeNull();
    fresh.calculateThreshold(
      data(
        range(40, (i) => i + 1),
        range(40, () => 0),
      ),
    );
    const back = ModelThresholdOptimizer.fromState(JSON.parse(JSON.stringify(fresh.toState())) as ModelThresholdOptimizerState);
    expect(back.result?.reason).toBe('no_failures');
    expect(back.threshold).toBeNull();
  });

  it('refuses another kind or version, and corrupted fields', () => {
    const state = new ModelThresholdOptimizer('m').toState();
    expect(() => ModelThresholdOptimizer.fromState({ ...state, version: 3 } as never)).toThrow(StateVersionError);
    expect(() => ModelThresholdOptimizer.fromState({ ...state, kind: 'FeatureImputer' } as never)).toThrow(StateVersionError);
    const opt = new ModelThresholdOptimizer('m', { minSamples: 12 });
    opt.calculateThreshold(
      data(
        range(12, (i) => i + 1),
        [0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1],
      ),
    );
    const good = opt.toState();
    expect(() => ModelThresholdOptimizer.fromState({ ...good, result: { ...good.result!, threshold: -1 } })).toThrow(InvalidInputError);
    expect(() => ModelThresholdOptimizer.fromState({ ...good, modelName: 'other' })).toThrow(InvalidInputError);
    expect(() => ModelThresholdOptimizer.fromState({ ...good, options: { ...good.options, costRatio: -1 } })).toThrow(InvalidInputError);
  });
});
