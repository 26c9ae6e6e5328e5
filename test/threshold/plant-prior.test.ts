import { describe, expect, it } from 'vitest';
import { InvalidInputError, StateVersionError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import {
  blendCut,
  bootstrapThreshold,
  expectedBalancedAccuracyDifference,
  fitPlantPrior,
  ModelThresholdOptimizer,
  pairedBalancedAccuracyDifference,
  sortBySigma,
  thresholdEvidence,
  validatePlantPrior,
  Z_95,
  type ModelThresholdOptimizerStateV1,
  type PlantThresholdPrior,
  type ThresholdData,
  type ThresholdEvidence,
} from '../../src/threshold/index.js';

const objective = { costRatio: 1, normalization: 'class-totals' as const };

function ev(cut: number | null, variance: number | null, extra: Partial<ThresholdEvidence> = {}): ThresholdEvidence {
  return {
    reference: 1e-4,
    logMedianRatio: 0,
    logSpread: 0.3,
    failLogit: 0,
    n: 40,
    failures: 10,
    cut,
    variance,
    bootstrapVariance: variance,
    auc: 0.8,
    ...extra,
  };
}

function prior(coefficients: number[], tau2: number, covariates: PlantThresholdPrior['covariates'] = []): PlantThresholdPrior {
  return { kind: 'PlantThresholdPrior', version: 1, covariates, coefficients, tau2, models: 10, modelsWithOutcomes: 10, units: 400 };
}

describe('thresholdEvidence: the own cut on the unit-free scale', () => {
  // sigma 1, 2, 4, 8; passes 1, 2; failures 4, 8; formula 2 for every unit
  const sigma = Float64Array.from([1, 2, 4, 8]);
  const fail = Uint8Array.from([0, 0, 1, 1]);
  const ones = new Float64Array(4).fill(1);
  const formula = new Float64Array(4).fill(2);

  it('matches the hand values: reference, covariates, cut and its variance', () => {
    const e = thresholdEvidence(sigma, fail, ones, formula, objective, 50, 7)!;
    expect(e.reference).toBe(2);
    expect(e.logMedianRatio).toBeCloseTo(Math.log(3 / 2), 14); // median sigma (2 + 4) / 2 = 3
    // type-7 quartiles of ln sigma = (0, 1, 2, 3)·ln 2: Q1 = 0.75 ln 2, Q3 = 2.25 ln 2
    expect(e.logSpread).toBeCloseTo((1.5 * Math.LN2) / 1.349, 14);
    expect(e.failLogit).toBeCloseTo(0, 14); // (2 + ½) / (4 + 1) = ½
    // the optimal plateau is (2, 4): threshold √8 = 2·√2, cut ln √2; plateau variance (ln 2)² / 12
    expect(e.cut).toBeCloseTo(Math.log(Math.SQRT2), 14);
    const boot = bootstrapThreshold(sigma, fail, ones, sortBySigma(sigma), objective, 50, createRng(7));
    expect(e.variance).toBeCloseTo((boot!.logHalfWidth / Z_95) ** 2 + Math.LN2 ** 2 / 12, 14);
    expect(e.variance!).toBeGreaterThanOrEqual(Math.LN2 ** 2 / 12);
  });

  it('scaleFrom: no bootstrap; the superset bootstrap variance × n_superset / n plus the own plateau term', () => {
    // units 0, 1, 2 of sigma 1, 2, 4 (pass, pass, fail): plateau (2, 4); superset: bootstrap variance 0.02 on 6 units
    const e = thresholdEvidence(
      sigma,
      fail,
      ones,
      formula,
      objective,
      50,
      7,
      Int32Array.from([0, 1, 2]),
      ev(0, 0.05, { n: 6, bootstrapVariance: 0.02 }),
    )!;
    expect(e.bootstrapVariance).toBeCloseTo(0.04, 15);
    expect(e.variance).toBeCloseTo(0.04 + Math.LN2 ** 2 / 12, 15);
    expect(e.cut).toBeCloseTo(Math.log(Math.SQRT2), 14);
  });

  it('has no own cut with one class, and is null without units', () => {
    const e = thresholdEvidence(sigma, new Uint8Array(4), ones, formula, objective, 50, 7)!;
    expect(e.cut).toBeNull();
    expect(e.variance).toBeNull();
    expect(e.failLogit).toBeCloseTo(Math.log(0.1 / 0.9), 14); // (0 + ½) / 5
    expect(thresholdEvidence(sigma, fail, ones, formula, objective, 50, 7, new Int32Array(0))).toBeNull();
  });
});

describe('fitPlantPrior: the Fay–Herriot fit', () => {
  it('intercept only, exact cuts 0, 1, 2: τ² is their sample variance (ddof 1) and β0 their mean', () => {
    const p = fitPlantPrior([ev(0, 0), ev(1, 0), ev(2, 0), null, ev(null, null)], [])!;
    expect(p.coefficients[0]).toBeCloseTo(1, 9);
    expect(p.tau2).toBeCloseTo(1, 9);
    expect(p.models).toBe(3);
    expect(p.modelsWithOutcomes).toBe(4);
    expect(p.units).toBe(160);
  });

  it('intercept only, cuts 0 and 2 with variance 1: Σ(y − 1)² / (τ² + 1) = M − p = 1 gives τ² = 1', () => {
    const p = fitPlantPrior([ev(0, 1), ev(2, 1), ev(1, 1)], [])!;
    // three models: Σ = (1 + 1 + 0) / (τ² + 1) = 2 → τ² = 0
    expect(p.tau2).toBe(0);
    const q = fitPlantPrior([ev(0, 1), ev(2, 1), ev(0, 1), ev(2, 1)], [])!;
    // four models: 4 / (τ² + 1) = 3 → τ² = 1/3
    expect(q.coefficients[0]).toBeCloseTo(1, 12);
    expect(q.tau2).toBeCloseTo(1 / 3, 9);
  });

  it('with the covariate: cuts on an exact line give τ² = 0 and the line', () => {
    const e = [0, 1, 2, 3].map((d) => ev(0.1 + 0.9 * d, 0.01, { logMedianRatio: d }));
    const p = fitPlantPrior(e, ['logMedianRatio'])!;
    expect(p.covariates).toEqual(['logMedianRatio']);
    expect(p.coefficients[0]).toBeCloseTo(0.1, 12);
    expect(p.coefficients[1]).toBeCloseTo(0.9, 12);
    expect(p.tau2).toBe(0);
  });

  it('falls back to the intercept when the covariate does not vary, and needs p + 1 models', () => {
    const p = fitPlantPrior([ev(0, 0.1), ev(1, 0.1), ev(2, 0.1)], ['logMedianRatio'])!;
    expect(p.covariates).toEqual([]);
    expect(p.coefficients).toHaveLength(1);
    expect(fitPlantPrior([ev(0, 0.1), ev(1, 0.1)], [])).not.toBeNull();
    expect(fitPlantPrior([ev(0, 0.1), ev(null, null)], [])).toBeNull();
  });
});

describe('blendCut: the empirical-Bayes blend', () => {
  it('matches the hand example: w = τ² / (τ² + v), cut = w ĉ + (1 − w) z′β', () => {
    // prior β = (0.2, 0.5) on (1, d), τ² = 0.04; own ĉ = 0.6, v = 0.01, d = 0.4
    const b = blendCut(ev(0.6, 0.01, { logMedianRatio: 0.4 }), prior([0.2, 0.5], 0.04, ['logMedianRatio']));
    expect(b.priorCut).toBeCloseTo(0.4, 14);
    expect(b.weight).toBeCloseTo(0.8, 14);
    expect(b.cut).toBeCloseTo(0.56, 14);
    expect(b.threshold).toBeCloseTo(1e-4 * Math.exp(0.56), 18);
    expect(b.variance).toBeCloseTo(0.008, 14);
  });

  it('without an own cut: the plant-wide cut, weight 0, variance τ²', () => {
    const b = blendCut(ev(null, null), prior([0.3], 0.05));
    expect(b).toEqual({ cut: 0.3, threshold: 1e-4 * Math.exp(0.3), weight: 0, priorCut: 0.3, variance: 0.05 });
  });

  it('validatePlantPrior refuses another version and corrupted numbers', () => {
    expect(() => validatePlantPrior({ ...prior([0], 1), version: 2 })).toThrow(StateVersionError);
    expect(() => validatePlantPrior({ ...prior([0], 1), tau2: -1 })).toThrow(InvalidInputError);
    expect(() => validatePlantPrior({ ...prior([0], 1), coefficients: [0, 1] })).toThrow(InvalidInputError);
    expect(() => validatePlantPrior(prior([0], 1))).not.toThrow();
  });
});

describe('pairedBalancedAccuracyDifference', () => {
  it('matches the hand example', () => {
    // d = [0, −1, 0, 0]; passes: 1 of 2 discordant (p̃ = 2/4), failures 0 of 2 (p̃ = 1/4)
    const r = pairedBalancedAccuracyDifference(
      Float64Array.from([1, 2, 3, 4]),
      Uint8Array.from([0, 0, 1, 1]),
      2.5,
      new Float64Array(4).fill(1.5),
      [0, 1, 2, 3],
    );
    expect(r.difference).toBeCloseTo(-0.25, 14);
    expect(r.se).toBeCloseTo(0.5 * Math.sqrt(0.25 / 2 + 0.5 / 2), 14);
  });
});

describe('expectedBalancedAccuracyDifference', () => {
  const sigma = Float64Array.from([1, 2, 3, 4]);
  const formula = new Float64Array(4).fill(1.5);

  it('matches the hand example', () => {
    // q 0.1, 0.2, 0.6, 0.9; learned 2.5, formula 1.5: only unit 1 (σ = 2) differs, d = −1. Q = 1.8, P = 2.2.
    // E BA(learned) = ½ ((0.6 + 0.9) / 1.8 + (0.9 + 0.8) / 2.2) = 0.803030; E BA(formula) = ½ (1.7 / 1.8 + 0.9 / 2.2) = 0.676768
    // c = 0.2 / 1.8 − 0.8 / 2.2 = −0.252525; SE = ½ √(0.252525² + 1 / 1.8² + 1 / 2.2²)
    const r = expectedBalancedAccuracyDifference(sigma, Float64Array.from([0.1, 0.2, 0.6, 0.9]), 2.5, formula, [0, 1, 2, 3]);
    const direct = 0.5 * (1.7 / 1.8 + 0.9 / 2.2) - 0.5 * (1.5 / 1.8 + 1.7 / 2.2);
    expect(r.difference).toBeCloseTo(direct, 14);
    expect(r.difference).toBeCloseTo(-0.126263, 6);
    const c = 0.2 / 1.8 - 0.8 / 2.2;
    expect(r.se).toBeCloseTo(0.5 * Math.sqrt(c * c + 1 / 1.8 ** 2 + 1 / 2.2 ** 2), 14);
    expect(r.se).toBeCloseTo(0.380468, 6);
  });

  it("with 0/1 probabilities has the labels' difference and the add-one share (discordant + 1) / n", () => {
    const r = expectedBalancedAccuracyDifference(sigma, Float64Array.from([0, 0, 1, 1]), 2.5, formula, [0, 1, 2, 3]);
    const labels = pairedBalancedAccuracyDifference(sigma, Uint8Array.from([0, 0, 1, 1]), 2.5, formula, [0, 1, 2, 3]);
    expect(r.difference).toBeCloseTo(labels.difference, 14);
    // passes: 1 of 2 discordant → (1 + 1) / 2²; failures: 0 of 2 → 1 / 2²
    expect(r.se).toBeCloseTo(0.5 * Math.sqrt(2 / 4 + 1 / 4), 14);
  });

  it('is never significant when a class has no expected unit', () => {
    const r = expectedBalancedAccuracyDifference(sigma, new Float64Array(4), 2.5, formula, [0, 1, 2, 3]);
    expect(r).toEqual({ difference: 0, se: Number.POSITIVE_INFINITY });
  });
});

function units(n: number, failAbove: number, formula: number): ThresholdData {
  // sigma 1..n in a scrambled date order (i·37 mod n is a permutation for n = 100, 40, 12, 10), so that the latest
  // units (the time hold-out) hold both outcomes
  const sigma = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 37) % Math.max(1, n)));
  return {
    sigma,
    fail: Uint8Array.from(sigma, (s) => (s > failAbove ? 1 : 0)),
    labelSource: 'trim',
    formulaThreshold: new Float64Array(n).fill(formula),
    dates: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i))),
  };
}

describe('ModelThresholdOptimizer with a plant-wide threshold', () => {
  it('a model with passes only gets the plant-wide threshold (weight 0)', () => {
    const d = units(10, 100, 4);
    const r = new ModelThresholdOptimizer('small').calculateThreshold(d, prior([Math.log(1.5)], 0.04));
    expect(r).toMatchObject({ learned: true, source: 'plant_wide', weight: 0, reason: 'learned' });
    expect(r.threshold).toBeCloseTo(6, 12); // 1.5 × the median formula 4
    expect(r.confidence).toBeCloseTo(Math.exp((-Z_95 * 0.2) / Math.log(1.5)), 12);
  });

  it('a model with both outcomes blends, with its weight recorded and in the state', () => {
    const d = units(40, 20, 10);
    const opt = new ModelThresholdOptimizer('m');
    const r = opt.calculateThreshold(d, prior([0], 0.5));
    expect(r.source).toBe('blended');
    const e = r.evidence!;
    expect(r.weight).toBeCloseTo(0.5 / (0.5 + e.variance!), 14);
    expect(r.threshold).toBeCloseTo(10 * Math.exp(r.weight! * e.cut!), 12);
    const back = ModelThresholdOptimizer.fromState(JSON.parse(JSON.stringify(opt.toState())));
    expect(back.result).toEqual(r);
  });

  it('no units with an outcome: the formula stays (no_outcomes)', () => {
    const r = new ModelThresholdOptimizer('m').calculateThreshold(units(0, 0, 1), prior([0], 0.1));
    expect(r).toMatchObject({ learned: false, threshold: null, source: 'formula', reason: 'no_outcomes' });
  });

  it('the formula stays where it is measurably better on the held-out units', () => {
    // failures exactly above the formula 20.5; the plant-wide cut (100 × the formula, τ² tiny) passes everything
    const r = new ModelThresholdOptimizer('m').calculateThreshold(units(100, 20.5, 20.5), prior([Math.log(100)], 1e-9));
    expect(r.reason).toBe('formula_better');
    expect(r.source).toBe('formula');
    expect(r.threshold).toBeNull();
    const h = r.heldOut!;
    if (!h.evaluated) throw new Error('expected an evaluated comparison');
    // the latest 30 units; the formula classifies them perfectly (balanced accuracy 1), the plant-wide cut passes all (½)
    expect(h.heldOutN).toBe(30);
    expect(h.formula.balancedAccuracy).toBe(1);
    expect(h.learned.balancedAccuracy).toBe(0.5);
    expect(h.formulaAdvantage).toBeCloseTo(0.5, 14);
    expect(h.formulaMeasurablyBetter).toBe(true);
    expect(r.message).toContain('30 units');
    expect(h.advantageOutcomes).toBe('labels');
  });

  it('with Final Test probabilities the test is on the expected balanced accuracy', () => {
    const data = units(100, 20.5, 20.5);
    const p = prior([Math.log(100)], 1e-9);
    // probabilities equal to the labels: the same verdict as the labels
    const same = new ModelThresholdOptimizer('m').calculateThreshold({ ...data, failProbability: Float64Array.from(data.fail) }, p);
    expect(same.reason).toBe('formula_better');
    const h = same.heldOut!;
    if (!h.evaluated) throw new Error('expected an evaluated comparison');
    expect(h.advantageOutcomes).toBe('fail_probability');
    expect(h.formulaAdvantage).toBeCloseTo(0.5, 14); // every unit's probability is its label: the labels' difference
    // uninformative probabilities (0.5 for every unit): every cut has expected balanced accuracy ½, no difference
    const flat = new ModelThresholdOptimizer('m').calculateThreshold({ ...data, failProbability: new Float64Array(100).fill(0.5) }, p);
    expect(flat.reason).toBe('learned');
    const hf = flat.heldOut!;
    if (!hf.evaluated) throw new Error('expected an evaluated comparison');
    expect(hf.formulaAdvantage).toBeCloseTo(0, 14);
    expect(hf.formulaMeasurablyBetter).toBe(false);
  });

  it('loads a version-1 state as source own, severity-weighted', () => {
    const opt = new ModelThresholdOptimizer('m', { minSamples: 12 });
    opt.calculateThreshold({ ...units(12, 6, 3), dates: undefined });
    const v2 = opt.toState();
    const { source: _s, weight: _w, evidence: _e, prior: _p, blend: _b, ...r1 } = v2.result!;
    const { severityWeighted: _sw, ...o1 } = v2.options;
    const v1: ModelThresholdOptimizerStateV1 = { kind: 'ModelThresholdOptimizer', version: 1, modelName: 'm', options: o1, result: r1 };
    const back = ModelThresholdOptimizer.fromState(v1);
    expect(back.result?.source).toBe('own');
    expect(back.result?.weight).toBe(1);
    expect(back.options.severityWeighted).toBe(true);
    expect(back.threshold).toBe(v2.result!.threshold);
  });
});
