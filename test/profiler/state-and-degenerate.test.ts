import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotTrainedError, StateVersionError } from '../../src/core/errors.js';
import type { TrainingRecord } from '../../src/core/types.js';
import { ModelProfiler, type ModelProfilerState } from '../../src/profiler/index.js';
import { allFinite, handDataset, rec, uniformModel } from './fixtures.js';

const roundTrip = (p: ModelProfiler): ModelProfiler =>
  ModelProfiler.fromState(JSON.parse(JSON.stringify(p.toState())) as ModelProfilerState);

describe('toState / fromState', () => {
  it('restores the profile and its insights exactly, through JSON', () => {
    const p = new ModelProfiler('8340-1');
    p.buildProfile(handDataset());
    const other = new ModelProfiler('6828');
    other.buildProfile(uniformModel('6828', 12, { sigma: 1e-4, error: 0.005, fails: 1 }).map((r) => ({ ...r, model: '6828' })));
    const big = new ModelProfiler('big');
    big.buildProfile(uniformModel('big', 12, { sigma: 1e-3, error: 0.009, fails: 6 }));
    ModelProfiler.rankAll([p, other, big], { minSamples: 9 });
    expect(p.profile.difficulty).not.toBeNull();
    const q = roundTrip(p);
    expect(q.modelName).toBe('8340-1');
    expect(q.profile).toEqual(p.profile);
    expect(q.getInsights()).toEqual(p.getInsights());
    expect(q.toState()).toEqual(p.toState());
    expect(q.getInsights().some((i) => i.kind === 'difficulty')).toBe(true);
  });

  it('keeps model names opaque', () => {
    const name = 'a/b "c" ü 8340-1';
    const p = new ModelProfiler(name);
    p.buildProfile(uniformModel(name, 3, { sigma: 1e-4, error: 0.005, fails: 1 }));
    expect(roundTrip(p).profile.model).toBe(name);
  });

  it('round-trips an unbuilt profiler, which refuses to answer', () => {
    const q = roundTrip(new ModelProfiler('M'));
    expect(q.isBuilt).toBe(false);
    expect(() => q.profile).toThrow(NotTrainedError);
    expect(() => q.getInsights()).toThrow(NotTrainedError);
  });

  it('validates kind, version and shape', () => {
    const s = new ModelProfiler('M').toState();
    expect(() => ModelProfiler.fromState({ ...s, kind: 'Other' } as unknown as ModelProfilerState)).toThrow(StateVersionError);
    expect(() => ModelProfiler.fromState({ ...s, version: 2 } as unknown as ModelProfilerState)).toThrow(StateVersionError);
    expect(() => ModelProfiler.fromState(null as unknown as ModelProfilerState)).toThrow(StateVersionError);
    const bad = { ...s, profile: { model: 'M', samples: 1 } } as unknown as ModelProfilerState;
    expect(() => ModelProfiler.fromState(bad)).toThrow(InvalidInputError);
    expect(() => new ModelProfiler(42 as unknown as string)).toThrow(InvalidInputError);
    // Model names are opaque: the empty one is a name like any other.
    expect(new ModelProfiler('').modelName).toBe('');
  });

  it('toState is a copy: mutating it does not change the profiler', () => {
    const p = new ModelProfiler('M');
    p.buildProfile(uniformModel('M', 3, { sigma: 1e-4, error: 0.005, fails: 1 }));
    const s = p.toState() as { profile: { samples: number } };
    s.profile.samples = 999;
    expect(p.profile.samples).toBe(3);
  });
});

describe('degenerate inputs: no crash, no NaN, insights still sensible', () => {
  const cases: [string, TrainingRecord[]][] = [
    ['empty', []],
    ['one sample', [rec(1)]],
    ['two samples', [rec(1), rec(2, { linearityError: 0.007, sigmaGradient: 2e-4 })]],
    ['all fail', uniformModel('M', 8, { sigma: 1e-3, error: 0.03, fails: 8 })],
    ['all pass', uniformModel('M', 8, { sigma: 1e-4, error: 0.004, fails: 0 })],
    ['constant sigma', uniformModel('M', 8, { sigma: 3e-4, error: 0.004, fails: 3 })],
    ['all error missing', Array.from({ length: 6 }, (_, k) => rec(k + 1, { linearityError: null, sigmaGradient: (k + 1) * 1e-4 }))],
    ['all excluded (sigma 0 for the whole model)', Array.from({ length: 5 }, (_, k) => rec(k + 1, { sigmaGradient: 0 }))],
    ['missing spec and travel', Array.from({ length: 4 }, (_, k) => rec(k + 1, { linearitySpec: null, travelLength: null }))],
    ['invalid dates', Array.from({ length: 4 }, (_, k) => rec(k + 1, { fileDate: new Date(Number.NaN), linearityError: 0.001 * (k + 2) }))],
  ];
  for (const [name, records] of cases) {
    it(name, () => {
      const p = new ModelProfiler('M');
      const profile = p.buildProfile(records);
      expect(allFinite(profile)).toBe(true);
      const insights = p.getInsights();
      for (const i of insights) {
        expect(i.message).not.toMatch(/NaN|undefined|Infinity|null/);
        expect(allFinite(i.values)).toBe(true);
      }
      expect(roundTrip(p).profile).toEqual(profile);
    });
  }

  it('empty: every statistic null, one critical no_data insight', () => {
    const p = new ModelProfiler('M');
    const profile = p.buildProfile([]);
    expect(profile.samples).toBe(0);
    expect(profile.sigma.mean).toBeNull();
    expect(profile.sigma.p95).toBeNull();
    expect(profile.trim.passRate).toBeNull();
    expect(profile.specMargin).toBeNull();
    expect(profile.capability.reason?.code).toBe('no_data');
    expect(profile.firstDate).toBeNull();
    expect(p.getInsights()).toEqual([
      {
        kind: 'no_data',
        severity: 'critical',
        message: 'No records for this model: nothing can be profiled or learned.',
        values: { rowsRead: 0, samples: 0 },
      },
    ]);
  });

  it('all excluded: says why', () => {
    const p = new ModelProfiler('M');
    p.buildProfile(Array.from({ length: 5 }, (_, k) => rec(k + 1, { sigmaGradient: 0 })));
    expect(p.getInsights()[0]?.message).toBe('No usable records: 5 read, all excluded (invalid_sigma: 5).');
  });

  it('one sample: std null, percentiles equal the value, correlations too few', () => {
    const p = new ModelProfiler('M').buildProfile([rec(1, { sigmaGradient: 2e-4 })]);
    expect(p.sigma.std).toBeNull();
    expect(p.sigma.p5).toBe(2e-4);
    expect(p.sigma.p95).toBe(2e-4);
    expect(p.error.std).toBeNull();
    expect(p.capability.cpk).toBeNull();
    expect(p.capability.reason?.code).toBe('too_few');
    expect(p.sigmaErrorCorrelation.reason?.code).toBe('too_few');
  });

  it('two samples: std defined, capability defined, correlation still too few', () => {
    // errors 5 and 7 mV: ratios .5, .7; MR̄ = .2 → σw = .2/1.128; Cpk = (1 − .6)/(3·.2/1.128) = 0.752
    const p = new ModelProfiler('M').buildProfile([rec(1), rec(2, { linearityError: 0.007, sigmaGradient: 2e-4 })]);
    expect(p.sigma.std).toBeCloseTo(Math.SQRT1_2 * 1e-4, 15);
    expect(p.capability.cpk).toBeCloseTo(0.4 / (3 * (0.2 / 1.128)), 10);
    expect(p.sigmaErrorCorrelation.value).toBeNull();
  });

  it('constant sigma: zero std, sigma correlations null for zero variance', () => {
    const rows: TrainingRecord[] = [];
    for (let u = 0; u < 5; u++) {
      rows.push(rec(2 * u + 1, { trimResultId: u + 1, trackId: 'TRK1', linearityError: 0.001 * (u + 1), linearityPass: u > 1 }));
      rows.push(rec(2 * u + 2, { trimResultId: u + 1, trackId: 'TRK2', linearityError: 0.001 * (u + 2), linearityPass: u > 0 }));
    }
    const p = new ModelProfiler('M').buildProfile(rows);
    expect(p.sigma.std).toBe(0);
    expect(p.sigma.log10Std).toBe(0);
    expect(p.trackCorrelation.sigma.reason?.code).toBe('zero_variance');
    expect(p.sigmaErrorCorrelation.reason?.code).toBe('zero_variance');
    expect(p.trackCorrelation.failure.value).not.toBeNull();
  });

  it('single-track model: track correlation null with reason', () => {
    const p = new ModelProfiler('M').buildProfile(uniformModel('M', 8, { sigma: 1e-4, error: 0.004, fails: 3 }));
    expect(p.trackCorrelation.pairs).toBe(0);
    expect(p.trackCorrelation.failure.value).toBeNull();
    expect(p.trackCorrelation.failure.reason?.code).toBe('single_track');
    expect(p.trackCorrelation.sigma.reason?.message).toMatch(/single-track model/);
  });

  it('all error missing: error statistics, margin and capability null', () => {
    const p = new ModelProfiler('M').buildProfile(Array.from({ length: 6 }, (_, k) => rec(k + 1, { linearityError: null })));
    expect(p.error.n).toBe(0);
    expect(p.error.mean).toBeNull();
    expect(p.specMargin).toBeNull();
    expect(p.capability.reason?.code).toBe('no_data');
  });
});
