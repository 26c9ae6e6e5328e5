import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeSerial } from '../../src/storage/linking/serial.js';
import { SPEC_VALUES, generatePlant, type SyntheticModelSpec, type SyntheticPlant } from '../../src/synthetic/index.js';
import { mean, quantile, rocAuc } from './helpers.js';

const DAY = 86_400_000;
let plant: SyntheticPlant;
let specs: Map<string, SyntheticModelSpec>;

/** Clean tracks of normal models: no garbage, not a duplicate copy. */
function* cleanTracks(p: SyntheticPlant) {
  for (const run of p.runs) {
    if (run.truth.garbage !== null || run.truth.duplicate) continue;
    const spec = specs.get(run.truth.model) as SyntheticModelSpec;
    if (spec.role !== 'normal') continue;
    for (const [k, track] of run.input.tracks.entries()) yield { run, track, truth: run.truth.tracks[k]!, spec };
  }
}

beforeAll(() => {
  plant = generatePlant({ seed: 11 });
  specs = new Map(plant.models.map((m) => [m.name, m]));
});

describe('determinism', () => {
  it('the same seed gives the same plant; another seed another one', () => {
    const a = generatePlant({ seed: 5, models: 40, tracks: 5000 });
    const b = generatePlant({ seed: 5, models: 40, tracks: 5000 });
    const c = generatePlant({ seed: 6, models: 40, tracks: 5000 });
    expect(b.runs).toEqual(a.runs);
    expect(b.finalTests).toEqual(a.finalTests);
    expect(b.summary).toEqual(a.summary);
    expect(c.runs[0]?.input).not.toEqual(a.runs[0]?.input);
  });
});

describe('plant shape (shared/domain.md)', () => {
  it('has the requested size, skewed model sizes, unique awkward names', () => {
    expect(plant.models).toHaveLength(300);
    expect(Math.abs(plant.summary.tracks / 80_000 - 1)).toBeLessThan(0.02);
    const sizes = plant.models.map((m) => m.units * m.tracksPerRun).sort((x, y) => y - x);
    expect(sizes[0]).toBeGreaterThan(2000); // runners with thousands of tracks
    expect(quantile(sizes, 0.1)).toBeLessThanOrEqual(20); // a long tail
    expect(new Set(plant.models.map((m) => m.name)).size).toBe(300);
    expect(plant.models.some((m) => /[/ "']/.test(m.name))).toBe(true);
  });
  it('~7 % dual-track models (TRK1/TRK2, system A), the rest one `default` track (system B)', () => {
    const dual = plant.models.filter((m) => m.tracksPerRun === 2).length / plant.models.length;
    expect(dual).toBeGreaterThanOrEqual(0.06);
    expect(dual).toBeLessThanOrEqual(0.08);
    for (const r of plant.runs.slice(0, 5000)) {
      const ids = r.input.tracks.map((t) => t.trackId).join(',');
      expect(r.input.system === 'A' ? ids === 'TRK1,TRK2' : ids === 'default').toBe(true);
    }
  });
  it('one spec per model from the spec list, 0.01 the most common', () => {
    const counts = new Map<number, number>();
    for (const m of plant.models) counts.set(m.linearitySpec, (counts.get(m.linearitySpec) ?? 0) + 1);
    expect([...counts.keys()].every((s) => (SPEC_VALUES as readonly number[]).includes(s))).toBe(true);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    expect(top?.[0]).toBe(0.01);
    let other = 0;
    for (const { track, spec } of cleanTracks(plant)) if (track.linearitySpec !== spec.linearitySpec) other++;
    expect(other).toBe(0);
  });
  it('sigma: median ≈ 3.5e-4, p5 ≈ 4.5e-5, p95 ≈ 7e-3; linear parts 10–100× higher', () => {
    const sig = [...cleanTracks(plant)].filter((x) => x.spec.role === 'normal').map((x) => x.track.sigmaGradient as number);
    expect(quantile(sig, 0.5)).toBeGreaterThan(2.5e-4);
    expect(quantile(sig, 0.5)).toBeLessThan(5e-4);
    expect(quantile(sig, 0.05)).toBeGreaterThan(2.5e-5);
    expect(quantile(sig, 0.05)).toBeLessThan(8e-5);
    expect(quantile(sig, 0.95)).toBeGreaterThan(2.5e-3);
    expect(quantile(sig, 0.95)).toBeLessThan(2e-2);
    const lin = plant.models.filter((m) => m.kind === 'linear');
    const rot = plant.models.filter((m) => m.kind === 'rotary');
    const gap = mean(lin.map((m) => m.log10SigmaMedian)) - mean(rot.map((m) => m.log10SigmaMedian));
    expect(gap).toBeGreaterThan(1); // decades
    expect(gap).toBeLessThan(2);
    expect(lin.every((m) => m.travelLength > 0 && m.travelLength < 4)).toBe(true);
    expect(rot.every((m) => m.travelLength >= 100 && m.travelLength <= 360)).toBe(true);
  });
  it('within-model log10 sigma spread ≈ 0.15–0.2 decades (sample sd, ddof = 1, of a runner)', () => {
    const runner = plant.models.filter((m) => m.role === 'normal' && m.drift === null).sort((a, b) => b.units - a.units)[0]!;
    const logs = [...cleanTracks(plant)].filter((x) => x.spec === runner).map((x) => Math.log10(x.track.sigmaGradient as number));
    const mu = mean(logs);
    const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mu) ** 2, 0) / (logs.length - 1));
    expect(sd).toBeGreaterThan(0.14);
    expect(sd).toBeLessThan(0.21);
    expect(Math.abs(mu - runner.log10SigmaMedian)).toBeLessThan(0.02);
  });
  it('trim: pass rate 60–67 %, passes within spec, fails 1–60× spec, fail points as in the plant', () => {
    let pass = 0;
    let n = 0;
    const fp: number[] = [];
    const perModel = new Map<string, [number, number]>();
    let badPass = 0;
    let badFail = 0;
    for (const { track, run } of cleanTracks(plant)) {
      n++;
      const ratio = (track.linearityError as number) / (track.linearitySpec as number);
      const pm = perModel.get(run.truth.model) ?? [0, 0];
      pm[1]++;
      if (track.linearityPass) {
        pass++;
        pm[0]++;
        if (track.linearityFailPoints !== 0 || ratio < 0.2 - 1e-9 || ratio > 1) badPass++;
      } else {
        if (!((track.linearityFailPoints as number) >= 1) || ratio <= 1 || ratio > 60 + 1e-9) badFail++;
        fp.push(track.linearityFailPoints as number);
      }
      perModel.set(run.truth.model, pm);
    }
    expect(badPass).toBe(0);
    expect(badFail).toBe(0);
    expect(pass / n).toBeGreaterThan(0.6);
    expect(pass / n).toBeLessThan(0.67);
    expect(quantile(fp, 0.5)).toBeGreaterThanOrEqual(5);
    expect(quantile(fp, 0.5)).toBeLessThanOrEqual(7);
    const low = fp.filter((x) => x <= 3).length / fp.length;
    const high = fp.filter((x) => x > 50).length / fp.length;
    expect(low).toBeGreaterThan(0.37);
    expect(low).toBeLessThan(0.45);
    expect(high).toBeGreaterThan(0.15);
    expect(high).toBeLessThan(0.21);
    const rates = [...perModel.values()].filter(([, t]) => t >= 20).map(([p, t]) => p / t);
    expect(Math.min(...rates)).toBeLessThan(0.1);
    expect(Math.max(...rates)).toBeGreaterThan(0.95);
  });
  it('resistances 1 k–100 k (±4 %), trimmed above untrimmed by 2–15 %; signed offsets', () => {
    let neg = 0;
    let n = 0;
    let bad = 0;
    for (const { track } of cleanTracks(plant)) {
      const ru = track.untrimmedResistance as number;
      const rt = track.trimmedResistance as number;
      const change = (rt - ru) / ru;
      if (!(ru > 800 && ru < 125_000 && change > 0.0199 && change < 0.1501)) bad++;
      if ((track.optimalOffset as number) < 0) neg++;
      n++;
    }
    expect(bad).toBe(0);
    expect(neg / n).toBeGreaterThan(0.3);
    expect(neg / n).toBeLessThan(0.7);
  });
  it('dates increase within a model and span about two years', () => {
    const prev = new Map<string, number>();
    let min = Infinity;
    let max = -Infinity;
    let backwards = 0;
    for (const r of plant.runs) {
      const t = r.input.fileDate.getTime();
      if (t < (prev.get(r.input.model) ?? -Infinity)) backwards++;
      prev.set(r.input.model, t);
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    expect(backwards).toBe(0);
    expect((max - min) / DAY).toBeGreaterThan(600);
    expect((max - min) / DAY).toBeLessThanOrEqual(730);
  });
});

describe('Final Test', () => {
  it('~34 % of units get an FT record, 3–30 days after their last trim, linked by id or by serial', () => {
    const units = plant.summary.units;
    const written = plant.finalTests.filter((f) => f.link !== 'orphan');
    expect(written.length / units).toBeGreaterThan(0.32);
    expect(written.length / units).toBeLessThan(0.36);
    let bad = 0;
    for (const f of written) {
      const run = plant.runs[f.runIndex as number]!;
      const days = (f.input.testDate.getTime() - run.input.fileDate.getTime()) / DAY;
      const ok =
        !run.truth.superseded &&
        f.input.model === run.input.model &&
        normalizeSerial(f.input.serial) === normalizeSerial(run.input.serial) &&
        days >= 3 &&
        days <= 30 &&
        f.input.tracks.map((t) => t.trackId).join() === run.input.tracks.map((t) => t.trackId).join() &&
        f.input.tracks.every((t, k) => t.linearityPass === run.truth.tracks[k]?.ftPass);
      if (!ok) bad++;
    }
    expect(bad).toBe(0);
    const serialOnly = written.filter((f) => f.link === 'serial').length / written.length;
    expect(serialOnly).toBeGreaterThan(0.1);
    expect(serialOnly).toBeLessThan(0.2);
    expect(plant.finalTests.some((f) => f.link === 'serial' && f.input.serial !== plant.runs[f.runIndex as number]!.input.serial)).toBe(
      true,
    );
    const orphans = plant.finalTests.filter((f) => f.link === 'orphan');
    expect(orphans.length).toBe(plant.summary.finalTests.orphan);
    const serials = new Set(plant.runs.map((r) => `${r.input.model}\u0000${normalizeSerial(r.input.serial)}`));
    for (const f of orphans) expect(serials.has(`${f.input.model}\u0000${normalizeSerial(f.input.serial)}`)).toBe(false);
  });
  it('plant-wide FT pass ≈ 58 %; AUC of the true probability 0.93–0.96, of error/spec alone 0.90–0.925', () => {
    const p: number[] = [];
    const ratio: number[] = [];
    const y: (0 | 1)[] = [];
    for (const { run, track, truth } of cleanTracks(plant)) {
      if (run.truth.superseded) continue;
      p.push(truth.ftFailProbability);
      ratio.push((track.linearityError as number) / (track.linearitySpec as number));
      y.push(truth.ftPass ? 0 : 1);
    }
    const ftPass = 1 - mean(y);
    const aucTrue = rocAuc(p, y);
    const aucRatio = rocAuc(ratio, y);
    console.log(
      `seed 11: n=${y.length} FT pass=${ftPass.toFixed(3)} AUC(true p)=${aucTrue.toFixed(4)} AUC(error/spec)=${aucRatio.toFixed(4)}`,
    );
    expect(ftPass).toBeGreaterThan(0.54);
    expect(ftPass).toBeLessThan(0.62);
    expect(aucTrue).toBeGreaterThan(0.93);
    expect(aucTrue).toBeLessThan(0.96);
    expect(aucRatio).toBeGreaterThan(0.9);
    expect(aucRatio).toBeLessThan(0.925);
    expect(aucTrue - aucRatio).toBeGreaterThan(0.015);
  });
});
