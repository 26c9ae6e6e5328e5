import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, regularizedGammaQ } from '../../src/core/stats/chi-square.js';
import { logGamma } from '../../src/core/stats/gamma.js';

describe('chi-square tail (published critical values)', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
  });
  it('Q(1, x) = e^-x', () => {
    expect(regularizedGammaQ(1, 2)).toBeCloseTo(Math.exp(-2), 14);
    expect(regularizedGammaQ(1, 0.3)).toBeCloseTo(Math.exp(-0.3), 14);
  });
  it('5% critical values of chi-square tables', () => {
    // Standard tables: df 1 -> 3.841459, df 2 -> 5.991465, df 10 -> 18.307038, df 30 -> 43.772972
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(5.991464547107979, 2)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(43.77297182574219, 30)).toBeCloseTo(0.05, 10);
    // 1% for df 1: 6.634897
    expect(chiSquareSurvival(6.6348966010212145, 1)).toBeCloseTo(0.01, 10);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });
});
