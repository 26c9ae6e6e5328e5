import { describe, expect, it } from 'vitest';
import { InvalidInputError, StateVersionError } from '../../src/core/errors.js';
import { applyPlatt, checkPlattCalibration, fitPlatt, probabilityLogit } from '../../src/predictor/calibration.js';

describe('fitPlatt', () => {
  it('reproduces the smoothed target mean of each of two score levels', () => {
    // 10 rows at 0.2 (2 fail), 10 at 0.8 (8 fail). N₊ = N₋ = 10 → t₊ = 11/12, t₋ = 1/12.
    // Mean target at 0.2: (2·11/12 + 8·1/12)/10 = 0.25; at 0.8: 0.75. Two parameters fit two levels exactly:
    // a = (logit 0.75 − logit 0.25)/0.6 = 2·ln 3 / 0.6, b = −0.5·a.
    const s = [...Array<number>(10).fill(0.2), ...Array<number>(10).fill(0.8)];
    const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const cal = fitPlatt(s, y);
    expect(applyPlatt(cal, 0.2)).toBeCloseTo(0.25, 9);
    expect(applyPlatt(cal, 0.8)).toBeCloseTo(0.75, 9);
    expect(cal.a).toBeCloseTo((2 * Math.log(3)) / 0.6, 8);
    expect(cal.b).toBeCloseTo(-Math.log(3) / 0.6, 8);
    expect(cal.constant).toBe(false);
  });

  it('stays finite under perfect separation (smoothed targets)', () => {
    const cal = fitPlatt([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1]);
    expect(Number.isFinite(cal.a) && cal.a > 0).toBe(true);
    // t₊ = 3/4 and t₋ = 1/4 bound the fitted probabilities of the extreme scores.
    expect(applyPlatt(cal, 0.4)).toBeLessThan(0.9);
    expect(applyPlatt(cal, 0.1)).toBeGreaterThan(0.1);
  });

  it('never inverts: a decreasing relation gives the smoothed base rate', () => {
    const cal = fitPlatt([0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 0, 0, 0]);
    expect(cal.constant).toBe(true);
    expect(cal.a).toBe(0);
    // (N₊ + 1)/(n + 2) = 3/7 for every score.
    expect(applyPlatt(cal, 0.1)).toBeCloseTo(3 / 7, 12);
    expect(applyPlatt(cal, 0.9)).toBeCloseTo(3 / 7, 12);
    expect(fitPlatt([0.5, 0.5, 0.5], [0, 1, 1]).constant).toBe(true);
  });

  it('validates input and persisted state', () => {
    expect(() => fitPlatt([], [])).toThrow(InvalidInputError);
    expect(() => fitPlatt([0.1, Number.NaN], [0, 1])).toThrow(InvalidInputError);
    const cal = fitPlatt([0.1, 0.9], [0, 1]);
    expect(checkPlattCalibration(JSON.parse(JSON.stringify(cal)))).toEqual(cal);
    expect(() => checkPlattCalibration({ ...cal, version: 2 as 1 })).toThrow(StateVersionError);
    expect(() => checkPlattCalibration({ ...cal, a: -1 })).toThrow(InvalidInputError);
  });
});

describe('probabilityLogit', () => {
  it('is log(s/(1−s)) with s clipped to [0.001, 0.999]', () => {
    expect(probabilityLogit(0.5)).toBe(0);
    expect(probabilityLogit(0.75)).toBeCloseTo(Math.log(3), 15);
    expect(probabilityLogit(0)).toBeCloseTo(Math.log(0.001 / 0.999), 15);
    expect(probabilityLogit(1)).toBeCloseTo(Math.log(0.999 / 0.001), 12);
  });
});
