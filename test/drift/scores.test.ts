import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/core/stats/normal.js';
import {
  arl0ForHorizon,
  autocorrelations,
  correlationInflation,
  midRank,
  nonIncreasingFit,
  rankNormalScore,
  rankScoreScale,
  subgroupInflation,
  timeCorrelation,
  unitsPerYearOf,
  withinNormalScores,
} from '../../src/drift/index.js';

const DAY = 86_400_000;
const at = (days: number[]): Date[] => days.map((d) => new Date(d * DAY));

describe('rank normal scores (hand-computed)', () => {
  it('c_n: n = 1 → Φ⁻¹(0.75), n = 3 → √((2·1.1503² + 2·0.3186²)/4)', () => {
    expect(rankScoreScale(0)).toBe(0);
    expect(rankScoreScale(1)).toBeCloseTo(0.6744897501960817, 14);
    const a = normalQuantile(7 / 8);
    const b = normalQuantile(5 / 8);
    expect(a).toBeCloseTo(1.1503493803760079, 12);
    expect(rankScoreScale(3)).toBeCloseTo(Math.sqrt((2 * a * a + 2 * b * b) / 4), 14);
    expect(rankScoreScale(3)).toBeCloseTo(0.84403, 4);
  });

  it('mid-ranks count ties half', () => {
    expect(midRank([1, 2, 2, 3], 2)).toBe(2);
    expect(midRank([1, 2, 2, 3], 2.5)).toBe(3);
    expect(midRank([1, 2, 2, 3], 0)).toBe(0);
    expect(midRank([1, 2, 2, 3], 9)).toBe(4);
  });

  it('scores: the median scores 0, a value above all of 3 scores Φ⁻¹(7/8)/c₃', () => {
    expect(rankNormalScore([1, 2, 3], 2)).toBe(0);
    expect(rankNormalScore([1, 2, 3], 10)).toBeCloseTo(1.1503493803760079 / rankScoreScale(3), 14);
    expect(rankNormalScore([1, 2, 3], 10)).toBeCloseTo(1.3629, 3);
  });

  it('has mean 0 and variance 1 exactly over the n + 1 equally likely ranks, whatever the values', () => {
    for (const n of [5, 30, 101]) {
      const ref = Array.from({ length: n }, (_, i) => i * i * i + i); // any increasing values: only ranks matter
      const gaps = [ref[0]! - 1, ...ref.slice(0, -1).map((v, i) => (v + ref[i + 1]!) / 2), ref[n - 1]! + 1];
      const qs = gaps.map((y) => rankNormalScore(ref, y));
      const mean = qs.reduce((a, b) => a + b, 0) / qs.length;
      const ms = qs.reduce((a, b) => a + b * b, 0) / qs.length;
      expect(mean).toBeCloseTo(0, 12);
      expect(ms).toBeCloseTo(1, 12);
    }
  });

  it('within-sample normal scores: [5, 1, 3] → ±Φ⁻¹(5/6)/√(2·Φ⁻¹(5/6)²/3), 0', () => {
    const z = normalQuantile(5 / 6);
    const s = Math.sqrt((2 * z * z) / 3);
    const out = withinNormalScores([5, 1, 3]);
    expect(out[0]).toBeCloseTo(z / s, 12);
    expect(out[1]).toBeCloseTo(-z / s, 12);
    expect(out[2]).toBe(0);
    expect(out[0]).toBeCloseTo(Math.sqrt(1.5), 12);
  });
});

describe('lot allowance (hand-computed)', () => {
  it('autocorrelations of 1..4 and 1..8', () => {
    expect(autocorrelations([1, 2, 3, 4], 1)[0]).toBeCloseTo(0.25, 14);
    // 1..8: x̄ = 4.5, c0 = 42, lag 1: 26.25, lag 2: 11.5
    const r = autocorrelations([1, 2, 3, 4, 5, 6, 7, 8], 2);
    expect(r[0]).toBeCloseTo(26.25 / 42, 14);
    expect(r[1]).toBeCloseTo(11.5 / 42, 14);
  });

  it("Zhang's inflation f = 1 + 2·Σ r(j)(1 − λ)^j, M = ⌊n/4⌋, clamped at 1", () => {
    // 1..8 with λ = 0.1: 1 + 2·(0.625·0.9 + 0.2738095·0.81) = 2.5685714
    expect(correlationInflation([1, 2, 3, 4, 5, 6, 7, 8], 0.1)).toBeCloseTo(1 + 2 * ((26.25 / 42) * 0.9 + (11.5 / 42) * 0.81), 12);
    expect(correlationInflation([1, 2, 3, 4, 5, 6, 7, 8], 0.1)).toBeCloseTo(2.5685714, 6);
    expect(correlationInflation([1, -1, 1, -1, 1, -1, 1, -1], 0.1)).toBe(1); // negative: never tightens
    expect(correlationInflation([1, 2, 3, 4], 0.1)).toBe(1); // too short
  });

  it('isotonic (non-increasing) fit pools adjacent violators', () => {
    expect(nonIncreasingFit([0.5, 0.6, 0.2], [1, 1, 1])).toEqual([0.55, 0.55, 0.2].map((v) => expect.closeTo(v, 14)));
    expect(nonIncreasingFit([0.1, 0.5], [3, 1])).toEqual([0.2, 0.2].map((v) => expect.closeTo(v, 14)));
    expect(nonIncreasingFit([3, 2, 1], [1, 1, 1])).toEqual([3, 2, 1]);
  });

  it('correlation by days: same-day pairs +1, next-day pairs −1 → ρ = [1, 0]', () => {
    expect(timeCorrelation([1, 1, -1, -1], at([0, 0.1, 1.2, 1.3]), { maxLagDays: 2 })).toEqual([1, 0]);
    // The zero reference is c₀ = −v/(n − 1) = −1/3 (v = 1): same-day products 1 → (1 + 1/3)/1, clamped to 1; the
    // [1, 2) day bin has no pairs: 0.
    expect(timeCorrelation([1, 1, -1, -1], at([0, 0.1, 5, 5.1]), { maxLagDays: 2 })).toEqual([1, 0]);
  });

  it('the zero reference is the exact mean product of centred pairs, not the far pairs', () => {
    // q = (1, 0, −1): v = 2/3, c₀ = −(2/3)/2 = −1/3. The one same-day pair has product 0 → (0 + 1/3)/(2/3) = 0.5.
    // (The far pairs' mean product, (1·−1 + 0·−1)/2 = −0.5, would have given (0 + 0.5)/(2/3) = 0.75.)
    const rho = timeCorrelation([1, 0, -1], at([0, 0.5, 100]), { maxLagDays: 60 });
    expect(rho).toHaveLength(60);
    expect(rho[0]).toBeCloseTo(0.5, 14);
    expect(rho.slice(1).every((r) => r === 0)).toBe(true);
  });

  it('subgroup inflation from ρ: two subgroups of two units within one day, ρ(0) = 0.5 → f = 1 + 2·0.9·0.5/0.75', () => {
    // Var of a subgroup mean: (1 + 1 + 0.5 + 0.5)/4 = 0.75; covariance of the two means: 0.5.
    expect(subgroupInflation([0.5], at([0, 0.2, 0.4, 0.6]), 2, 0.1)).toBeCloseTo(2.2, 12);
    // Subgroups far apart share no lot.
    expect(subgroupInflation([0.5], at([0, 0.2, 5, 5.2]), 2, 0.1)).toBe(1);
  });
});

describe('monitoring horizon', () => {
  it('ARL0 = N / (−ln(1 − p))', () => {
    expect(arl0ForHorizon(500, 0.01)).toBeCloseTo(500 / 0.01005033585350145, 8);
    expect(arl0ForHorizon(500, 0.01)).toBeCloseTo(49749.58, 1);
    expect(arl0ForHorizon(100, 0.005, 2)).toBeCloseTo(200 / -Math.log(0.995), 8);
    expect(() => arl0ForHorizon(0, 0.01)).toThrow(/unitsPerYear/);
    expect(() => arl0ForHorizon(10, 1)).toThrow(/probability/);
  });

  it('units per year over the span of the dates, the span at least 30 days', () => {
    const yearly = Array.from({ length: 366 }, (_, i) => new Date((i * DAY * 365.25) / 365));
    expect(unitsPerYearOf(yearly)).toBeCloseTo(365, 9);
    const burst = Array.from({ length: 31 }, (_, i) => new Date(i * 60_000)); // 31 units in half an hour
    expect(unitsPerYearOf(burst)).toBeCloseTo((30 * 365.25) / 30, 9);
    expect(unitsPerYearOf([new Date(0)])).toBeNull();
  });
});

describe('welford', () => {
  it('gives the mean and the sum of squared deviations of a hand example', async () => {
    const { welford } = await import('../../src/drift/welford.js');
    // mean (1+2+3+4)/4 = 2.5; m2 = 2.25 + 0.25 + 0.25 + 2.25 = 5 (sample variance 5/3 with ddof = 1)
    const r = welford([1, 2, 3, 4]);
    expect(r.n).toBe(4);
    expect(r.mean).toBeCloseTo(2.5, 14);
    expect(r.m2).toBeCloseTo(5, 14);
    expect(welford([])).toEqual({ n: 0, mean: 0, m2: 0 });
  });
});
