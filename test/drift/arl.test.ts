import { describe, expect, it } from 'vitest';
import { solveLinearInPlace } from '../../src/core/stats/linear-solve.js';
import { gaussHermiteNormal, gaussLegendre } from '../../src/core/stats/quadrature.js';
import { selfStartingScore, studentTCdf } from '../../src/core/stats/student-t.js';
import { cusumArl, cusumArlOneSided, designCusumH, designEwmaL, ewmaArl, simulateCombinedArl } from '../../src/drift/index.js';

const within = (v: number, target: number, tol: number): void => {
  expect(Math.abs(v - target) / target).toBeLessThan(tol);
};

describe('CUSUM ARL (published: Montgomery, Table 9.3 / Lucas & Crosier)', () => {
  it('two-sided k=0.5: h=4 → 168 / 8.38, h=5 → 465 / 10.4', () => {
    within(cusumArl(0.5, 4), 168, 0.01);
    within(cusumArl(0.5, 4, { shift: 1 }), 8.38, 0.01);
    within(cusumArl(0.5, 5), 465, 0.01);
    within(cusumArl(0.5, 5, { shift: 1 }), 10.4, 0.01);
  });
  it('one-sided k=0.5 h=4 → 336', () => within(cusumArlOneSided(0.5, 4), 336, 0.01));
  it('Brook–Evans Markov chain agrees with the integral equation', () => {
    for (const [h, d] of [
      [4, 0],
      [5, 1],
      [8, 0.5],
    ] as const) {
      within(cusumArl(0.5, h, { shift: d, method: 'markov', states: 400 }), cusumArl(0.5, h, { shift: d }), 2e-4);
    }
  });
  it('a scale sd > 1 shortens the in-control ARL', () => {
    expect(cusumArl(0.5, 5, { sd: 1.2 })).toBeLessThan(cusumArl(0.5, 5) / 2);
  });
});

describe('EWMA ARL (Lucas & Saccucci 1990)', () => {
  it('λ=0.2, L=3 → 560 / 10.8; λ=0.1, L=2.814 → 500 / 10.3', () => {
    within(ewmaArl(0.2, 3), 560, 0.01);
    within(ewmaArl(0.2, 3, { shift: 1 }), 10.8, 0.01);
    within(ewmaArl(0.1, 2.814), 500, 0.01);
    within(ewmaArl(0.1, 2.814, { shift: 1 }), 10.3, 0.01);
  });
  it('the Markov chain agrees with the integral equation', () => {
    within(ewmaArl(0.2, 3, { method: 'markov', states: 401 }), ewmaArl(0.2, 3), 5e-4);
    within(ewmaArl(0.05, 3.5, { shift: 0.5, method: 'markov', states: 401 }), ewmaArl(0.05, 3.5, { shift: 0.5 }), 5e-4);
  });
});

describe('design', () => {
  it('designCusumH inverts the published h', () => {
    expect(designCusumH(465.4, 0.5)).toBeCloseTo(5, 2);
    expect(designCusumH(168.2, 0.5)).toBeCloseTo(4, 2);
  });
  it('designEwmaL reproduces Lucas & Saccucci (λ=0.1, ARL0 500 → L=2.814)', () => {
    expect(designEwmaL(500, 0.1)).toBeCloseTo(2.814, 2);
  });
  it('the designed chart has the target ARL0', () => {
    within(cusumArl(0.375, designCusumH(100_000, 0.375)), 100_000, 1e-4);
    within(ewmaArl(0.1, designEwmaL(100_000, 0.1)), 100_000, 1e-4);
  });
  it('rejects bad targets', () => {
    expect(() => designCusumH(0.5, 0.5)).toThrow(/targetArl0/);
  });
});

describe('combined scheme by simulation (domain notes: CUSUM(0.5,5) or EWMA(0.2,3) ≈ 372 / 9.0)', () => {
  it('reproduces the published ARL0 and ARL1', () => {
    const s = { k: 0.5, h: 5, lambda: 0.2, L: 3 };
    const a0 = simulateCombinedArl(s, { replicates: 6000, seed: 3, asymptoticEwma: true });
    within(a0.arl, 372, 0.04);
    const a1 = simulateCombinedArl(s, { shift: 1, replicates: 6000, seed: 4 });
    within(a1.arl, 9.0, 0.04);
    expect(a1.withinHorizon).toBeGreaterThan(0.99);
  });
});

describe('numerical building blocks', () => {
  it('Gauss–Legendre integrates x⁴ on [0, 1] and e^x on [0, 2]', () => {
    const { nodes, weights } = gaussLegendre(5, 0, 1);
    let s = 0;
    for (let i = 0; i < 5; i++) s += weights[i]! * nodes[i]! ** 4;
    expect(s).toBeCloseTo(0.2, 14);
    const g = gaussLegendre(12, 0, 2);
    let e = 0;
    for (let i = 0; i < 12; i++) e += g.weights[i]! * Math.exp(g.nodes[i]!);
    expect(e).toBeCloseTo(Math.exp(2) - 1, 13);
  });
  it('Gauss–Hermite (normal) gives the normal moments', () => {
    const { nodes, weights } = gaussHermiteNormal(10);
    const m = (p: number): number => nodes.reduce((a, x, i) => a + weights[i]! * x ** p, 0);
    expect(m(0)).toBeCloseTo(1, 13);
    expect(m(2)).toBeCloseTo(1, 12);
    expect(m(4)).toBeCloseTo(3, 11);
    expect(m(6)).toBeCloseTo(15, 10);
  });
  it('solves a 3×3 system worked by hand', () => {
    // [[2,1,0],[1,3,1],[0,1,4]] · (1, 1, 1) = (3, 5, 5)
    const x = solveLinearInPlace(new Float64Array([2, 1, 0, 1, 3, 1, 0, 1, 4]), new Float64Array([3, 5, 5]), 3);
    for (const v of x) expect(v).toBeCloseTo(1, 14);
  });
  it("Student's t CDF matches published values", () => {
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 15); // Cauchy
    expect(studentTCdf(2.228138851986273, 10)).toBeCloseTo(0.975, 14); // t table, 10 df
    expect(studentTCdf(2.045229642132703, 29)).toBeCloseTo(0.975, 14); // t table, 29 df
    // 2 df closed form: F(t) = 1/2 + t / (2√(2 + t²))
    expect(studentTCdf(0.3, 2)).toBeCloseTo(0.5 + 0.3 / (2 * Math.sqrt(2.09)), 14);
    expect(studentTCdf(-3, 5)).toBeCloseTo(0.01504962394873129, 13);
  });
  it('self-starting score: T = 0.2/(0.1·√(31/30)) with 29 df, then Φ⁻¹', () => {
    // T = 1.967477; F(T; 29) = 0.970622 (t table interpolation), Φ⁻¹(0.970622) = 1.8899
    expect(selfStartingScore(1.2, 1, 0.1, 30)).toBeCloseTo(1.89, 2);
    expect(selfStartingScore(1, 1, 0.1, 30)).toBe(0);
    expect(selfStartingScore(0.8, 1, 0.1, 30)).toBeCloseTo(-selfStartingScore(1.2, 1, 0.1, 30), 12);
  });
});
