import { describe, expect, it } from 'vitest';
import { ModelProfiler } from '../../src/profiler/index.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { handDataset, rec } from './fixtures.js';

// Every expected value below is worked out by hand from the table in fixtures.ts (handDataset).
describe('ModelProfiler on the hand-worked dual-track dataset', () => {
  const profiler = new ModelProfiler('8340-1');
  const p = profiler.buildProfile(handDataset());

  it('applies hygiene and counts what it dropped', () => {
    // 11 rows read; rec 10 (status ERROR) and rec 11 (sigma 999.999) dropped; 9 remain.
    expect(p.rowsRead).toBe(11);
    expect(p.samples).toBe(9);
    expect(p.excluded.status_error).toBe(1);
    expect(p.excluded.placeholder_sigma).toBe(1);
    expect(p.excluded.duplicate).toBe(0);
    expect(p.firstDate).toBe('2025-03-01T00:00:00.000Z');
    expect(p.lastDate).toBe('2025-03-05T00:00:00.000Z');
    expect(p.spec).toBe(0.01);
    expect(p.distinctSpecs).toBe(1);
  });

  it('sigma: mean, std (ddof=1), numpy-linear p5/p50/p95, log10 mean/std', () => {
    // sorted sigma: [1e-4 ×4, 1e-3 ×4, 1e-2]; n = 9
    // mean = (4e-4 + 4e-3 + 1e-2) / 9 = 0.0144 / 9 = 0.0016
    // squared deviations: 4·(1.5e-3)² = 9e-6; 4·(6e-4)² = 1.44e-6; (8.4e-3)² = 7.056e-5; Σ = 8.1e-5; /8 = 1.0125e-5
    // p5: h = 8·0.05 = 0.4 → s0 + 0.4(s1 − s0) = 1e-4; p50: h = 4 → s4 = 1e-3; p95: h = 7.6 → 1e-3 + 0.6·9e-3 = 6.4e-3
    // log10: [−4 ×4, −3 ×4, −2]: mean −30/9; deviations −2/3 ×4, 1/3 ×4, 4/3: Σ² = 16/9 + 4/9 + 16/9 = 4; /8 = 0.5
    expect(p.sigma.n).toBe(9);
    expect(p.sigma.mean).toBeCloseTo(0.0016, 15);
    expect(p.sigma.std).toBeCloseTo(Math.sqrt(1.0125e-5), 15);
    expect(p.sigma.p5).toBeCloseTo(1e-4, 15);
    expect(p.sigma.p50).toBeCloseTo(1e-3, 15);
    expect(p.sigma.p95).toBeCloseTo(6.4e-3, 15);
    expect(p.sigma.log10Mean).toBeCloseTo(-10 / 3, 12);
    expect(p.sigma.log10Std).toBeCloseTo(Math.sqrt(0.5), 12);
    // sigma × travel / spec = sigma × 100 / 0.01 = sigma × 1e4 → log10: [0 ×4, 1 ×4, 2]; p50 (h = 4) = 1
    expect(p.sigma.log10SigmaTravelPerSpecP50).toBeCloseTo(1, 12);
    expect(p.sigma.sigmaTravelPerSpecN).toBe(9);
  });

  it('error: mean, std (ddof=1) of linearity_error; p95 of error/spec; spec margin', () => {
    // errors (mV): 4, 6, 12, 20, 8, 11, 15, 13 (rec 9 has none); Σ = 89 → mean 11.125 mV
    // Σx² = 1175; n·x̄² = 990.125; Σ(x − x̄)² = 184.875 → var = 184.875/7 (mV²)
    expect(p.error.n).toBe(8);
    expect(p.error.mean).toBeCloseTo(0.011125, 15);
    expect(p.error.std).toBeCloseTo(Math.sqrt(184.875 / 7) * 1e-3, 14);
    // error/spec sorted: .4 .6 .8 1.1 1.2 1.3 1.5 2.0; p95: h = 7·0.95 = 6.65 → 1.5 + 0.65·0.5 = 1.825
    expect(p.error.toSpecP95).toBeCloseTo(1.825, 12);
    expect(p.error.toSpecN).toBe(8);
    expect(p.error.overSpec).toBe(5); // 1.1, 1.2, 1.3, 1.5, 2.0
    expect(p.specMargin).toBeCloseTo(1 - 1.825, 12);
  });

  it('trim pass/fail rates over non-null outcomes, avg fail points of failures', () => {
    // 8 outcomes (rec 9 is null): passes rec 1, 2, 5 → 3; failures 5; fail points 4 + 10 + 1 + 3 + 2 = 20 → 4
    expect(p.trim).toEqual({ outcomes: 8, passes: 3, failures: 5, passRate: 0.375, failRate: 0.625, avgFailPoints: 4, failPointsKnown: 5 });
  });

  it('Final Test rates over linked outcomes, escapes', () => {
    // linked: rec 1, 2, 3, 5, 6 → 5; outcomes: rec 6 has none → 4; fails rec 3 (6 pts), rec 5 (3 pts) → 2, avg 4.5
    // passed trim with an FT outcome: rec 1, 2, 5 → 3; of them failed FT: rec 5 → 1 escape
    expect(p.finalTest).toEqual({
      outcomes: 4,
      passes: 2,
      failures: 2,
      passRate: 0.5,
      failRate: 0.5,
      avgFailPoints: 4.5,
      failPointsKnown: 2,
      linked: 5,
      trimPassedWithOutcome: 3,
      escapes: 1,
    });
  });

  it('track correlation: phi of fail indicators and Pearson of log10 sigma over TRK1/TRK2 pairs', () => {
    // pairs: units 1–4 (unit 5 has TRK1 only) → 4
    // fail TRK1 = (0, 1, 0, 1), TRK2 = (0, 1, 1, 1): 2×2 table a(0,0)=1, b(1,0)=0, c(0,1)=1, d(1,1)=2
    // phi = (ad − bc) / √((a+b)(c+d)(a+c)(b+d)) = 2 / √(1·3·2·2) = 1/√3 = 0.57735
    expect(p.trackCorrelation.pairs).toBe(4);
    expect(p.trackCorrelation.failure.method).toBe('phi');
    expect(p.trackCorrelation.failure.n).toBe(4);
    expect(p.trackCorrelation.failure.value).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(p.trackCorrelation.failure.reason).toBeNull();
    // log10 sigma TRK1 = (−4, −3, −4, −3), TRK2 = (−4, −2, −3, −3); dx = (−.5, .5, −.5, .5), dy = (−1, 1, 0, 0)
    // Σdxdy = 1, Σdx² = 1, Σdy² = 2 → r = 1/√2
    expect(p.trackCorrelation.sigma.value).toBeCloseTo(1 / Math.sqrt(2), 12);
  });

  it('sigma–error correlation is Spearman (average ranks for ties)', () => {
    // sigma ranks: 1e-4 (rec 1, 2, 5) → 2; 1e-3 (rec 3, 6, 7, 8) → 5.5; 1e-2 (rec 4) → 8
    // error/spec ranks: rec1 1, rec2 2, rec5 3, rec6 4, rec3 5, rec8 6, rec7 7, rec4 8
    // centred (mean 4.5): Σ ds·de = 35, Σ ds² = 35, Σ de² = 42 → ρ = 35/√(35·42) = √(35/42)
    expect(p.sigmaErrorCorrelation.method).toBe('spearman');
    expect(p.sigmaErrorCorrelation.n).toBe(8);
    expect(p.sigmaErrorCorrelation.value).toBeCloseTo(Math.sqrt(35 / 42), 12);
  });

  it('capability: one-sided on error/spec with USL = 1, σ within from date-ordered moving ranges', () => {
    // date order (ties by id): .4 .6 1.2 2.0 .8 1.1 1.5 1.3; moving ranges .2 .6 .8 1.2 .3 .4 .2 → Σ 3.7, MR̄ = 3.7/7
    // σ_within = (3.7/7)/1.128 = 0.468592; μ = 8.9/8 = 1.1125; σ_overall = √(184.875/7)/10 = 0.513914
    // Cpk = (1 − 1.1125)/(3·0.468592) = −0.080027; Ppk = −0.1125/(3·0.513914) = −0.072969; Cp = Cpk, Pp = Ppk (one-sided)
    const c = p.capability;
    const sw = 3.7 / 7 / 1.128;
    const so = Math.sqrt(184.875 / 7) / 10;
    expect(c.n).toBe(8);
    expect(c.mean).toBeCloseTo(1.1125, 12);
    expect(c.sigmaWithin).toBeCloseTo(sw, 12);
    expect(c.sigmaOverall).toBeCloseTo(so, 12);
    expect(c.cpk).toBeCloseTo(-0.1125 / (3 * sw), 12);
    expect(c.cpk).toBeCloseTo(-0.080027, 5);
    expect(c.ppk).toBeCloseTo(-0.072969, 5);
    expect(c.cp).toBe(c.cpk);
    expect(c.pp).toBe(c.ppk);
    expect(c.reason).toBeNull();
  });

  it('maps to the model_ml_state profile columns', () => {
    const cols = profiler.toColumns();
    expect(cols.passRate).toBe(0.375);
    expect(cols.failRate).toBe(0.625);
    expect(cols.avgFailPoints).toBe(4);
    expect(cols.trackCorrelation).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(cols.specMargin).toBeCloseTo(-0.825, 12);
    expect(cols.difficultyScore).toBeNull();
  });

  it('accepts host track names through options', () => {
    const rows = handDataset().map((r) => ({ ...r, trackId: r.trackId === 'TRK1' ? 'A' : 'B' }));
    const q = new ModelProfiler('8340-1').buildProfile(rows, { trackIds: ['a', 'b'] });
    expect(q.trackCorrelation.failure.value).toBeCloseTo(1 / Math.sqrt(3), 12);
    // lower-case, spaced spelling of the default names still pairs
    const r2 = handDataset().map((r) => ({ ...r, trackId: r.trackId.replace('TRK', 'trk ') }));
    expect(new ModelProfiler('8340-1').buildProfile(r2).trackCorrelation.pairs).toBe(4);
  });

  it('refuses records of another model', () => {
    expect(() => new ModelProfiler('8340-1').buildProfile([rec(1, { model: '6828' })])).toThrow(InvalidInputError);
  });
});
