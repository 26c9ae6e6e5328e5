import { describe, expect, it } from 'vitest';
import { batchEffects, binStart, cochranArmitage, mannKendall, qualityTrend, type DatedOutcome } from '../../src/insights/time-trends.js';

describe('Cochran–Armitage (hand-computed)', () => {
  it('n = [10,10,10], x = [1,3,5], t = [0,1,2]', () => {
    // p̄ = 9/30 = 0.3; T = 0·(1−3) + 1·(3−3) + 2·(5−3) = 4
    // V = 0.21 · (10·(0+1+4) − (10·3)²/30) = 0.21 · 20 = 4.2; z = 4/√4.2 = 1.95180
    const r = cochranArmitage([10, 10, 10], [1, 3, 5], [0, 1, 2])!;
    expect(r.z).toBeCloseTo(4 / Math.sqrt(4.2), 12);
    // two-sided normal p for z = 1.951800: 0.050962
    expect(r.pValue).toBeCloseTo(0.050962, 5);
  });
  it('is null without variation', () => {
    expect(cochranArmitage([5, 5], [0, 0], [0, 1])).toBeNull();
  });
});

describe('Mann–Kendall (hand-computed)', () => {
  it('strictly increasing series of 5', () => {
    // S = 10; Var = 5·4·15/18 = 16.6667; z = (10 − 1)/4.08248 = 2.20454
    const r = mannKendall([1, 2, 3, 4, 5])!;
    expect(r.s).toBe(10);
    expect(r.z).toBeCloseTo(9 / Math.sqrt(300 / 18), 12);
    expect(r.pValue).toBeCloseTo(0.027486, 5);
  });
});

describe('batch effects (hand-computed)', () => {
  it('chi-square of homogeneity', () => {
    const pts: DatedOutcome[] = [];
    const fails = [1, 3, 5];
    for (let w = 0; w < 3; w++)
      for (let i = 0; i < 10; i++) pts.push({ date: new Date(Date.UTC(2025, 0, 6 + 7 * w, i)), fail: i < fails[w]! ? 1 : 0, sigma: 1e-4 });
    // p̄ = 0.3; X² = (1−3)²/2.1 + 0 + (5−3)²/2.1 = 3.80952; df = 2; p = e^(−3.80952/2) = 0.148858
    const b = batchEffects(pts, { bin: 'week' });
    expect(b.chiSquare).toBeCloseTo(8 / 2.1, 10);
    expect(b.df).toBe(2);
    expect(b.pValue).toBeCloseTo(Math.exp(-8 / 4.2), 10);
    expect(b.significant).toBe(false);
  });
  it('weeks start on Monday (UTC)', () => {
    // 2025-01-08 is a Wednesday; its week starts Monday 2025-01-06
    expect(binStart(new Date(Date.UTC(2025, 0, 8, 13)), 'week').toISOString()).toBe('2025-01-06T00:00:00.000Z');
    expect(binStart(new Date(Date.UTC(2025, 0, 31, 23)), 'month').toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('qualityTrend', () => {
  it('flags a rising fail rate as degrading and a flat one as stable', () => {
    const rising: DatedOutcome[] = [];
    const flat: DatedOutcome[] = [];
    for (let m = 0; m < 12; m++)
      for (let i = 0; i < 40; i++) {
        const date = new Date(Date.UTC(2025, m, 1 + (i % 28)));
        rising.push({ date, fail: i < 2 + 2 * m ? 1 : 0, sigma: 1e-4 * (1 + m / 10) });
        flat.push({ date, fail: i % 4 === 0 ? 1 : 0, sigma: 1e-4 });
      }
    const r = qualityTrend(rising);
    expect(r.bins).toHaveLength(12);
    expect(r.failRate?.direction).toBe('degrading');
    expect(r.sigma?.direction).toBe('degrading');
    const f = qualityTrend(flat);
    expect(f.failRate?.direction).toBe('stable');
  });
});
