import { describe, expect, it } from 'vitest';
import { buildTrainingSet } from '../../src/core/dataset.js';
import { exclusionReason, extractFeatures } from '../../src/core/features.js';
import { formulaThreshold } from '../../src/core/formula.js';
import { chooseLabelSource, severityWeight } from '../../src/core/labels.js';
import { createRng } from '../../src/core/rng.js';
import type { TrainingRecord } from '../../src/core/types.js';

function rec(over: Partial<TrainingRecord> = {}, i = 0): TrainingRecord {
  return {
    trackResultId: i + 1,
    trimResultId: i + 1,
    model: '8340-1',
    serial: `S${i}`,
    trackId: 'default',
    fileDate: new Date(Date.UTC(2025, 0, 1 + i)),
    status: 'PASS',
    sigmaGradient: 0.0003,
    linearitySpec: 0.01,
    linearityError: 0.005,
    linearityFailPoints: 0,
    linearityPass: true,
    optimalOffset: -0.002,
    travelLength: 240,
    unitLength: 240,
    untrimmedResistance: 10000,
    trimmedResistance: 10500,
    finalTest: null,
    ...over,
  };
}

describe('formulaThreshold', () => {
  it('matches the plant formula by hand', () => {
    // 0.01 / (24 * 2.4) = 0.01 / 57.6
    expect(formulaThreshold({ linearitySpec: 0.01, travelLength: 240 })).toBeCloseTo(0.000173611111, 12);
    // travel < 100 -> max(1, .) = 1: 0.05 / 24
    expect(formulaThreshold({ linearitySpec: 0.05, travelLength: 2 })).toBeCloseTo(0.00208333333, 10);
    // floored at 1e-4: 0.01 / (24 * 3.6) = 1.157e-4 stays; 0.005/(24*3.6)=5.8e-5 floors
    expect(formulaThreshold({ linearitySpec: 0.005, travelLength: 360 })).toBe(0.0001);
    expect(formulaThreshold({ linearitySpec: 0, travelLength: 240 })).toBe(0.001);
    expect(formulaThreshold({ linearitySpec: 0.01, travelLength: null })).toBe(0.001);
  });
});

describe('features and hygiene', () => {
  it('derives the design features', () => {
    const f = extractFeatures(rec());
    expect(f.resistance_change).toBeCloseTo(0.05, 12);
    expect(f.sigma_to_spec_ratio).toBeCloseTo(0.03, 12);
    expect(f.error_to_spec_ratio).toBeCloseTo(0.5, 12);
    expect(f.offset_magnitude).toBeCloseTo(0.002, 12);
  });
  it('maps missing and zero travel to null', () => {
    const f = extractFeatures(rec({ travelLength: 0, unitLength: null, trimmedResistance: null }));
    expect(f.travel_length).toBeNull();
    expect(f.unit_length).toBeNull();
    expect(f.resistance_change).toBeNull();
  });
  it('names the reason for every excluded row', () => {
    expect(exclusionReason(rec({ status: 'ERROR' }))).toBe('status_error');
    expect(exclusionReason(rec({ sigmaGradient: 999.999 }))).toBe('placeholder_sigma');
    expect(exclusionReason(rec({ sigmaGradient: null }))).toBe('missing_sigma');
    expect(exclusionReason(rec({ sigmaGradient: Number.NaN }))).toBe('invalid_sigma');
    expect(exclusionReason(rec({ sigmaGradient: 0 }))).toBe('invalid_sigma');
    expect(exclusionReason(rec({ sigmaGradient: -1e-4 }))).toBe('invalid_sigma');
    expect(exclusionReason(rec({ linearitySpec: 0 }))).toBe('invalid_spec');
    expect(exclusionReason(rec())).toBeNull();
  });
  it('excludes unreadable cells and values outside the physical bounds, and keeps the values on the bounds', () => {
    const ft = { finalTestId: 1, testDate: new Date(Date.UTC(2025, 1, 1)), linearityPass: false, failPoints: 4, linearityError: 0.03 };
    // A cell the adapter could not read, on the track or on its Final Test outcome.
    expect(exclusionReason(rec({ unreadable: { kind: 'value', column: 'track_results.sigma_gradient' } }))).toBe('unreadable_value');
    expect(exclusionReason(rec({ unreadable: { kind: 'date', column: 'trim_results.file_date' } }))).toBe('unreadable_date');
    expect(exclusionReason(rec({ finalTest: { ...ft, unreadable: { kind: 'value', column: 'final_test_tracks.fail_points' } } }))).toBe(
      'unreadable_value',
    );
    // Dates: an invalid Date, and years outside 1950..9999 (UTC).
    expect(exclusionReason(rec({ fileDate: new Date(Number.NaN) }))).toBe('unreadable_date');
    expect(exclusionReason(rec({ fileDate: new Date(Date.UTC(1949, 11, 31, 23, 59, 59)) }))).toBe('unreadable_date');
    expect(exclusionReason(rec({ fileDate: new Date(Date.UTC(1950, 0, 1)) }))).toBeNull();
    expect(exclusionReason(rec({ fileDate: new Date(Date.UTC(10000, 0, 1)) }))).toBe('unreadable_date');
    expect(exclusionReason(rec({ finalTest: { ...ft, testDate: new Date(Date.UTC(1900, 0, 1)) } }))).toBe('unreadable_date');
    // Sigma in (0, 10], spec in (0, 5].
    expect(exclusionReason(rec({ sigmaGradient: 10 }))).toBeNull();
    expect(exclusionReason(rec({ sigmaGradient: 10.000001 }))).toBe('invalid_sigma');
    expect(exclusionReason(rec({ sigmaGradient: 1e308 }))).toBe('invalid_sigma');
    expect(exclusionReason(rec({ sigmaGradient: Number.POSITIVE_INFINITY }))).toBe('invalid_sigma');
    expect(exclusionReason(rec({ linearitySpec: 5 }))).toBeNull();
    expect(exclusionReason(rec({ linearitySpec: 5.01 }))).toBe('invalid_spec');
    // Every other measurement: on the bound kept, beyond it (or ±Infinity) excluded; NULL and NaN are missing.
    const cases: [Partial<TrainingRecord>, boolean][] = [
      [{ linearityError: 100 }, true],
      [{ linearityError: -100.5 }, false],
      [{ linearityError: Number.NEGATIVE_INFINITY }, false],
      [{ linearityError: Number.NaN }, true],
      [{ linearityError: null }, true],
      [{ linearityFailPoints: 100_000 }, true],
      [{ linearityFailPoints: 100_001 }, false],
      [{ linearityFailPoints: 2.5 }, false],
      [{ linearityFailPoints: -1 }, false],
      [{ linearityFailPoints: 1e308 }, false],
      [{ optimalOffset: -100 }, true],
      [{ optimalOffset: 1e308 }, false],
      [{ travelLength: 3600 }, true],
      [{ travelLength: 0 }, true],
      [{ travelLength: -240 }, false],
      [{ travelLength: 3600.5 }, false],
      [{ unitLength: 3601 }, false],
      [{ untrimmedResistance: 1e-3 }, true],
      [{ untrimmedResistance: 0 }, false],
      [{ untrimmedResistance: -1 }, false],
      [{ trimmedResistance: 1e9 }, true],
      [{ trimmedResistance: 1.1e9 }, false],
      [{ finalTest: { ...ft, failPoints: 1e308 } }, false],
      [{ finalTest: { ...ft, linearityError: 101 } }, false],
      [{ finalTest: { ...ft, failPoints: null, linearityError: null } }, true],
    ];
    for (const [over, kept] of cases) {
      expect(exclusionReason(rec(over)), JSON.stringify(over)).toBe(kept ? null : 'implausible_value');
    }
  });
});

describe('labels, leakage and severity', () => {
  it('uses trim linearity without the defining features when Final Test is scarce', () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      rec(i % 4 === 0 ? { linearityPass: false, linearityFailPoints: 5, linearityError: 0.02 } : {}, i),
    );
    const set = buildTrainingSet(records);
    expect(set.label.source).toBe('trim');
    expect(set.featureNames).not.toContain('linearity_fail_points');
    expect(set.featureNames).not.toContain('linearity_error');
    expect(set.featureNames).not.toContain('error_to_spec_ratio');
    expect(set.rows).toBe(40);
    expect(set.failures).toBe(10);
  });
  it('uses Final Test with every feature when enough linked outcomes exist', () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      rec(
        {
          finalTest: {
            finalTestId: i,
            testDate: new Date(Date.UTC(2025, 1, 1 + i)),
            linearityPass: i % 5 !== 0,
            failPoints: i % 5 !== 0 ? 0 : 3,
            linearityError: null,
          },
        },
        i,
      ),
    );
    const choice = chooseLabelSource(records);
    expect(choice.source).toBe('final_test');
    expect(choice.finalTestOutcomes).toBe(40);
    expect(choice.finalTestFailures).toBe(8);
    const set = buildTrainingSet(records);
    expect(set.featureNames).toContain('linearity_fail_points');
    // severity of a 3-point FT failure: 1 + log2(4) = 3
    expect(set.severity[0]).toBe(3);
  });
  it('counts excluded rows and imputes with the per-model median', () => {
    const records = [
      rec({ travelLength: 100 }, 0),
      rec({ travelLength: 200 }, 1),
      rec({ travelLength: null }, 2),
      rec({ travelLength: 400 }, 3),
      rec({ status: 'ERROR' }, 4),
      rec({ sigmaGradient: 999.999 }, 5),
      rec({ linearityPass: null }, 6),
      rec({}, 0), // exact duplicate of row 0? no: row 0 has travel 100, same key (model, serial, track, date, sigma)
    ];
    const set = buildTrainingSet(records);
    expect(set.excluded.status_error).toBe(1);
    expect(set.excluded.placeholder_sigma).toBe(1);
    expect(set.excluded.missing_outcome).toBe(1);
    expect(set.excluded.duplicate).toBe(1);
    expect(set.rows).toBe(4);
    const j = set.featureNames.indexOf('travel_length');
    // median of 100, 200, 400 = 200
    expect(set.X[2 * set.featureNames.length + j]).toBe(200);
    expect(set.imputer.toState().missingCounts.travel_length).toBe(1);
  });
  it('weights severity as documented', () => {
    expect(severityWeight(0, 0)).toBe(1);
    expect(severityWeight(1, 1)).toBe(2);
    expect(severityWeight(1, 3)).toBe(3);
    expect(severityWeight(1, 7)).toBe(4);
    expect(severityWeight(1, 63)).toBe(7);
    expect(severityWeight(1, 10_000)).toBe(9);
    expect(severityWeight(1, null)).toBe(2);
  });
});

describe('rng', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 10_000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 10_000 }, () => b.next()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    // mean of U(0,1) is 0.5 with sd 1/sqrt(12*10000) = 0.0029
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.012);
    expect(createRng(8).next()).not.toBe(createRng(7).next());
    const n = createRng(1);
    const zs = Array.from({ length: 20_000 }, () => n.nextNormal());
    const zm = zs.reduce((s, x) => s + x, 0) / zs.length;
    const zv = zs.reduce((s, x) => s + (x - zm) ** 2, 0) / (zs.length - 1);
    expect(Math.abs(zm)).toBeLessThan(0.03);
    expect(Math.abs(zv - 1)).toBeLessThan(0.04);
  });
});
