import { beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_SIGMA } from '../../src/core/features.js';
import {
  GARBAGE_KINDS,
  GARBAGE_WEIGHTS,
  generatePlant,
  type SyntheticGarbageKind,
  type SyntheticPlant,
  type SyntheticRun,
} from '../../src/synthetic/index.js';
import { mean } from './helpers.js';

let plant: SyntheticPlant;
beforeAll(() => {
  plant = generatePlant({ seed: 23, tracks: 60_000, models: 200 });
});

/** What a stored run looks like for each garbage kind (read back from the stored values only). */
function observedKind(r: SyntheticRun): SyntheticGarbageKind | null {
  const t = r.input.tracks[0]!;
  if (t.status === 'ERROR') return 'error_status';
  if (t.sigmaGradient === PLACEHOLDER_SIGMA) return 'placeholder_sigma';
  if (t.linearityPass === null) return 'null_pass';
  if (t.linearitySpec === 0) return 'zero_spec';
  if (t.travelLength === 0) return 'zero_travel';
  if (t.linearityError === null) return 'null_values';
  if ((t.untrimmedResistance as number) < 0) return 'negative_resistance';
  return null;
}

describe('garbage', () => {
  it('every injected defect is in the stored data, and nothing else looks like garbage', () => {
    const observed: Record<string, number> = {};
    let mismatches = 0;
    for (const r of plant.runs) {
      const k = observedKind(r);
      if (k !== r.truth.garbage) mismatches++;
      if (k !== null && !r.truth.duplicate) observed[k] = (observed[k] ?? 0) + 1;
    }
    expect(mismatches).toBe(0);
    for (const k of GARBAGE_KINDS) expect(observed[k] ?? 0).toBe(plant.summary.garbage[k]);
  });
  it('each kind lands near runs × garbageRate × its weight (within 5 binomial sd)', () => {
    // Only normal models get per-run garbage; a duplicate copies its original's defect and is not counted again.
    const normal = new Set(plant.models.filter((m) => m.role === 'normal').map((m) => m.name));
    const normalRuns = plant.runs.filter((r) => !r.truth.duplicate && normal.has(r.input.model)).length;
    GARBAGE_KINDS.forEach((k, i) => {
      const p = 0.02 * ((GARBAGE_WEIGHTS[i] as number) / 100);
      const expected = normalRuns * p;
      const sd = Math.sqrt(normalRuns * p * (1 - p));
      expect(Math.abs(plant.summary.garbage[k] - expected)).toBeLessThan(5 * sd + 1);
    });
  });
  it('has the special models: two with one sample, all-fail, all-pass, zero sigma', () => {
    const runsOf = (name: string) => plant.runs.filter((r) => r.input.model === name);
    const single = plant.models.filter((m) => m.role === 'single_sample');
    expect(single).toHaveLength(2);
    for (const m of single) expect(runsOf(m.name)).toHaveLength(1);
    const tracksOf = (role: string) => {
      const m = plant.models.find((x) => x.role === role)!;
      return runsOf(m.name).flatMap((r) => r.input.tracks);
    };
    const allFail = tracksOf('all_fail');
    const allPass = tracksOf('all_pass');
    const zero = tracksOf('zero_sigma');
    expect(allFail.length).toBeGreaterThanOrEqual(20);
    expect(allFail.every((t) => t.linearityPass === false)).toBe(true);
    expect(allPass.length).toBeGreaterThanOrEqual(20);
    expect(allPass.every((t) => t.linearityPass === true)).toBe(true);
    expect(zero.length).toBeGreaterThanOrEqual(20);
    expect(zero.every((t) => t.sigmaGradient === 0)).toBe(true);
  });
  it('duplicates are exact copies of the run before them; re-trims are a later run of the same serial', () => {
    let dups = 0;
    let retrims = 0;
    let bad = 0;
    plant.runs.forEach((r, i) => {
      const prev = plant.runs[i - 1];
      if (r.truth.duplicate) {
        dups++;
        if (JSON.stringify(prev?.input) !== JSON.stringify(r.input)) bad++;
      }
      if (r.truth.retrim && !r.truth.duplicate) {
        retrims++;
        const ok =
          prev !== undefined &&
          prev.truth.superseded &&
          prev.input.serial === r.input.serial &&
          prev.input.model === r.input.model &&
          prev.input.fileDate < r.input.fileDate;
        if (!ok) bad++;
      }
    });
    expect(bad).toBe(0);
    expect(dups).toBe(plant.summary.duplicates);
    expect(retrims).toBe(plant.summary.retrims);
    expect(dups).toBeGreaterThan(0);
    expect(retrims).toBeGreaterThan(0);
  });
});

describe('drift truth', () => {
  it('drifts only eligible models, onset after ≥ 40 % of their history, and only they have drifted runs', () => {
    const drifting = new Set(plant.summary.drifts.map((d) => d.model));
    expect(drifting.size).toBeGreaterThan(0);
    expect(
      plant.models
        .filter((m) => m.drift !== null)
        .map((m) => m.name)
        .sort(),
    ).toEqual([...drifting].sort());
    for (const d of plant.summary.drifts) {
      expect(d.unitsBefore / (d.unitsBefore + d.unitsAfter)).toBeGreaterThanOrEqual(0.4);
      expect(d.unitsBefore + d.unitsAfter).toBeGreaterThanOrEqual(120);
      expect([0.5, 1, 2]).toContain(d.sizeSigma);
      expect(d.shiftLog10).toBeCloseTo((d.direction === 'up' ? 1 : -1) * d.sizeSigma * d.log10SigmaSpread, 12);
    }
    expect(plant.runs.filter((r) => r.truth.drifted && !drifting.has(r.truth.model))).toHaveLength(0);
  });
  it('the mean stored log10 sigma after the onset date is shifted by ≈ size · σ (within 4 standard errors)', () => {
    for (const d of plant.summary.drifts) {
      const before: number[] = [];
      const after: number[] = [];
      for (const r of plant.runs) {
        if (r.input.model !== d.model || r.truth.garbage !== null || r.truth.duplicate) continue;
        for (const t of r.input.tracks) (r.input.fileDate < d.onsetDate ? before : after).push(Math.log10(t.sigmaGradient as number));
        expect(r.truth.drifted).toBe(r.input.fileDate >= d.onsetDate);
      }
      const observed = mean(after) - mean(before);
      // Within-model sd of log10 sigma is the spread; dual tracks are correlated, so count units, not tracks.
      const se = d.log10SigmaSpread * Math.sqrt(1 / d.unitsBefore + 1 / d.unitsAfter);
      expect(Math.abs(observed - d.shiftLog10)).toBeLessThan(4 * se);
    }
  });
});
