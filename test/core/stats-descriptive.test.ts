import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import {
  mean,
  meanMovingRange,
  pearsonCorrelation,
  quantileLinear,
  quantilesLinear,
  sampleStd,
  sampleVariance,
  spearmanCorrelation,
} from '../../src/core/stats/descriptive.js';

describe('mean / sampleVariance / sampleStd (ddof = 1)', () => {
  it('matches hand arithmetic', () => {
    // 2,4,4,4,5,5,7,9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; /7
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(sampleVariance([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(32 / 7, 14);
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935, 9);
  });
  it('is null where undefined, never NaN', () => {
    expect(mean([])).toBeNull();
    expect(sampleVariance([3])).toBeNull();
    expect(sampleStd([])).toBeNull();
    expect(sampleStd([4, 4, 4])).toBe(0);
  });
});

describe('quantilesLinear (numpy linear, R type 7)', () => {
  it('interpolates at h = (n − 1)p', () => {
    // n = 4: p5 → h = 0.15 → 1 + 0.15·1; p50 → h = 1.5 → 2.5; p95 → h = 2.85 → 3 + 0.85·1
    const q = quantilesLinear([4, 1, 3, 2], [0.05, 0.5, 0.95]);
    expect(q[0]).toBeCloseTo(1.15, 12);
    expect(q[1]).toBeCloseTo(2.5, 12);
    expect(q[2]).toBeCloseTo(3.85, 12);
    // numpy.percentile([10, 20, 30], 95) = 29.0
    expect(quantileLinear([30, 10, 20], 0.95)).toBeCloseTo(29, 12);
    expect(quantileLinear([7], 0.05)).toBe(7);
  });
  it('is null on empty input and rejects percents', () => {
    expect(quantilesLinear([], [0.5, 0.95])).toEqual([null, null]);
    expect(() => quantileLinear([1, 2], 95)).toThrow(InvalidInputError);
  });
});

describe('pearsonCorrelation / phi', () => {
  it('matches hand arithmetic', () => {
    // x̄ = 2, ȳ = 13/3; Σdxdy = 5, Σdx² = 2, Σdy² = 38/3 → 5 / √(76/3)
    expect(pearsonCorrelation([1, 2, 3], [2, 4, 7])).toBeCloseTo(5 / Math.sqrt(76 / 3), 12);
  });
  it('is the phi coefficient on 0/1 indicators', () => {
    // 2×2 table a=1 (0,0), b=0, c=1 (0,1), d=2 (1,1): phi = (ad − bc)/√((a+b)(c+d)(a+c)(b+d)) = 2/√(1·3·2·2) = 1/√3
    expect(pearsonCorrelation([0, 1, 0, 1], [0, 1, 1, 1])).toBeCloseTo(1 / Math.sqrt(3), 12);
  });
  it('is null with fewer than 2 values or zero variance', () => {
    expect(pearsonCorrelation([1], [2])).toBeNull();
    expect(pearsonCorrelation([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(() => pearsonCorrelation([1, 2], [1])).toThrow(InvalidInputError);
  });
});

/** The definition spearmanCorrelation replaced by simple-statistics: Pearson on 1-based average ranks. */
function pearsonOnAverageRanks(x: readonly number[], y: readonly number[]): number | null {
  const ranks = (v: readonly number[]): number[] => {
    const idx = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
    const r = new Array<number>(v.length).fill(0);
    for (let i = 0; i < idx.length;) {
      let j = i;
      while (j + 1 < idx.length && v[idx[j + 1]!] === v[idx[i]!]) j++;
      for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  return pearsonCorrelation(ranks(x), ranks(y));
}

describe('spearmanCorrelation', () => {
  it('equals Pearson on average ranks (the previous hand-written definition) to rounding, ties included', () => {
    const rng = createRng(7);
    for (let t = 0; t < 300; t++) {
      const n = 2 + rng.nextInt(60);
      const x = Array.from({ length: n }, () => Math.round(rng.next() * 20));
      const y = x.map((v) => v + Math.round(rng.next() * 10));
      const want = pearsonOnAverageRanks(x, y);
      const got = spearmanCorrelation(x, y);
      if (want === null) expect(got).toBeNull();
      else expect(Math.abs(got! - want)).toBeLessThanOrEqual(1e-15);
    }
  });
  it('rejects unpaired input and returns null below two pairs', () => {
    expect(() => spearmanCorrelation([1, 2], [1])).toThrow(InvalidInputError);
    expect(spearmanCorrelation([1], [2])).toBeNull();
  });
  it('is monotone-invariant and handles ties', () => {
    expect(spearmanCorrelation([1, 10, 100], [3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks x: [1.5, 1.5, 3], y: [1, 2, 3]; dx = (−.5, −.5, 1), dy = (−1, 0, 1): Σdxdy = 1.5, Σdx² = 1.5, Σdy² = 2
    expect(spearmanCorrelation([1, 1, 2], [1, 2, 3])).toBeCloseTo(1.5 / Math.sqrt(3), 12);
    expect(spearmanCorrelation([2, 2, 2], [1, 2, 3])).toBeNull();
  });
});

describe('meanMovingRange', () => {
  it('averages |x[i] − x[i−1]| in the given order', () => {
    expect(meanMovingRange([10, 12, 11, 13])).toBeCloseTo(5 / 3, 12);
    expect(meanMovingRange([1])).toBeNull();
  });
});

describe('constant data', () => {
  it('has exactly zero spread and no correlation', () => {
    const c = Array.from({ length: 10 }, () => 1e-4);
    expect(mean(c)).toBe(1e-4);
    expect(sampleStd(c)).toBe(0);
    expect(pearsonCorrelation(c, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBeNull();
  });
});
