import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { normalizeSerial } from '../../src/storage/linking/serial.js';
import {
  deriveSeed,
  erfc,
  logistic,
  logisticNoise,
  logLinearQuantile,
  normalCdf,
  pickWeighted,
} from '../../src/synthetic/distributions.js';
import { serialOf, serialVariant } from '../../src/synthetic/names.js';
import { quantile, rocAuc } from './helpers.js';

describe('normalCdf / erfc (published table values)', () => {
  it('matches the standard normal table to 1e-7 absolute near the centre', () => {
    // Abramowitz & Stegun Table 26.1 / any statistics table.
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021049, 7);
    expect(normalCdf(-2.5)).toBeCloseTo(0.0062096653, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
  });
  it('keeps its relative precision in the far tails', () => {
    // Φ(−8) = 6.22096057427178e-16, Φ(−5) = 2.866515718791939e-7 (published values).
    expect(Math.abs(normalCdf(-8) / 6.22096057427178e-16 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(normalCdf(-5) / 2.866515718791939e-7 - 1)).toBeLessThan(1e-6);
    expect(normalCdf(8)).toBeCloseTo(1, 12);
  });
});

describe('logistic and logistic noise', () => {
  it('logistic(ln 3) = 3/4, and is finite at the extremes', () => {
    expect(logistic(Math.log(3))).toBeCloseTo(0.75, 12);
    expect(logistic(0)).toBe(0.5);
    expect(logistic(-1000)).toBe(0);
    expect(logistic(1000)).toBe(1);
  });
  it('x + noise > 0 happens with probability logistic(x)', () => {
    const rng = createRng(3);
    const n = 40_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (1 + logisticNoise(rng) > 0) hits++;
    const p = logistic(1); // 0.7310586
    expect(Math.abs(hits / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });
});

describe('logLinearQuantile', () => {
  it('is log-linear between knots (hand values)', () => {
    expect(
      logLinearQuantile(0.5, [
        [0, 1],
        [1, 100],
      ]),
    ).toBeCloseTo(10, 12);
    expect(
      logLinearQuantile(0.25, [
        [0, 1],
        [1, 100],
      ]),
    ).toBeCloseTo(Math.sqrt(10), 12);
    expect(
      logLinearQuantile(0.75, [
        [0, 1],
        [0.5, 4],
        [1, 16],
      ]),
    ).toBeCloseTo(8, 12);
    expect(
      logLinearQuantile(-1, [
        [0, 2],
        [1, 3],
      ]),
    ).toBe(2);
    expect(
      logLinearQuantile(2, [
        [0, 2],
        [1, 3],
      ]),
    ).toBe(3);
  });
});

describe('pickWeighted and deriveSeed', () => {
  it('picks in proportion to the weights', () => {
    const rng = createRng(9);
    let a = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) if (pickWeighted(rng, ['a', 'b'], [3, 1]) === 'a') a++;
    expect(Math.abs(a / n - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / n));
  });
  it('derives distinct, reproducible seeds', () => {
    expect(deriveSeed(42, 3, 1)).toBe(deriveSeed(42, 3, 1));
    const seeds = new Set<number>();
    for (let i = 0; i < 1000; i++) seeds.add(deriveSeed(42, i, 1));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(42, 0, 1)).not.toBe(deriveSeed(43, 0, 1));
    expect(deriveSeed(42, 0, 1)).not.toBe(deriveSeed(42, 0, 0));
  });
});

describe('serials', () => {
  it('formats with the prefix and zero padding', () => {
    expect(serialOf({ prefix: 'A', width: 6, base: 1200 }, 5)).toBe('A001205');
    expect(serialOf({ prefix: '', width: 7, base: 12000 }, 57)).toBe('0012057');
  });
  it('every variant normalises to the same serial as the original', () => {
    const rng = createRng(5);
    for (const s of ['0012057', 'A001205', 'LT00045', '12345678']) {
      for (let i = 0; i < 40; i++) expect(normalizeSerial(serialVariant(rng, s))).toBe(normalizeSerial(s));
    }
  });
});

describe('test helpers (hand-computed)', () => {
  it('rocAuc: the scikit-learn documentation example gives 0.75, ties count one half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    // pos {1, 2}, neg {1}: (½ + 1) / 2.
    expect(rocAuc([1, 1, 2], [0, 1, 1])).toBeCloseTo(0.75, 12);
  });
  it('quantile matches numpy linear interpolation', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
  });
});
