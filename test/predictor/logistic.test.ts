import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { LOGISTIC_RIDGE, fitLogistic, logisticProbability } from '../../src/predictor/logistic.js';

describe('logistic regression (Newton, ridge on standardised slopes)', () => {
  it('reproduces the two group rates of one binary column (the MLE: each group’s observed rate)', () => {
    // x = 0: 1 failure in 4; x = 1: 3 in 4. The unpenalised MLE gives P = 0.25 and 0.75 exactly; λ = 1e-3 moves
    // them by less than 1e-3.
    const m = fitLogistic(Float64Array.of(0, 0, 0, 0, 1, 1, 1, 1), 1, 1, Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 0));
    expect(m.mean).toEqual([0.5]);
    expect(m.scale).toEqual([0.5]);
    expect(logisticProbability(m, [0], 0)).toBeCloseTo(0.25, 3);
    expect(logisticProbability(m, [1], 0)).toBeCloseTo(0.75, 3);
    // Symmetric data: intercept 0 at the mean.
    expect(m.weights[0]).toBeCloseTo(0, 12);
  });

  it('stops where the penalised gradient is zero: Σ (p_i − y_i) z_ij + λ w_j = 0, and Σ (p_i − y_i) = 0', () => {
    const n = 200;
    const data = new Float64Array(n * 3);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      data[i * 3] = Math.sin(i);
      data[i * 3 + 1] = (i % 7) / 7;
      data[i * 3 + 2] = 99; // a third value per row the fit does not use (stride 3, columns 2)
      y[i] = Math.cos(3 * i) + data[i * 3]! > 0.3 ? 1 : 0;
    }
    const m = fitLogistic(data, 3, 2, y, { include: (i) => i % 10 !== 0 });
    const g = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      if (i % 10 === 0) continue;
      const r = logisticProbability(m, data, i * 3) - y[i]!;
      g[0]! += r;
      for (let j = 0; j < 2; j++) g[j + 1]! += (r * (data[i * 3 + j]! - m.mean[j]!)) / m.scale[j]!;
    }
    expect(Math.abs(g[0]!)).toBeLessThan(1e-8);
    for (let j = 1; j < 3; j++) expect(Math.abs(g[j]! + LOGISTIC_RIDGE * m.weights[j]!)).toBeLessThan(1e-8);
    // A warm start from another fit reaches the same optimum.
    const warm = fitLogistic(data, 3, 2, y, { include: (i) => i % 10 !== 0, start: [1, -1, 2] });
    warm.weights.forEach((w, j) => expect(w).toBeCloseTo(m.weights[j]!, 8));
    // maxRows: the k-th of 45 fitted rows is selected row ⌊k·180/45⌋ = 4k of the 180 selected.
    const selected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 0);
    const kept = new Set(Array.from({ length: 45 }, (_, k) => selected[4 * k]!));
    const capped = fitLogistic(data, 3, 2, y, { include: (i) => i % 10 !== 0, maxRows: 45 });
    expect(capped).toEqual(fitLogistic(data, 3, 2, y, { include: (i) => kept.has(i) }));
  });

  it('refuses missing values and an empty selection with a message', () => {
    expect(() => fitLogistic(Float64Array.of(1, Number.NaN), 1, 1, Uint8Array.of(0, 1))).toThrow(InvalidInputError);
    expect(() => fitLogistic(Float64Array.of(1, 2), 1, 1, Uint8Array.of(0, 1), { include: () => false })).toThrow(/no row selected/);
  });
});
