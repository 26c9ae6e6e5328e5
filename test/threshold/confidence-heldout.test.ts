import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import {
  bootstrapThreshold,
  ModelThresholdOptimizer,
  sortBySigma,
  splitHeldOut,
  thresholdConfidence,
  type ThresholdData,
} from '../../src/threshold/index.js';
import { synthUnits } from './synthetic.js';

const SCALES = { spreadScale: Math.log(1.5), supportScale: 10 };
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const SEEDS = [1, 2, 3, 4, 5];

describe('thresholdConfidence', () => {
  it('matches the definition by hand', () => {
    // 0.8 × exp(−ln 1.1 / ln 1.5) × 40/50 = 0.8 × 0.790520 × 0.8 = 0.505933 (computed independently in Python)
    expect(thresholdConfidence({ auc: 0.9, logHalfWidth: Math.log(1.1), minorityCount: 40 }, SCALES)).toBeCloseTo(0.5059330508, 9);
    // perfect separation, zero spread, 30 in the minority class: 1 × 1 × 30/40
    expect(thresholdConfidence({ auc: 1, logHalfWidth: 0, minorityCount: 30 }, SCALES)).toBeCloseTo(0.75, 12);
    expect(thresholdConfidence({ auc: 0.4, logHalfWidth: 0, minorityCount: 30 }, SCALES)).toBe(0);
    expect(thresholdConfidence({ auc: 1, logHalfWidth: 0, minorityCount: 30 }, { spreadScale: 1, supportScale: 0 })).toBe(1);
  });

  it('is monotone in each input', () => {
    const c = (auc: number, w: number, m: number) => thresholdConfidence({ auc, logHalfWidth: w, minorityCount: m }, SCALES);
    expect(c(0.7, 0.1, 20)).toBeLessThan(c(0.8, 0.1, 20));
    expect(c(0.8, 0.3, 20)).toBeLessThan(c(0.8, 0.1, 20));
    expect(c(0.8, 0.1, 10)).toBeLessThan(c(0.8, 0.1, 100));
  });
});

describe('bootstrap and confidence on data', () => {
  it('a perfectly separated model with one sigma per class: every resample gives √(1·4) = 2', () => {
    const n = 60;
    const d: ThresholdData = {
      sigma: Float64Array.from({ length: n }, (_, i) => (i < 30 ? 1 : 4)),
      fail: Uint8Array.from({ length: n }, (_, i) => (i < 30 ? 0 : 1)),
      labelSource: 'final_test',
      formulaThreshold: new Float64Array(n).fill(3),
    };
    const r = new ModelThresholdOptimizer('m').calculateThreshold(d);
    expect(r.threshold).toBeCloseTo(2, 12);
    expect(r.bootstrap).toMatchObject({ resamples: 200, valid: 200, p5: 2, p50: 2, p95: 2, logHalfWidth: 0 });
    expect(r.auc).toBe(1);
    expect(r.confidence).toBeCloseTo(0.75, 12); // 1 × 1 × 30/40
  });

  it('is reproducible with a seed and orders its percentiles', () => {
    const d = synthUnits({ n: 300, seed: 9, truth: 4e-4, slope: 0.1, formula: 1.5e-4 });
    const sev = Float64Array.from(d.fail, (f, i) => (f ? 1 + Math.log2(1 + d.failPoints![i]!) : 1));
    const objective = { costRatio: 1, normalization: 'class-totals' as const };
    const a = bootstrapThreshold(d.sigma, d.fail, sev, sortBySigma(d.sigma), objective, 50, createRng(5))!;
    const b = bootstrapThreshold(d.sigma, d.fail, sev, sortBySigma(d.sigma), objective, 50, createRng(5))!;
    expect(a).toEqual(b);
    expect(a.p5).toBeLessThanOrEqual(a.p50);
    expect(a.p50).toBeLessThanOrEqual(a.p95);
    expect(a.logHalfWidth).toBeCloseTo((Math.log(a.p95) - Math.log(a.p5)) / 2, 12);
  });

  it('more data → higher confidence (median over 5 synthetic models each)', () => {
    const conf = (n: number) =>
      median(
        SEEDS.map(
          (seed) =>
            new ModelThresholdOptimizer('m').calculateThreshold(synthUnits({ n, seed, truth: 4e-4, slope: 0.1, formula: 1.5e-4 }))
              .confidence!,
        ),
      );
    const c60 = conf(60);
    const c300 = conf(300);
    const c2000 = conf(2000);
    expect(c60).toBeLessThan(c300);
    expect(c300).toBeLessThan(c2000);
  });

  it('more separation → higher confidence (median over 5 synthetic models each)', () => {
    const conf = (slope: number) =>
      median(
        SEEDS.map(
          (seed) =>
            new ModelThresholdOptimizer('m').calculateThreshold(synthUnits({ n: 300, seed, truth: 4e-4, slope, formula: 1.5e-4 }))
              .confidence!,
        ),
      );
    const loose = conf(0.3);
    const mid = conf(0.1);
    const sharp = conf(0.03);
    expect(loose).toBeLessThan(mid);
    expect(mid).toBeLessThan(sharp);
  });
});

describe('held-out comparison with the formula', () => {
  it('time-ordered: the learned threshold beats a deliberately tight formula on the latest 30 %', () => {
    // Truth: failures above 4e-4 (sharp logistic); the formula says 1.5e-4 and rejects most good units.
    const d = synthUnits({ n: 500, seed: 11, truth: 4e-4, slope: 0.03, formula: 1.5e-4, withDates: true });
    const r = new ModelThresholdOptimizer('8340-1').calculateThreshold(d);
    expect(r.learned).toBe(true);
    expect(r.threshold!).toBeGreaterThan(4e-4 * 0.9);
    expect(r.threshold!).toBeLessThan(4e-4 * 1.1);
    const h = r.heldOut!;
    expect(h.evaluated).toBe(true);
    if (!h.evaluated) return;
    expect(h.split).toBe('time');
    expect(h.heldOutN).toBe(150);
    expect(h.trainN).toBe(350);
    expect(h.betterThanFormula).toBe(true);
    expect(h.learned.balancedAccuracy).toBeGreaterThan(0.9);
    expect(h.formula.balancedAccuracy).toBeLessThan(h.learned.balancedAccuracy);
    expect(h.learned.balancedAccuracy).toBeCloseTo((h.learned.tpr + h.learned.tnr) / 2, 12);
    // the formula at 1.5e-4 catches every failure but passes few good units
    expect(h.formula.tpr).toBe(1);
    expect(h.formula.tnr).toBeLessThan(0.3);
    let heldFails = 0;
    for (let i = 350; i < 500; i++) heldFails += d.fail[i]!; // dates ascend with the index in synthUnits
    expect(h.heldOutFailures).toBe(heldFails);
  });

  it('stratified when no dates: a too-loose formula loses too', () => {
    const d = synthUnits({ n: 400, seed: 12, truth: 4e-4, slope: 0.03, formula: 2e-3 });
    const r = new ModelThresholdOptimizer('6828').calculateThreshold(d);
    const h = r.heldOut!;
    expect(h.evaluated && h.split === 'stratified' && h.betterThanFormula).toBe(true);
    if (h.evaluated) expect(h.formula.tpr).toBeLessThan(0.1); // 2e-3 passes almost every failure
  });

  it('a formula at the truth is not beaten by construction: betterThanFormula is a real comparison', () => {
    // Deterministic outcome (fail iff sigma > 4e-4) and the formula exactly at the truth: the formula is perfect on
    // the held-out units, so the learned threshold can at best tie and betterThanFormula must be false.
    const d = synthUnits({ n: 400, seed: 13, truth: 4e-4, slope: 1e-9, formula: 4e-4 });
    const h = new ModelThresholdOptimizer('m').calculateThreshold(d).heldOut!;
    expect(h.evaluated).toBe(true);
    if (!h.evaluated) return;
    expect(h.formula.balancedAccuracy).toBe(1);
    expect(h.betterThanFormula).toBe(false);
  });
});

describe('splitHeldOut', () => {
  it('time split holds out the latest units, ties broken by index', () => {
    const dates = [5, 1, 4, 2, 3, 3, 0, 6, 7, 8].map((d) => new Date(d * 86_400_000));
    const fail = Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const s = splitHeldOut(fail, 0.3, createRng(1), dates);
    expect(s.split).toBe('time');
    expect(Array.from(s.heldOut)).toEqual([7, 8, 9]); // days 6, 7, 8
    expect(s.train.length).toBe(7);
  });

  it('stratified split keeps round(count · fraction) of each class and is seeded', () => {
    const fail = Uint8Array.from({ length: 47 }, (_, i) => (i < 7 ? 1 : 0)); // 7 failures, 40 passes
    const s = splitHeldOut(fail, 0.3, createRng(3));
    expect(s.split).toBe('stratified');
    const heldFails = Array.from(s.heldOut).filter((i) => fail[i] === 1).length;
    expect(heldFails).toBe(2); // round(2.1)
    expect(s.heldOut.length).toBe(2 + 12); // round(12)
    expect(new Set([...s.train, ...s.heldOut]).size).toBe(47);
    expect(splitHeldOut(fail, 0.3, createRng(3))).toEqual(s);
  });
});
