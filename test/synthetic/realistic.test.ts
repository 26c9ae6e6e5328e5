import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  generatePlant,
  generatePlantBatches,
  inControlSd,
  planPlant,
  type SyntheticModelSpec,
  type SyntheticPlant,
  type SyntheticRun,
} from '../../src/synthetic/index.js';
import { intraclassCorrelation, mean, quantile, sd, skewness } from './helpers.js';

const DAY = 86_400_000;
let plant: SyntheticPlant;
let specs: Map<string, SyntheticModelSpec>;
const runsBy = new Map<string, SyntheticRun[]>();

/** Clean first trims (no garbage, no duplicate copy, no re-trim) of normal models, per model in time order. */
function cleanRuns(model: string): SyntheticRun[] {
  return (runsBy.get(model) ?? []).filter((r) => r.truth.garbage === null && !r.truth.duplicate && !r.truth.retrim);
}

beforeAll(() => {
  plant = generatePlant({ seed: 31, scenario: 'realistic', models: 150, tracks: 40_000 });
  specs = new Map(plant.models.map((m) => [m.name, m]));
  for (const r of plant.runs) {
    const list = runsBy.get(r.truth.model) ?? [];
    list.push(r);
    runsBy.set(r.truth.model, list);
  }
});

const stableLarge = (minUnits: number) => plant.models.filter((m) => m.role === 'normal' && m.drift === null && m.units >= minUnits);

describe('test helpers (hand-computed)', () => {
  it('skewness of [1, 2, 3, 10] is 45 / 12.5^1.5 = 1.018233', () => {
    // mean 4; deviations −3, −2, −1, 6; m2 = 50/4 = 12.5; m3 = 180/4 = 45.
    expect(skewness([1, 2, 3, 10])).toBeCloseTo(45 / 12.5 ** 1.5, 12);
    expect(skewness([1, 2, 3, 10])).toBeCloseTo(1.018233, 5);
  });
  it('ICC(1) of groups {1, 2}, {5, 6} is (16 − 0.5) / (16 + 0.5)', () => {
    // SSB = 2·2² + 2·2² = 16 (k − 1 = 1), SSW = 4·0.25 = 1 (N − k = 2) → MSW 0.5; n0 = (4 − 8/4)/1 = 2.
    expect(intraclassCorrelation([1, 2, 5, 6], ['a', 'a', 'b', 'b'])).toBeCloseTo(15.5 / 16.5, 12);
  });
  it('inControlSd without glitches is √(w² + b²); glitches add 2qθ² − q²θ² + 2qθw/√π', () => {
    expect(inControlSd(0.15, 0.075, 0, 0)).toBeCloseTo(Math.sqrt(0.15 ** 2 + 0.075 ** 2), 14);
    const w = 0.15,
      b = 0.06,
      q = 0.1,
      t = 0.2;
    expect(inControlSd(w, b, q, t) ** 2).toBeCloseTo(
      w * w + b * b + 2 * q * t * t - q * q * t * t + (2 * q * t * w) / Math.sqrt(Math.PI),
      14,
    );
  });
});

describe('scenarios', () => {
  it('classic stays the default and bit-identical to the generator before scenarios existed', () => {
    const a = generatePlant({ seed: 1, tracks: 4000, models: 40 });
    const b = generatePlant({ seed: 1, tracks: 4000, models: 40, scenario: 'classic' });
    expect(b.runs).toEqual(a.runs);
    // sha256 of the seed-1 plant (models, runs, FT records, summary) produced by the generator at ee91338 (before
    // the realistic scenario was added): any change to the classic output changes it.
    const h = createHash('sha256')
      .update(JSON.stringify([a.models, a.runs, a.finalTests, a.summary]))
      .digest('hex');
    expect(h).toBe('7880fa0b9731977b61a52e74039d1e6a75313558d84218b8cf8aefe627cb881d');
  });
  it('realistic is deterministic, and the stream gives the in-memory plant whatever the chunk size', () => {
    const o = { seed: 4, scenario: 'realistic' as const, models: 40, tracks: 6000 };
    const a = generatePlant(o);
    const b = generatePlant(o);
    expect(b.runs).toEqual(a.runs);
    expect(b.summary).toEqual(a.summary);
    const streamed = [...generatePlantBatches(planPlant(o), { chunkSize: 41 })];
    expect(streamed.flatMap((x) => x.runs)).toEqual(a.runs);
    expect(a.runs[0]?.input).not.toEqual(generatePlant({ seed: 4, models: 40, tracks: 6000 }).runs[0]?.input);
  });
  it('rejects an unknown scenario and a bad range with a typed error', () => {
    expect(() => planPlant({ seed: 1, scenario: 'plant' as never })).toThrow(InvalidInputError);
    expect(() => planPlant({ seed: 1, scenario: 'realistic', realistic: { linkRateRange: [0.8, 0.1] } })).toThrow(/linkRateRange/);
    expect(() => planPlant({ seed: 1, scenario: 'realistic', realistic: { smallModelFraction: 1.5 } })).toThrow(/smallModelFraction/);
  });
  it('lands near the requested size with the plant-wide trim pass rate and sigma median', () => {
    expect(Math.abs(plant.summary.tracks / 40_000 - 1)).toBeLessThan(0.05);
    const tracks = plant.runs
      .filter((r) => r.truth.garbage === null && !r.truth.duplicate && specs.get(r.truth.model)?.role === 'normal')
      .flatMap((r) => r.truth.tracks);
    const pass = tracks.filter((t) => t.trimPass).length / tracks.length;
    expect(pass).toBeGreaterThan(0.58);
    expect(pass).toBeLessThan(0.7);
    const med = quantile(
      tracks.map((t) => t.sigma),
      0.5,
    );
    expect(med).toBeGreaterThan(2.5e-4);
    expect(med).toBeLessThan(5e-4);
  });
});

describe('in-control sigma is not lognormal', () => {
  it('skewness of ln sigma across stable models: median ≈ 0.5, a tail beyond 1.2, and it varies by model', () => {
    const sk = stableLarge(100).map((m) => skewness(cleanRuns(m.name).map((r) => Math.log(r.truth.tracks[0]!.sigma))));
    expect(sk.length).toBeGreaterThanOrEqual(25);
    expect(quantile(sk, 0.5)).toBeGreaterThan(0.25);
    expect(quantile(sk, 0.5)).toBeLessThan(0.9);
    expect(Math.max(...sk)).toBeGreaterThan(1.2);
    expect(Math.max(...sk)).toBeLessThan(4.5);
    expect(quantile(sk, 0.9) - quantile(sk, 0.1)).toBeGreaterThan(0.5);
  });
  it('glitches are more frequent on rough units and inflate sigma; their rate follows the model parameter', () => {
    let glitchRough = 0,
      nRough = 0,
      glitchSmooth = 0,
      nSmooth = 0;
    for (const m of stableLarge(100)) {
      for (const r of cleanRuns(m.name)) {
        const t = r.truth.tracks[0]!;
        const g = (t.glitchLog10 ?? 0) > 0;
        // The glitch-free deviation: rough (above the model's location + lot) or smooth.
        const rough = Math.log10(t.sigma) - (t.glitchLog10 ?? 0) - r.truth.lot!.sigmaShiftLog10 > m.realistic!.locationLog10;
        if (rough) {
          nRough++;
          if (g) glitchRough++;
        } else {
          nSmooth++;
          if (g) glitchSmooth++;
        }
      }
    }
    // P(glitch | z > 0) = q·E[2Φ(z) | z > 0] = 1.5q versus 0.5q below: three times as frequent.
    expect(glitchRough / nRough).toBeGreaterThan(2 * (glitchSmooth / nSmooth));
    const all = stableLarge(100).flatMap((m) =>
      cleanRuns(m.name).map((r) => ({ q: m.realistic!.glitchRate, g: (r.truth.tracks[0]!.glitchLog10 ?? 0) > 0 })),
    );
    const expected = mean(all.map((x) => x.q));
    const observed = all.filter((x) => x.g).length / all.length;
    expect(Math.abs(observed - expected)).toBeLessThan(5 * Math.sqrt((expected * (1 - expected)) / all.length));
  });
  it('the model spread is the sd of in-control log10 sigma, lots and glitches included', () => {
    const ratios = stableLarge(300).map((m) => sd(cleanRuns(m.name).map((r) => Math.log10(r.truth.tracks[0]!.sigma))) / m.log10SigmaSpread);
    expect(ratios.length).toBeGreaterThanOrEqual(8);
    expect(quantile(ratios, 0.5)).toBeGreaterThan(0.85);
    expect(quantile(ratios, 0.5)).toBeLessThan(1.15);
  });
});

describe('production lots', () => {
  it('every run has a lot; lots are consecutive in time and last days to weeks', () => {
    const lengths: number[] = [];
    for (const m of plant.models) {
      const runs = cleanRuns(m.name);
      const seen = new Set<string>();
      let prev: string | null = null;
      let start = 0;
      for (const r of runs) {
        const lot = r.truth.lot;
        expect(lot).toBeDefined();
        if (lot!.id !== prev) {
          expect(seen.has(lot!.id)).toBe(false); // a lot never comes back
          seen.add(lot!.id);
          prev = lot!.id;
          start = r.input.fileDate.getTime();
        }
        lengths.push((r.input.fileDate.getTime() - start) / DAY);
      }
    }
    expect(Math.max(...lengths)).toBeLessThanOrEqual(28 + 1e-9);
    expect(plant.summary.lots).toBeGreaterThan(1000);
  });
  it('consecutive units are correlated: ICC of ln sigma by lot > 0 in stable models', () => {
    const iccs = stableLarge(150)
      .map((m) => cleanRuns(m.name))
      .filter((runs) => new Set(runs.map((r) => r.truth.lot!.id)).size >= 8)
      .map((runs) =>
        intraclassCorrelation(
          runs.map((r) => Math.log(r.truth.tracks[0]!.sigma)),
          runs.map((r) => r.truth.lot!.id),
        ),
      );
    expect(iccs.length).toBeGreaterThanOrEqual(10);
    // With the default between-lot sd of 0.2–0.5 within-lot sds, the expected ICC is ~0.03–0.2.
    expect(quantile(iccs, 0.5)).toBeGreaterThan(0.03);
    expect(iccs.filter((x) => x > 0).length / iccs.length).toBeGreaterThan(0.7);
  });
  it('the Final Test failure rate moves from lot to lot (pooled ICC of the FT outcome, model means removed, > 0)', () => {
    const v: number[] = [];
    const g: string[] = [];
    for (const m of plant.models.filter((x) => x.role === 'normal' && x.units >= 100)) {
      const runs = cleanRuns(m.name);
      const fails = runs.map((r) => (r.truth.tracks[0]!.ftPass ? 0 : 1));
      const mu = mean(fails);
      runs.forEach((r, i) => {
        v.push((fails[i] as number) - mu);
        g.push(r.truth.lot!.id);
      });
    }
    expect(intraclassCorrelation(v, g)).toBeGreaterThan(0.01);
  });
});

describe('models, outcomes and links', () => {
  it('~30 % of the models have 5–50 units', () => {
    const share = plant.models.filter((m) => m.units >= 5 && m.units <= 50).length / plant.models.length;
    expect(share).toBeGreaterThanOrEqual(0.27);
    expect(share).toBeLessThanOrEqual(0.36);
  });
  it('link rates 10–80 % by model, the newest units never linked, FT never after the plant end', () => {
    const rates = plant.models.map((m) => m.realistic!.linkRate);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...rates)).toBeLessThanOrEqual(0.8);
    expect(quantile(rates, 0.9) - quantile(rates, 0.1)).toBeGreaterThan(0.35);
    const end = new Date(Date.UTC(2023, 0, 1)).getTime() + 730 * DAY;
    for (const f of plant.finalTests) expect(f.input.testDate.getTime()).toBeLessThanOrEqual(end);
    for (const m of plant.models) {
      const cut = Math.floor(m.units * 0.95);
      for (const r of runsBy.get(m.name) ?? []) if (r.truth.unitIndex >= cut) expect(r.truth.ftLink).toBe('none');
    }
    // Large models: the realised link rate (units before the cut, FT due before the end) is the model's rate.
    for (const m of plant.models.filter((x) => x.role === 'normal' && x.units >= 400 && x.lastDate.getTime() < end - 40 * DAY)) {
      const units = (runsBy.get(m.name) ?? []).filter(
        (r) => !r.truth.duplicate && !r.truth.superseded && r.truth.unitIndex < Math.floor(m.units * 0.95),
      );
      const p = m.realistic!.linkRate;
      const got = units.filter((r) => r.truth.ftLink !== 'none').length / units.length;
      expect(Math.abs(got - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / units.length) + 1e-9);
    }
  });
  it('every unit has a true FT outcome, linked or not; the model itself carries FT risk the trim data does not show', () => {
    expect(plant.runs.every((r) => r.truth.tracks.every((t) => typeof t.ftPass === 'boolean'))).toBe(true);
    expect(plant.runs.filter((r) => r.truth.ftLink === 'none').length).toBeGreaterThan(plant.runs.length / 2);
    // Across large models, the FT failure rate minus what the trim measurements explain (the mean of
    // logistic(η − model effect − lot effect), η = logit of the true probability) rises with the model's own FT
    // difficulty (Spearman rank correlation).
    const logit = (p: number) => Math.log(p / (1 - p));
    const logistic = (x: number) => 1 / (1 + Math.exp(-x));
    const big = plant.models.filter((m) => m.role === 'normal' && m.units >= 150);
    const rate = big.map((m) => {
      const runs = cleanRuns(m.name);
      const observed = mean(runs.map((r) => (r.truth.tracks[0]!.ftPass ? 0 : 1)));
      const trimOnly = mean(
        runs.map((r) => logistic(logit(r.truth.tracks[0]!.ftFailProbability) - m.assemblyDifficulty - r.truth.lot!.finalTestLogOddsShift)),
      );
      return observed - trimOnly;
    });
    const rank = (xs: number[]) => xs.map((x) => xs.filter((y) => y < x).length);
    const a = rank(big.map((m) => m.assemblyDifficulty));
    const b = rank(rate);
    const ma = mean(a),
      mb = mean(b);
    const cov = a.reduce((s, x, i) => s + (x - ma) * ((b[i] as number) - mb), 0);
    const rho = cov / Math.sqrt(a.reduce((s, x) => s + (x - ma) ** 2, 0) * b.reduce((s, x) => s + (x - mb) ** 2, 0));
    expect(big.length).toBeGreaterThanOrEqual(15);
    expect(rho).toBeGreaterThan(0.5);
  });
});

describe('drift truth', () => {
  it('steps and ramps, up and down, sizes 0.3–2.5 σ, onsets in 30–80 % of the history; only drifting models drift', () => {
    const d = plant.summary.drifts;
    expect(d.length).toBeGreaterThanOrEqual(8);
    expect(new Set(d.map((x) => x.shape))).toEqual(new Set(['step', 'ramp']));
    expect(new Set(d.map((x) => x.direction))).toEqual(new Set(['up', 'down']));
    for (const x of d) {
      expect(x.sizeSigma).toBeGreaterThanOrEqual(0.3);
      expect(x.sizeSigma).toBeLessThanOrEqual(2.5);
      const f = x.unitsBefore / (x.unitsBefore + x.unitsAfter);
      expect(f).toBeGreaterThanOrEqual(0.3 - 1 / (x.unitsBefore + x.unitsAfter));
      expect(f).toBeLessThanOrEqual(0.8);
      expect(x.shiftLog10).toBeCloseTo((x.direction === 'up' ? 1 : -1) * x.sizeSigma * x.log10SigmaSpread, 12);
      if (x.shape === 'ramp') expect(x.rampUnits).toBeGreaterThanOrEqual(5);
    }
    const drifting = new Set(d.map((x) => x.model));
    expect(
      plant.models
        .filter((m) => m.drift !== null)
        .map((m) => m.name)
        .sort(),
    ).toEqual([...drifting].sort());
    expect(plant.runs.filter((r) => r.truth.drifted && !drifting.has(r.truth.model))).toHaveLength(0);
  });
  it('each run’s drift truth follows its shape, and the stored sigma moves by it', () => {
    for (const x of plant.summary.drifts) {
      const spec = specs.get(x.model)!;
      const sign = x.direction === 'up' ? 1 : -1;
      const before: number[] = [];
      const full: number[] = [];
      for (const r of cleanRuns(x.model)) {
        const i = r.truth.unitIndex;
        const expected =
          i < x.onsetIndex ? 0 : sign * x.sizeSigma * (x.shape === 'ramp' ? Math.min(1, (i - x.onsetIndex + 1) / x.rampUnits!) : 1);
        expect(r.truth.driftSigma).toBeCloseTo(expected, 12);
        expect(r.truth.drifted).toBe(i >= x.onsetIndex);
        expect(r.input.fileDate.getTime() >= x.onsetDate.getTime()).toBe(i >= x.onsetIndex);
        const v = Math.log10(r.truth.tracks[0]!.sigma);
        if (i < x.onsetIndex) before.push(v);
        else if (Math.abs(expected) === x.sizeSigma) full.push(v);
      }
      if (before.length < 30 || full.length < 30) continue;
      // Lots make units correlated: the standard error counts lots, not units (upper bound: one lot per ~5 units).
      const m = spec.realistic!;
      const se = Math.sqrt(
        (m.withinLotSd ** 2 + m.glitchScale ** 2) * (1 / before.length + 1 / full.length) +
          m.betweenLotSd ** 2 * (5 / before.length + 5 / full.length) * 4,
      );
      expect(Math.abs(mean(full) - mean(before) - x.shiftLog10)).toBeLessThan(5 * se);
    }
  });
});
