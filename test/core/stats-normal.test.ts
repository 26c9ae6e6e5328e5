import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf, normalQuantile, normalSurvival } from '../../src/core/stats/index.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('normalCdf (Cody)', () => {
  // Published values: Abramowitz & Stegun Table 26.1 / R pnorm / Wolfram to 16 digits.
  it('matches published values in the body to < 1e-14 relative', () => {
    expect(rel(normalCdf(1.96), 0.9750021048517795)).toBeLessThan(1e-14);
    expect(rel(normalCdf(-3), 0.0013498980316301)).toBeLessThan(1e-13);
    expect(rel(normalCdf(1), 0.8413447460685429)).toBeLessThan(1e-14);
    expect(rel(normalCdf(-0.5), 0.3085375387259869)).toBeLessThan(1e-14);
    expect(rel(normalCdf(0.3), 0.6179114221889527)).toBeLessThan(1e-14);
    expect(normalCdf(0)).toBe(0.5);
  });
  it('keeps relative precision in the far tails', () => {
    // Q(5) = 2.866515718791939e-7, Q(10) = 7.619853024160527e-24, Φ(-37) = 5.725571222524e-300 (R pnorm).
    expect(rel(normalSurvival(5), 2.866515718791939e-7)).toBeLessThan(1e-14);
    expect(rel(normalSurvival(10), 7.61985302416047e-24)).toBeLessThan(1e-13);
    expect(rel(normalCdf(-37), 5.7255712225239e-300)).toBeLessThan(1e-12);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(Number.isNaN(normalCdf(Number.NaN))).toBe(true);
  });
  it('is symmetric and continuous at the approximation boundaries', () => {
    for (const x of [0.67448975, 5.656854249492381, 2.2, 7]) {
      expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15);
      expect(rel(normalCdf(-x * (1 + 1e-12)), normalCdf(-x * (1 - 1e-12)))).toBeLessThan(1e-9);
    }
  });
  it('pdf', () => {
    expect(normalPdf(0)).toBeCloseTo(0.3989422804014327, 16);
    expect(rel(normalPdf(2), 0.05399096651318806)).toBeLessThan(1e-15);
  });
});

describe('normalQuantile (Acklam + Halley)', () => {
  it('matches published quantiles', () => {
    expect(rel(normalQuantile(0.975), 1.959963984540054)).toBeLessThan(1e-15);
    expect(rel(normalQuantile(0.95), 1.6448536269514722)).toBeLessThan(1e-15);
    expect(rel(normalQuantile(0.001), -3.090232306167813)).toBeLessThan(1e-15);
    expect(rel(normalQuantile(1e-10), -6.361340902404056)).toBeLessThan(1e-15);
    expect(rel(normalQuantile(1e-300), -37.0470962993612)).toBeLessThan(1e-14);
    expect(normalQuantile(0.5)).toBe(0);
  });
  it('inverts the CDF and handles the edges', () => {
    for (const p of [1e-8, 0.01, 0.02425, 0.3, 0.6, 0.97575, 0.999999]) expect(rel(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-14);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(normalQuantile(1.5))).toBe(true);
  });
});
