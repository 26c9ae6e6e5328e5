/**
 * Seeded simulations on plant-like series (issue 11): ln sigma with a glitch tail, production lots in time, steps
 * and ramps up and down. Modest sizes (a few seconds); the rates asserted are far from the measured ones' noise
 * (±0.04–0.07 at these counts) so that the tests guard the method, not one seed.
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/core/rng.js';
import { ModelDriftDetector, simulateCombinedArl, type ModelDriftDetectorOptions } from '../../src/drift/index.js';

const DAY = 86_400_000;
const MU = Math.log(3.5e-4);
const SW = 0.35;

/** Within-lot ln sigma with a glitch tail: N(0, SW²) plus, with probability 0.2, an Exponential of mean 2·SW. */
function glitchy(rng: Rng): number {
  return SW * rng.nextNormal() + (rng.next() < 0.2 ? -2 * SW * Math.log(1 - rng.next()) : 0);
}

interface Series {
  values: number[];
  dates: Date[];
  sd: number;
}

/**
 * n units at `perDay` a day (uniform times), lots lasting a log-uniform 2–28 days with offsets N(0, (ratio·SW)²),
 * the glitch tail, then a shift of `size` σ (σ = the sd of the in-control values) from unit `onset`: a step, or a
 * ramp reaching the size after `rampUnits`.
 */
function series(rng: Rng, n: number, perDay: number, ratio: number, shift?: { onset: number; size: number; rampUnits?: number }): Series {
  const dates = Array.from({ length: n }, () => rng.next() * (n / perDay) * DAY)
    .sort((a, b) => a - b)
    .map((t) => new Date(t));
  const lotDays = (): number => Math.exp(Math.log(2) + rng.next() * Math.log(14)) * DAY;
  let b = ratio * SW * rng.nextNormal();
  let end = lotDays();
  const y = dates.map((d) => {
    while (d.getTime() > end) {
      b = ratio * SW * rng.nextNormal();
      end += lotDays();
    }
    return MU + b + glitchy(rng);
  });
  const m = y.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(y.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
  if (shift) {
    for (let i = shift.onset; i < n; i++) {
      const frac = shift.rampUnits ? Math.min(1, (i - shift.onset + 1) / shift.rampUnits) : 1;
      y[i]! += shift.size * sd * frac;
    }
  }
  return { values: y.map(Math.exp), dates, sd };
}

/** Baseline = first `base` units; returns the episodes over the rest. */
function run(s: Series, base: number, opts: ModelDriftDetectorOptions = {}, unitsPerYear?: number) {
  const det = new ModelDriftDetector('m', opts);
  if (!det.setBaseline(s.values.slice(0, base), s.dates.slice(0, base), unitsPerYear ? { unitsPerYear } : {}))
    throw new Error(det.baselineFailureReason ?? '');
  return { det, ...det.detectSeries(s.values.slice(base), s.dates.slice(base)) };
}

describe('skewed ln sigma (glitch tail, skewness ≈ 1.5), no lots', () => {
  it('depends on the values only through their ranks: a monotone tail added to ln sigma changes no alarm', () => {
    let identical = 0;
    let alarms = 0;
    for (let r = 0; r < 40; r++) {
      const rng = createRng(700 + r);
      const y = Array.from({ length: 1300 }, () => SW * rng.nextNormal());
      const tailed = y.map((v) => (v > 0.3 ? v + 3 * (v - 0.3) : v)); // a long right tail, same order
      const dates = y.map((_, i) => new Date((i * DAY) / 3));
      const episodes = (ys: number[]): string =>
        run({ values: ys.map((v) => Math.exp(MU + v)), dates, sd: SW }, 300, { targetArl0: 2000, blockSize: 1 })
          .episodes.map((e) => `${e.direction}@${e.detectedDate.getTime()}`)
          .join();
      const a = episodes(y);
      if (a === episodes(tailed)) identical++;
      if (a !== '') alarms++;
    }
    expect(alarms).toBeGreaterThan(5); // the comparison covers alarms, not only silence
    expect(identical).toBeGreaterThanOrEqual(38); // (reference values are kept to 1e-6: a rare near-tie may move)
  });

  it('rank scores keep the known-parameter false-alarm rate; the normal t score raises it, upwards', () => {
    const opts = { targetArl0: 2000, correlationInflation: 1, blockSize: 1 };
    const known = simulateCombinedArl(new ModelDriftDetector('m', opts).params, { horizon: 1000, replicates: 3000, seed: 3 }).withinHorizon;
    let rank = 0;
    let normal = 0;
    let normalUp = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) {
      const s = series(createRng(500 + r), 1300, 3, 0);
      if (run(s, 300, opts).episodes.length > 0) rank++;
      const eps = run(s, 300, { ...opts, score: 'normal' }).episodes;
      if (eps.length > 0) normal++;
      if (eps[0]?.direction === 'up') normalUp++;
    }
    // Measured 0.405 against 0.303 (200 models: ±0.035); the normal t score 0.985, 196 of 197 first alarms upward.
    expect(Math.abs(rank / reps - known)).toBeLessThan(0.12);
    expect(normal / reps).toBeGreaterThan(known + 0.15);
    expect(normalUp).toBeGreaterThan(0.8 * normal);
  });
});

describe('lots (between-lot sd 0.6 × within, lots of 2–28 days, 3 units a day) and a one-year horizon', () => {
  it('the lot allowance keeps stable models mostly quiet; charting units as independent does not', () => {
    let withAllowance = 0;
    let independent = 0;
    const reps = 100;
    for (let r = 0; r < reps; r++) {
      const s = series(createRng(900 + r), 1300, 3, 0.6);
      if (run(s, 300, {}, 1095).episodes.length > 0) withAllowance++;
      if (run(s, 300, { correlationInflation: 1, blockSize: 1 }, 1095).episodes.length > 0) independent++;
    }
    // Measured 0.04 and 0.98. Nominal: p = 0.002 a year over ~0.9 year; lots the baseline under-represents leak.
    expect(withAllowance / reps).toBeLessThan(0.1);
    expect(independent / reps).toBeGreaterThan(withAllowance / reps + 0.3);
  });

  it('catches 1.5σ steps and ramps, up and down, with 400 units after the onset', () => {
    // Measured: step up 0.775, step down 0.70, ramp up 0.775, ramp down 0.80 (40 models each).
    const cases = [
      { name: 'step up', size: 1.5 },
      { name: 'step down', size: -1.5 },
      { name: 'ramp up', size: 1.5, rampUnits: 200 },
      { name: 'ramp down', size: -1.5, rampUnits: 200 },
    ];
    const reps = 40;
    for (const [ci, c] of cases.entries()) {
      let caught = 0;
      for (let r = 0; r < reps; r++) {
        const s = series(createRng(2000 + 100 * ci + r), 1000, 3, 0.6, { onset: 600, size: c.size, rampUnits: c.rampUnits });
        const onset = s.dates[600]!.getTime();
        const { episodes } = run(s, 300, {}, 1095);
        if (episodes.some((e) => e.detectedDate.getTime() >= onset && e.direction === (c.size > 0 ? 'up' : 'down'))) caught++;
      }
      expect(caught / reps, c.name).toBeGreaterThanOrEqual(0.6);
    }
  });

  it('reports the direction and a size near the true shift for a clear step', () => {
    const s = series(createRng(77), 1000, 3, 0.3, { onset: 500, size: -2 });
    const { episodes, det } = run(s, 300, {}, 1095);
    const e = episodes.find((x) => x.detectedDate.getTime() >= s.dates[500]!.getTime());
    expect(e?.direction).toBe('down');
    expect(e!.sizeSigma).toBeLessThan(-1);
    expect(e!.sizeSigma).toBeGreaterThan(-3.5);
    expect(det.params.blockSize).toBe(21); // 1,095 units a year × 7 days
    expect(det.params.correlationInflation).toBeGreaterThanOrEqual(1);
  });
});
