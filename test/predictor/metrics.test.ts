import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { brierScore, confusionMetrics, rocAuc } from '../../src/predictor/metrics.js';

describe('rocAuc (Mann-Whitney, ties ½)', () => {
  it('matches the hand-computed value', () => {
    // Pairs (pos, neg): (0.35,0.1)✓ (0.35,0.4)✗ (0.8,0.1)✓ (0.8,0.4)✓ → 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });
  it('counts ties as one half', () => {
    // pos 0.5 vs neg 0.5 tie (½), pos 0.5 vs neg 0.2 win (1); pos 0.9 beats both (2) → 3.5 / 4.
    expect(rocAuc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([0.3, 0.3, 0.3], [0, 1, 0])).toBe(0.5);
  });
  it('is 1 for perfect ranking, 0 for inverted, NaN for one class', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
  });
  it('rejects bad input', () => {
    expect(() => rocAuc([0.1], [0, 1])).toThrow(InvalidInputError);
    expect(() => rocAuc([], [])).toThrow(InvalidInputError);
    expect(() => rocAuc([0.1, 0.2], [0, 2])).toThrow(/0 \(pass\) or 1/);
    expect(() => rocAuc([Number.NaN, 0.2], [0, 1])).toThrow(InvalidInputError);
  });
});

describe('brierScore', () => {
  it('is the mean squared error of the probability', () => {
    // (0.01 + 0.16 + 0.4225 + 0.04) / 4
    expect(brierScore([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.158125, 15);
    // Base rate 0.25 predicted for all: π(1−π) = 0.1875.
    expect(brierScore([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])).toBeCloseTo(0.1875, 15);
  });
});

describe('confusionMetrics', () => {
  it('counts the decision p >= threshold', () => {
    const m = confusionMetrics([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.38);
    expect([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives]).toEqual([1, 1, 1, 1]);
    expect(m.accuracy).toBe(0.5);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBe(0.5);
  });
  it('uses >= at the threshold and 0.5 by default', () => {
    const m = confusionMetrics([0.5, 0.49, 0.9, 0.2, 0.6], [1, 1, 1, 0, 0]);
    // predicted fail: 0.5, 0.9, 0.6 → TP 2, FP 1, FN 1, TN 1.
    expect(m.threshold).toBe(0.5);
    expect(m.precision).toBeCloseTo(2 / 3, 15);
    expect(m.recall).toBeCloseTo(2 / 3, 15);
    expect(m.f1).toBeCloseTo(2 / 3, 15);
    expect(m.accuracy).toBeCloseTo(3 / 5, 15);
  });
  it('reports undefined ratios as null', () => {
    const m = confusionMetrics([0.1, 0.2], [0, 1]);
    expect(m.precision).toBeNull();
    expect(m.recall).toBe(0);
    expect(m.f1).toBeNull();
    expect(confusionMetrics([0.9], [0]).recall).toBeNull();
  });
});
