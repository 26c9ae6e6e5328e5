import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { NotTrainedError, StateVersionError } from '../../src/core/errors.js';
import { ModelDriftDetector, designEwmaL, ewmaArl, simulateCombinedArl, type ModelDriftDetectorState } from '../../src/drift/index.js';

const DAY = 86_400_000;
const day = (i: number): Date => new Date(Date.UTC(2025, 0, 1) + i * DAY);
/** 15 × e and 15 × 1/e: ln sigma has mean 0 and sample std s = √(30/29). */
const SYM_BASELINE = Array.from({ length: 30 }, (_, i) => Math.exp(i % 2 === 0 ? 1 : -1));
const S = Math.sqrt(30 / 29);
/** sigma whose plain score against SYM_BASELINE is z. */
const sig = (z: number): number => Math.exp(z * S);

describe('recursions worked by hand (plain score, k = 0.5, h = 5, λ = 0.2, L = 3)', () => {
  it('CUSUM and EWMA follow the textbook recursions and the exact EWMA limits', () => {
    const det = new ModelDriftDetector('m', {
      score: 'normal',
      selfStarting: false,
      k: 0.5,
      h: 5,
      lambda: 0.2,
      L: 3,
      correlationInflation: 1,
      blockSize: 1,
    });
    expect(det.setBaseline(SYM_BASELINE)).toBe(true);
    const rs = [1.5, 1, -2, -1.5].map((z, i) => det.detect(sig(z), day(i)));
    expect(rs.map((r) => r.z)).toEqual([1.5, 1, -2, -1.5].map((z) => expect.closeTo(z, 12)));
    // S+ = max(0, S+ + z − 0.5): 1.0, 1.5, 0, 0;  S− = max(0, S− − z − 0.5): 0, 0, 1.5, 2.5
    expect(rs.map((r) => r.cusumPos)).toEqual([1, 1.5, 0, 0].map((v) => expect.closeTo(v, 12)));
    expect(rs.map((r) => r.cusumNeg)).toEqual([0, 0, 1.5, 2.5].map((v) => expect.closeTo(v, 12)));
    // E = 0.8E + 0.2z: 0.3, 0.44, −0.048, −0.3384
    expect(rs.map((r) => r.ewma)).toEqual([0.3, 0.44, -0.048, -0.3384].map((v) => expect.closeTo(v, 12)));
    // limit_t = 3·√(0.2/1.8·(1 − 0.8^(2t))·(1 − c) + (1 − 0.8^t)²·c), c = 1/31 (the reference of 30 shares its
    // error with every score): t=1 → 3·√(0.04·30/31 + 0.04/31) = 0.6; t=2 → 3·√(0.0656·30/31 + 0.1296/31) = 0.780372
    expect(rs[0]!.ewmaLimit).toBeCloseTo(0.6, 12);
    expect(rs[1]!.ewmaLimit).toBeCloseTo(0.780372, 6);
    expect(rs.every((r) => !r.alarm && !r.drifting)).toBe(true);
    expect(det.cusumNeg).toBeCloseTo(2.5, 12);
    expect(det.ewmaValue).toBeCloseTo(-0.3384, 12);
  });
});

describe('first sample after the baseline', () => {
  it('never alarms for an in-control value (z = 1.5): the limit at t = 1 is L·λ, not 0', () => {
    for (const selfStarting of [true, false]) {
      const det = new ModelDriftDetector('m', { selfStarting });
      det.setBaseline(SYM_BASELINE);
      const r = det.detect(sig(1.5), day(0));
      expect(r.alarm).toBe(false);
      expect(r.drifting).toBe(false);
      expect(r.ewmaLimit).toBeCloseTo(det.params.L * det.params.lambda, 12);
      expect(r.ewma).toBeGreaterThan(0);
    }
  });
});

describe('episodes and onset', () => {
  const stepSeries = (): number[] =>
    [
      ...Array(20).fill(0), // in control, z = 0 exactly: both CUSUMs stay at 0
      ...Array(110).fill(1.5), // step up at index 20
      ...Array(60).fill(0), // back in control
      ...Array(40).fill(-2), // step down at index 190
    ].map(sig);

  it('reports the onset where the CUSUM left zero, one alarm per episode, and rearms after recovery', () => {
    const det = new ModelDriftDetector('8340-1', { score: 'normal', selfStarting: false });
    det.setBaseline(SYM_BASELINE);
    const values = stepSeries();
    const dates = values.map((_, i) => day(i));
    const { results, episodes } = det.detectSeries(values, dates);
    // Default design h = 13.42, L = 4.322: the CUSUM 1.125·n passes 13.42 at n = 12 (index 31); the EWMA
    // 1.5(1 − 0.9ⁿ) would need n = 11 against the known-parameter limit 0.9916, but the limit that allows for the
    // 30-unit reference's shared error is 4.322·√(0.0526·(1 − 0.9⁶²)·30/31 + (1 − 0.9³¹)²/31) = 1.228 at t = 31.
    expect(results.filter((r) => r.alarm).length).toBe(2);
    expect(episodes).toHaveLength(2);
    const [up, down] = episodes;
    expect(up!.direction).toBe('up');
    expect(up!.detectedDate).toEqual(day(31));
    expect(up!.onsetDate).toEqual(day(20));
    expect(up!.statistic).toBe('cusum');
    expect(up!.sizeSigma).toBeCloseTo(1.5, 12);
    expect(up!.model).toBe('8340-1');
    // drifting the whole shifted stretch, no second alarm
    expect(results.slice(31, 130).every((r) => r.drifting && r.direction === 'up')).toBe(true);
    // recovery: the capped CUSUM (13.42) falls by k = 0.375 per sample → 0 after 36 samples (index 165), then 3 calm samples
    expect(up!.endDate).toEqual(day(167));
    expect(results[166]!.drifting).toBe(true);
    expect(results[167]!.drifting).toBe(false);
    expect(down!.direction).toBe('down');
    expect(down!.onsetDate).toEqual(day(190));
    expect(down!.sizeSigma).toBeLessThan(-1.9);
    expect(det.isDrifting).toBe(true);
    expect(det.driftDirection).toBe('down');
  });

  it('state round trip mid-stream gives identical subsequent results', () => {
    const values = stepSeries();
    const a = new ModelDriftDetector('m', { targetArl0: 20_000 });
    a.setBaseline(
      SYM_BASELINE,
      SYM_BASELINE.map((_, i) => day(-100 + i)),
    );
    a.detectSeries(
      values.slice(0, 40),
      values.slice(0, 40).map((_, i) => day(i)),
    );
    const json = JSON.stringify(a.toState());
    const b = ModelDriftDetector.fromState(JSON.parse(json) as ModelDriftDetectorState);
    expect(b.toState()).toEqual(a.toState());
    const rest = values.slice(40);
    const ra = a.detectSeries(
      rest,
      rest.map((_, i) => day(40 + i)),
    );
    const rb = b.detectSeries(
      rest,
      rest.map((_, i) => day(40 + i)),
    );
    expect(rb).toEqual(ra);
    // A version-1 state (before rank scores, subgroups and the horizon design) is refused with a typed error that
    // tells the user to retrain.
    expect(() => ModelDriftDetector.fromState({ ...a.toState(), version: 1 } as unknown as ModelDriftDetectorState)).toThrow(
      StateVersionError,
    );
    expect(() => ModelDriftDetector.fromState({ ...a.toState(), version: 1 } as unknown as ModelDriftDetectorState)).toThrow(
      /retrain the model/,
    );
  });

  it('skips non-positive and non-finite values without changing state', () => {
    const det = new ModelDriftDetector('m');
    det.setBaseline(SYM_BASELINE);
    det.detect(sig(0.7), day(0));
    const before = JSON.stringify(det.toState());
    for (const v of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = det.detect(v, day(1));
      expect(r.skipped).toBe(true);
      expect(r.z).toBeNull();
      expect(r.alarm).toBe(false);
    }
    const after = det.toState();
    expect({ ...after, skipped: 0 }).toEqual({ ...(JSON.parse(before) as ModelDriftDetectorState), skipped: 0 });
    expect(after.skipped).toBe(4);
  });
});

describe('baselines', () => {
  it('fails with a reason for too few, constant, all-NaN and two-sample inputs', () => {
    const cases: [number[], RegExp][] = [
      [
        Array(29)
          .fill(3e-4)
          .map((v: number, i) => v * (1 + i / 100)),
        /at least 30/,
      ],
      [Array(100).fill(3.5e-4), /no spread/],
      [Array(50).fill(Number.NaN), /only 0 positive finite/],
      [[1e-4, 2e-4], /only 2 positive finite/],
      [[...Array(20).fill(-1), ...Array(20).fill(2e-4)], /20 of 40 dropped/],
    ];
    for (const [values, reason] of cases) {
      const det = new ModelDriftDetector('m');
      expect(det.setBaseline(values)).toBe(false);
      expect(det.baselineFailureReason).toMatch(reason);
      expect(() => det.detect(1e-4, day(0))).toThrow(NotTrainedError);
    }
  });

  it('display statistics and control limits on the original scale', () => {
    const det = new ModelDriftDetector('m', { minBaselineSize: 5, k: 0.5, h: 5, lambda: 0.2, L: 3 });
    expect(det.setBaseline([1, 2, 3, 4, 5])).toBe(true);
    expect(det.baselineMean).toBeCloseTo(3, 14);
    expect(det.baselineStd).toBeCloseTo(Math.sqrt(2.5), 14); // ddof = 1
    expect(det.baselineP95).toBeCloseTo(4.8, 14); // numpy linear: h = 3.8
    // ln 1..5: mean ln(120)/5, std (ddof=1) from the logs; limits exp(mean ± 3·√(0.2/1.8·(1 − c) + c)·std) with
    // c = 1/6 (five subgroups of one unit share the reference's error): 3·√(0.0926 + 0.1667) = 1.527525
    const logs = [1, 2, 3, 4, 5].map(Math.log);
    const m = logs.reduce((a, b) => a + b) / 5;
    const sd = Math.sqrt(logs.reduce((a, y) => a + (y - m) ** 2, 0) / 4);
    const [lo, c, hi] = det.getControlLimits();
    expect(c).toBeCloseTo(Math.pow(120, 1 / 5), 12); // geometric mean
    const w = 3 * Math.sqrt((0.2 / 1.8) * (5 / 6) + 1 / 6);
    expect(w).toBeCloseTo(1.527525, 6);
    expect(Math.log(hi)).toBeCloseTo(m + w * sd, 12);
    expect(Math.log(lo)).toBeCloseTo(m - w * sd, 12);
  });

  it('excludes gross outliers from the baseline', () => {
    const rng = createRng(5);
    const clean = Array.from({ length: 60 }, () => 3e-4 * Math.exp(0.4 * rng.nextNormal()));
    const det = new ModelDriftDetector('m');
    expect(det.setBaseline([...clean, 999.999, 5])).toBe(true);
    expect(det.baselineSize).toBe(60);
    expect(det.toState().baseline!.outliers).toBe(2);
  });
});

describe('simulation (seeded)', () => {
  const MU = Math.log(3.5e-4);
  const SD = 0.4;
  function stableFlagged(seed: number, n: number, opts: object): boolean {
    const rng = createRng(seed);
    const det = new ModelDriftDetector('m', opts);
    det.setBaseline(Array.from({ length: n }, () => Math.exp(MU + SD * rng.nextNormal())));
    for (let i = 0; i < 1000; i++) if (det.detect(Math.exp(MU + SD * rng.nextNormal()), day(i)).alarm) return true;
    return false;
  }

  it('keeps the false-alarm rate over 1,000 samples near the known-parameter rate for baselines of 30 and 300', () => {
    // A small target ARL (2,000) so that 300 models measure the rate to ±0.03.
    const opts = { targetArl0: 2000 };
    const det = new ModelDriftDetector('m', opts);
    const known = simulateCombinedArl(det.params, { horizon: 1000, replicates: 3000, seed: 9 }).withinHorizon;
    const rate = (n: number, o: object): number => {
      let f = 0;
      for (let r = 0; r < 300; r++) if (stableFlagged(10_000 * n + r, n, { ...opts, ...o })) f++;
      return f / 300;
    };
    expect(Math.abs(rate(300, {}) - known)).toBeLessThan(0.06);
    // n = 30: the first 30 monitored units wait before joining the 30-unit reference (absorbDelay), a visible
    // excess at this short ARL0 (measured 0.42 against 0.31; 0.44 before the EWMA limit allowed for the reference's
    // shared error); without the delay the sequential ranks are exact (0.26).
    expect(rate(30, {})).toBeLessThan(known + 0.16);
    expect(Math.abs(rate(30, { absorbDelay: 0 }) - known)).toBeLessThan(0.06);
    // The plain normal z of a 30-unit baseline flags far more stable models.
    expect(rate(30, { score: 'normal', selfStarting: false })).toBeGreaterThan(known + 0.15);
  });

  it("the EWMA limit that allows for the reference's shared error brings the rate of short baselines to the design", () => {
    // EWMA alone (h out of reach), L for ARL0 = 2,000, units one by one, no lots (f = 1), skewed ln sigma (a fifth
    // of the units with an exponential glitch), 500 units monitored. The uncorrected limit L·√(λ/(2 − λ)·(1 − 0.81ᵗ))
    // is replayed on the same charted scores (DriftResult.subgroupScore).
    const L = designEwmaL(2000, 0.1);
    const H = 500;
    const known = simulateCombinedArl(
      { k: 0.375, h: 1e6, lambda: 0.1, L },
      { horizon: H, replicates: 4000, seed: 3, maxLength: H + 1 },
    ).withinHorizon;
    const draw = (rng: ReturnType<typeof createRng>): number =>
      Math.exp(MU + SD * rng.nextNormal() + (rng.next() < 0.2 ? -0.6 * Math.log(1 - rng.next()) : 0));
    const rates = (selfStarting: boolean): { corrected: number; uncorrected: number } => {
      let corrected = 0;
      let uncorrected = 0;
      const reps = 400;
      for (let r = 0; r < reps; r++) {
        const rng = createRng(5000 + r);
        const det = new ModelDriftDetector('m', { h: 1e6, L, blockSize: 1, correlationInflation: 1, selfStarting, targetArl0: 2000 });
        det.setBaseline(Array.from({ length: 30 }, () => draw(rng)));
        let e = 0;
        let t = 0;
        let a = false;
        let b = false;
        for (let i = 0; i < H && !(a && b); i++) {
          const res = det.detect(draw(rng), day(i));
          if (res.alarm) a = true;
          if (res.subgroupScore !== null && !b) {
            t++;
            e = 0.9 * e + 0.1 * res.subgroupScore;
            if (Math.abs(e) > L * Math.sqrt((0.1 / 1.9) * (1 - 0.81 ** t))) b = true;
          }
        }
        if (a) corrected++;
        if (b) uncorrected++;
      }
      return { corrected: corrected / reps, uncorrected: uncorrected / reps };
    };
    // Self-starting (default): measured 0.30 against 0.23 known, 0.42 uncorrected.
    const grow = rates(true);
    expect(grow.corrected).toBeLessThan(grow.uncorrected - 0.06);
    expect(Math.abs(grow.corrected - known)).toBeLessThan(0.12);
    // A fixed 30-unit reference: the shared error is the same at every t, so matching the marginal variance is
    // conservative for "any alarm" (measured 0.05; uncorrected 0.34).
    const fixed = rates(false);
    expect(fixed.corrected).toBeLessThan(known);
    expect(fixed.uncorrected).toBeGreaterThan(known + 0.05);
  });

  it("ARL calculator: a reference error of one sd cuts a known-parameter EWMA's ARL0 tenfold; the widened limit does not", () => {
    // L = 3.7491 is ARL0 = 10,000 for λ = 0.1. A reference of n = 20 subgroups: c = 1/21, the mean's error has sd √c.
    const L = 3.7491;
    const c = 1 / 21;
    expect(ewmaArl(0.1, L)).toBeCloseTo(10_000, -1);
    const shifted = ewmaArl(0.1, L, { shift: Math.sqrt(c) });
    expect(shifted).toBeGreaterThan(900);
    expect(shifted).toBeLessThan(1100); // 981
    // The asymptotic limit of the detector, L·√((1 − c) + c·(2 − λ)/λ) = 1.363·L, at the same error: ≈ 99,760.
    const widened = ewmaArl(0.1, L * Math.sqrt(1 - c + (c * 1.9) / 0.1), { shift: Math.sqrt(c) });
    expect(widened).toBeGreaterThan(10_000);
  });

  it('catches a 1σ shift within 50 samples ≥ 88% of the time (baseline 30, onset 100 samples later)', () => {
    let caught = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) {
      const rng = createRng(77_000 + r);
      const det = new ModelDriftDetector('m');
      det.setBaseline(Array.from({ length: 30 }, () => Math.exp(MU + SD * rng.nextNormal())));
      for (let i = 0; i < 150; i++) {
        const res = det.detect(Math.exp(MU + SD * (rng.nextNormal() + (i >= 100 ? 1 : 0))), day(i));
        if (res.alarm) {
          if (i >= 100 && res.direction === 'up') caught++;
          break;
        }
      }
    }
    // Measured 0.895 with rank scores (0.90+ with the normal t score, which is exact here: ln sigma is normal).
    expect(caught / reps).toBeGreaterThanOrEqual(0.88);
  });
});
