import { describe, expect, it } from 'vitest';
import { ModelProfiler, generateInsights, LOW_CPK_WARNING } from '../../src/profiler/index.js';
import type { TrainingRecord } from '../../src/core/types.js';
import { ft, handDataset, rec, uniformModel } from './fixtures.js';

const build = (name: string, records: TrainingRecord[]): ModelProfiler => {
  const p = new ModelProfiler(name);
  p.buildProfile(records);
  return p;
};

describe('getInsights wording', () => {
  it('hand dataset: most severe first, numbers literally from the profile', () => {
    const insights = build('8340-1', handDataset()).getInsights();
    expect(insights.map((i) => [i.kind, i.severity])).toEqual([
      ['tight_spec_margin', 'critical'],
      ['low_cpk', 'critical'],
      ['small_sample', 'warning'],
      ['high_fail_rate', 'warning'],
      ['few_linked_final_test', 'info'],
    ]);
    const [margin, cpk, small, fail, ftInsight] = insights;
    // p95(error/spec) = 1.825 → 182.5%; margin −0.825; 5 of 8 ratios above 1
    expect(margin?.message).toBe(
      'No spec margin: the 95th percentile of linearity error is 182.5% of the spec (margin -82.5%); 5 of 8 tracks (62.5%) exceed the spec.',
    );
    expect(margin?.values['overSpec']).toBe(5);
    // Cpk = −0.080027
    expect(cpk?.message).toBe(
      'Cpk -0.08 is below 1 (one-sided, |error| against the spec, σ within from moving ranges of 8 tracks in date order): the process cannot reliably hold the linearity spec.',
    );
    expect(small?.message).toBe('Only 9 clean samples (fewer than 30): every statistic of this model is uncertain.');
    expect(fail?.message).toBe('Trim fail rate is 62.5% (5 of 8 tracks), at or above 50%; failing tracks average 4.0 fail points.');
    expect(ftInsight?.message).toBe(
      'Only 4 tracks have a linked Final Test outcome (fewer than 30, the default needed to learn from Final Test): Final Test rates are uncertain.',
    );
  });

  it('tracks failing together (phi over TRK1/TRK2 pairs)', () => {
    // 10 units; TRK1 fails on units 0–2, TRK2 on units 0–3: n11 = 3, n00 = 6, n10 = 0, n01 = 1
    // phi = (3·6 − 0·1)/√(3·7·4·6) = 18/√504 = 0.801784
    const rows: TrainingRecord[] = [];
    for (let u = 0; u < 10; u++) {
      rows.push(rec(2 * u + 1, { trimResultId: u + 1, trackId: 'TRK1', linearityPass: u >= 3 }));
      rows.push(rec(2 * u + 2, { trimResultId: u + 1, trackId: 'TRK2', linearityPass: u >= 4 }));
    }
    const p = build('M', rows);
    expect(p.profile.trackCorrelation.failure.value).toBeCloseTo(18 / Math.sqrt(504), 12);
    const i = p.getInsights().find((x) => x.kind === 'tracks_fail_together');
    expect(i?.message).toBe(
      'Track 1 and Track 2 failures are highly correlated (0.80 over 10 units): the tracks tend to fail together, which points to a unit-level cause.',
    );
    expect(i?.severity).toBe('warning');
    // a higher threshold silences it
    expect(p.getInsights({ tracksFailTogether: 0.9 }).some((x) => x.kind === 'tracks_fail_together')).toBe(false);
  });

  it('all-pass and all-fail models', () => {
    const pass = build('P', uniformModel('P', 10, { sigma: 1e-4, error: 0.005, fails: 0 })).getInsights();
    expect(pass.find((i) => i.kind === 'all_pass')?.message).toBe(
      'All 10 trim outcomes passed: there are no failures to learn a threshold or a predictor from.',
    );
    const fail = build('F', uniformModel('F', 10, { sigma: 1e-4, error: 0.02, fails: 10 })).getInsights();
    expect(fail.find((i) => i.kind === 'all_fail')).toMatchObject({
      severity: 'critical',
      message: 'All 10 trim outcomes failed: there are no passes to learn a threshold or a predictor from.',
    });
    expect(fail.some((i) => i.kind === 'high_fail_rate')).toBe(false);
  });

  it('tight (not negative) spec margin and Cpk between 1 and 1.33', () => {
    // errors alternate 5.0 / 6.5 mV (spec 10 mV), 10 tracks: μ = 0.575, MR̄ = 0.15 → σw = 0.15/1.128
    // Cpk = 0.425·1.128/0.45 = 1.065333 → warning
    const rows = Array.from({ length: 10 }, (_, k) => rec(k + 1, { linearityError: k % 2 === 0 ? 0.005 : 0.0065 }));
    const cpk = build('M', rows)
      .getInsights()
      .find((i) => i.kind === 'low_cpk');
    expect(cpk?.severity).toBe('warning');
    expect(cpk?.message).toBe(
      'Cpk 1.07 is below 1.33 (one-sided, |error| against the spec, σ within from moving ranges of 10 tracks in date order).',
    );
    // constant error 9.5 mV: p95 ratio 0.95, margin 0.05
    const tight = build('T', uniformModel('T', 10, { sigma: 1e-4, error: 0.0095, fails: 0 })).getInsights();
    expect(tight.find((i) => i.kind === 'tight_spec_margin')).toMatchObject({
      severity: 'warning',
      message: 'Tight spec margin: the 95th percentile of linearity error is 95% of the spec, leaving a margin of 5% (below 10%).',
    });
  });

  it('never shows a value that looks equal to the bound it is below', () => {
    const p = build('M', uniformModel('M', 10, { sigma: 1e-4, error: 0.005, fails: 0 })).profile;
    const tweaked = { ...p, capability: { ...p.capability, cpk: 1.3299 } };
    expect(generateInsights(tweaked).find((i) => i.kind === 'low_cpk')?.message).toMatch(/^Cpk 1\.3299 is below 1\.33 /);
    expect(LOW_CPK_WARNING).toBe(1.33);
  });

  it('Final Test escapes: FT fail rate well above trim fail rate', () => {
    // 20 tracks; trim fails k = 0, 1 (10%); FT fails k = 0..5 (6 of 20 = 30%), of which k = 2..5 passed trim:
    // 4 escapes among the 18 trim passes; gap 0.3 − 0.1 = 20 percentage points
    const rows = uniformModel('E', 20, { sigma: 1e-4, error: 0.005, fails: 2 }).map((r, k) => ({
      ...r,
      finalTest: ft(k + 1, k >= 6, k >= 6 ? 0 : 4),
    }));
    const i = build('E', rows)
      .getInsights()
      .find((x) => x.kind === 'final_test_escapes');
    expect(i?.message).toBe(
      'Final Test fail rate 30% (6 of 20 linked tracks) is 20 percentage points above the trim fail rate 10%; 4 of 18 tracks that passed trim failed Final Test (escapes).',
    );
    expect(i?.values['escapes']).toBe(4);
  });

  it('no linked Final Test at all', () => {
    const i = build('M', uniformModel('M', 40, { sigma: 1e-4, error: 0.005, fails: 4 })).getInsights();
    expect(i.find((x) => x.kind === 'few_linked_final_test')?.message).toBe(
      'No track has a linked Final Test outcome (0 linked records): only trim linearity describes this model.',
    );
    expect(i.some((x) => x.kind === 'small_sample')).toBe(false);
  });
});
