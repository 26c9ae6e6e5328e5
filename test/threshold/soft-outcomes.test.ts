import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import {
  bootstrapThreshold,
  ModelThresholdOptimizer,
  sortBySigma,
  thresholdEvidence,
  Z_95,
  type PlantThresholdPrior,
  type ThresholdData,
} from '../../src/threshold/index.js';
import { groupBySigma, groupBySigmaSoft, weightedAuc } from '../../src/threshold/sigma-groups.js';
import { searchCostOptimalThreshold } from '../../src/threshold/cost-search.js';

const objective = { costRatio: 1, normalization: 'class-totals' as const };
const ones = (n: number) => new Float64Array(n).fill(1);

describe('groupBySigmaSoft: soft outcomes', () => {
  it('adds q·severity·m to the failures and (1 − q)·m to the passes (hand values)', () => {
    const sigma = Float64Array.from([2, 1, 2]);
    const q = Float64Array.from([0.5, 0.25, 1]);
    const g = groupBySigmaSoft(sigma, q, ones(3), sortBySigma(sigma));
    expect(Array.from(g.values)).toEqual([1, 2]);
    expect(Array.from(g.failWeight)).toEqual([0.25, 1.5]);
    expect(Array.from(g.passWeight)).toEqual([0.75, 0.5]);
    expect(g.totalFail).toBe(1.75);
    expect(g.totalPass).toBe(1.25);
    // multiplicity 2, 1, 0: unit 2 is left out, unit 0 counts twice
    const m = groupBySigmaSoft(sigma, q, ones(3), sortBySigma(sigma), Float64Array.from([2, 1, 0]));
    expect(Array.from(m.failWeight)).toEqual([0.25, 1]);
    expect(Array.from(m.passWeight)).toEqual([0.75, 1]);
  });

  it('is groupBySigma for 0/1 outcomes', () => {
    const sigma = Float64Array.from([3, 1, 2, 1]);
    const fail = Uint8Array.from([1, 1, 0, 0]);
    const sev = Float64Array.from([2, 3, 1, 1]);
    expect(groupBySigmaSoft(sigma, Float64Array.from(fail), sev, sortBySigma(sigma))).toEqual(
      groupBySigma(sigma, fail, sev, sortBySigma(sigma)),
    );
  });

  it('the cost search maximises the expected balanced accuracy (hand values)', () => {
    // sigma 1..4, q 0, 0.2, 0.6, 1: Σq = 1.8, Σ(1 − q) = 2.2. Cost of a cut = escaped q / 1.8 + rejected (1 − q) / 2.2:
    // after 1: 0 + 1.2/2.2 = 0.5455; after 2: 0.2/1.8 + 0.4/2.2 = 0.2929; after 3: 0.8/1.8 + 0 = 0.4444 → cut √(2·3)
    const sigma = Float64Array.from([1, 2, 3, 4]);
    const g = groupBySigmaSoft(sigma, Float64Array.from([0, 0.2, 0.6, 1]), ones(4), sortBySigma(sigma));
    const s = searchCostOptimalThreshold(g, objective)!;
    expect(s.threshold).toBeCloseTo(Math.sqrt(6), 14);
    expect(s.cost).toBeCloseTo(0.2 / 1.8 + 0.4 / 2.2, 14);
    expect(s.plateauLow).toBe(2);
    expect(s.plateauHigh).toBe(3);
    // expected AUC: Σ_g fw_g (passes below + ½ passes at g) / (1.8 · 2.2) = (0.2·1.4 + 0.6·2.0 + 1·2.2) / 3.96
    expect(weightedAuc(g)).toBeCloseTo(3.68 / 3.96, 14);
  });
});

describe('bootstrapThreshold with soft outcomes', () => {
  it('draws units from all of them (not stratified): a resample of one class has no cut', () => {
    // two units, sigma 1 (q 0) and 4 (q 1): a resample holds both (cut √4 = 2) or one twice (no cut), each about half
    const sigma = Float64Array.from([1, 4]);
    const fail = Uint8Array.from([0, 1]);
    const soft = Float64Array.from([0, 1]);
    const b = bootstrapThreshold(sigma, fail, ones(2), sortBySigma(sigma), objective, 200, createRng(3), soft)!;
    expect(b.valid).toBeGreaterThan(60);
    expect(b.valid).toBeLessThan(140);
    expect(b.p5).toBe(2);
    expect(b.p95).toBe(2);
    expect(b.logHalfWidth).toBe(0);
    // stratified (no soft): every resample keeps one of each class
    expect(bootstrapThreshold(sigma, fail, ones(2), sortBySigma(sigma), objective, 200, createRng(3))!.valid).toBe(200);
  });
});

describe('thresholdEvidence and the optimizer with failProbability', () => {
  const sigma = Float64Array.from([1, 2, 3, 4]);
  const fail = Uint8Array.from([0, 0, 1, 1]);
  const soft = Float64Array.from([0, 0.2, 0.6, 1]);
  const formula = new Float64Array(4).fill(2);

  it('the own cut is the expected-balanced-accuracy cut; counts stay those of the labels', () => {
    const e = thresholdEvidence(sigma, fail, ones(4), formula, objective, 50, 7, undefined, undefined, soft)!;
    expect(e.cut).toBeCloseTo(Math.log(Math.sqrt(6) / 2), 14);
    expect(e.n).toBe(4);
    expect(e.failures).toBe(2);
    expect(e.auc).toBeCloseTo(3.68 / 3.96, 14);
    const boot = bootstrapThreshold(sigma, fail, ones(4), sortBySigma(sigma), objective, 50, createRng(7), soft)!;
    expect(e.variance).toBeCloseTo((boot.logHalfWidth / Z_95) ** 2 + Math.log(1.5) ** 2 / 12, 14);
    // the hard labels cut between 2 and 3 as well, but on the plateau (2, 3) alone
    expect(thresholdEvidence(sigma, fail, ones(4), formula, objective, 50, 7)!.cut).toBeCloseTo(Math.log(Math.sqrt(6) / 2), 14);
  });

  const data = (failProbability: Float64Array): ThresholdData => ({
    sigma,
    fail,
    formulaThreshold: formula,
    labelSource: 'final_test',
    failProbability,
  });
  const prior: PlantThresholdPrior = {
    kind: 'PlantThresholdPrior',
    version: 1,
    covariates: [],
    coefficients: [0],
    tau2: 1e6,
    models: 10,
    modelsWithOutcomes: 10,
    units: 400,
  };

  it('a NaN probability counts the label; the blend uses the soft cut', () => {
    const opt = new ModelThresholdOptimizer('m', { bootstrapResamples: 50 });
    const nan = opt.evidenceOf(data(Float64Array.from([Number.NaN, 0.2, 0.6, Number.NaN])))!;
    expect(nan.cut).toBeCloseTo(Math.log(Math.sqrt(6) / 2), 14); // q = 0, 0.2, 0.6, 1
    expect(nan.auc).toBeCloseTo(3.68 / 3.96, 14);
    // q = 0.9, 0.8, 0.1, 0 on the same labels: failures are the low-sigma units, so no cut beats "pass everything"
    expect(opt.evidenceOf(data(Float64Array.from([0.9, 0.8, 0.1, 0])))!.cut).toBeNull();
    const r = opt.calculateThreshold(data(soft), prior);
    expect(r.source).toBe('blended');
    expect(r.threshold!).toBeCloseTo(Math.sqrt(6), 4); // weight τ² / (τ² + v) ≈ 1
  });

  it('rejects a probability outside [0, 1] or of the wrong length', () => {
    const opt = new ModelThresholdOptimizer('m');
    expect(() => opt.evidenceOf(data(Float64Array.from([0, 0.2, 1.5, 1])))).toThrow(InvalidInputError);
    expect(() => opt.evidenceOf(data(Float64Array.from([0, 0.2, 1])))).toThrow(/failProbability has 3 entries/);
  });
});
