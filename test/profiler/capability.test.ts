import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { capabilityIndices, linearityCapability, sigmaWithinFromMovingRange } from '../../src/profiler/index.js';
import { rec } from './fixtures.js';

describe('capabilityIndices (textbook definitions)', () => {
  it('two-sided: μ = 130, σ = 8, LSL = 100, USL = 150', () => {
    // Cp = (150 − 100)/(6·8) = 50/48 = 1.041667; Cpk = min(150 − 130, 130 − 100)/(3·8) = 20/24 = 0.833333
    const c = capabilityIndices(130, 8, 8, { lsl: 100, usl: 150 });
    expect(c.cp).toBeCloseTo(50 / 48, 12);
    expect(c.cpk).toBeCloseTo(20 / 24, 12);
    expect(c.pp).toBeCloseTo(50 / 48, 12);
    expect(c.ppk).toBeCloseTo(20 / 24, 12);
  });

  it('two-sided from data: σ within by moving range, σ overall by ddof = 1', () => {
    // x = 10, 12, 11, 13, 12 with LSL 8, USL 16. μ = 58/5 = 11.6
    // moving ranges 2, 1, 2, 1 → MR̄ = 1.5 → σ_within = 1.5/1.128 = 1.329787
    // deviations −1.6, .4, −.6, 1.4, .4 → Σ² = 5.2 → σ_overall = √(5.2/4) = 1.140175
    // Cp = 8/(6·1.329787) = 1.002667; Cpk = min(4.4, 3.6)/(3·1.329787) = 0.902400
    // Pp = 8/(6·1.140175) = 1.169411; Ppk = 3.6/(3·1.140175) = 1.052470
    const x = [10, 12, 11, 13, 12];
    const sw = sigmaWithinFromMovingRange(x);
    expect(sw).toBeCloseTo(1.5 / 1.128, 12);
    const c = capabilityIndices(11.6, sw, Math.sqrt(1.3), { lsl: 8, usl: 16 });
    expect(c.cp).toBeCloseTo(1.002667, 5);
    expect(c.cpk).toBeCloseTo(0.9024, 5);
    expect(c.pp).toBeCloseTo(1.169411, 5);
    expect(c.ppk).toBeCloseTo(1.05247, 5);
  });

  it('one-sided: Cp = Cpk = Cpu (Montgomery §8.3)', () => {
    // USL = 1, μ = 0.5, σ = 0.1 → Cpu = 0.5/0.3 = 1.6667
    const c = capabilityIndices(0.5, 0.1, 0.125, { lsl: null, usl: 1 });
    expect(c.cpk).toBeCloseTo(0.5 / 0.3, 12);
    expect(c.cp).toBe(c.cpk);
    expect(c.ppk).toBeCloseTo(0.5 / 0.375, 12);
    // lower limit only: Cpl = (μ − LSL)/3σ = (0.5 − 0.2)/0.3 = 1
    expect(capabilityIndices(0.5, 0.1, 0.1, { lsl: 0.2, usl: null }).cpk).toBeCloseTo(1, 12);
  });

  it('returns null where σ is 0 or missing, rejects bad limits', () => {
    expect(capabilityIndices(1, 0, null, { lsl: 0, usl: 2 })).toEqual({ cp: null, cpk: null, pp: null, ppk: null });
    expect(() => capabilityIndices(1, 1, 1, { lsl: null, usl: null })).toThrow(InvalidInputError);
    expect(() => capabilityIndices(1, 1, 1, { lsl: 2, usl: 1 })).toThrow(InvalidInputError);
  });
});

describe('linearityCapability (error / spec, USL = 1)', () => {
  it('equals volts against USL = spec, and orders by file date', () => {
    // errors in date order 5, 7, 6, 8, 7 mV, spec 10 mV → ratios .5 .7 .6 .8 .7; μ = 0.66
    // MR = .2 .1 .2 .1 → MR̄ = 0.15 → σw = 0.15/1.128; Cpk = 0.34/(3·0.15/1.128) = 0.852267
    // σ_overall: deviations −.16 .04 −.06 .14 .04 → Σ² = 0.052 → √0.013 = 0.114018; Ppk = 0.34/0.342053 = 0.993999
    const errs = [5, 7, 6, 8, 7];
    const records = errs.map((e, i) => rec(i + 1, { linearityError: e / 1000, fileDate: new Date(Date.UTC(2025, 0, 1 + i)) })).reverse();
    const c = linearityCapability(records);
    expect(c.n).toBe(5);
    expect(c.mean).toBeCloseTo(0.66, 12);
    expect(c.cpk).toBeCloseTo(0.34 / (3 * (0.15 / 1.128)), 10);
    expect(c.ppk).toBeCloseTo(0.34 / (3 * Math.sqrt(0.013)), 10);
  });

  it('is null with a reason for n < 2, constant error, no error', () => {
    expect(linearityCapability([rec(1)]).reason?.code).toBe('too_few');
    const constant = linearityCapability([rec(1), rec(2), rec(3)]);
    expect(constant.cpk).toBeNull();
    expect(constant.reason?.code).toBe('zero_variance');
    expect(linearityCapability([rec(1, { linearityError: null })]).reason?.code).toBe('no_data');
  });
});
