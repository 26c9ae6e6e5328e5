import { describe, expect, it } from 'vitest';
import { generatePlant, generatePlantBatches, planPlant } from '../../src/synthetic/index.js';

describe('generatePlantBatches', () => {
  it('streams 200,000 tracks in bounded, single-model batches and returns the summary', () => {
    const it = generatePlantBatches({ seed: 3, tracks: 200_000 }, { chunkSize: 2000 });
    let tracks = 0;
    let runs = 0;
    let maxBatch = 0;
    let lastModels = 0;
    for (;;) {
      const step = it.next();
      if (step.done === true) {
        expect(step.value.tracks).toBe(tracks);
        expect(step.value.runs).toBe(runs);
        expect(lastModels).toBe(300);
        expect(Math.abs(tracks / 200_000 - 1)).toBeLessThan(0.02);
        break;
      }
      const b = step.value;
      maxBatch = Math.max(maxBatch, b.runs.length);
      expect(b.runs.every((r) => r.input.model === b.model.name)).toBe(true);
      expect(b.finalTests.every((f) => f.runIndex === null || (f.runIndex >= 0 && f.runIndex < b.runs.length))).toBe(true);
      if (b.lastOfModel) lastModels++;
      runs += b.runs.length;
      for (const r of b.runs) tracks += r.input.tracks.length;
    }
    // A unit's runs (first trim, re-trim, duplicate copy) stay together: at most 2 over the chunk size.
    expect(maxBatch).toBeLessThanOrEqual(2002);
    expect(maxBatch).toBeGreaterThan(1000);
  });

  it('gives the same data as the in-memory plant, whatever the chunk size', () => {
    const plant = generatePlant({ seed: 8, models: 30, tracks: 6000 });
    const streamed = [...generatePlantBatches(planPlant({ seed: 8, models: 30, tracks: 6000 }), { chunkSize: 37 })];
    expect(streamed.flatMap((b) => b.runs)).toEqual(plant.runs);
    expect(streamed.reduce((n, b) => n + b.finalTests.length, 0)).toBe(plant.finalTests.length);
  });

  it('one model’s data does not depend on the other models (per-model seeds)', () => {
    const plan = planPlant({ seed: 8, models: 30, tracks: 6000 });
    const alone = [...generatePlantBatches({ options: plan.options, models: [plan.models[4]!] })].flatMap((b) => b.runs);
    const all = [...generatePlantBatches(plan)].flatMap((b) => b.runs).filter((r) => r.input.model === plan.models[4]!.name);
    expect(alone).toEqual(all);
  });

  it('rejects bad options with a message saying what to change', () => {
    expect(() => planPlant({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => planPlant({ seed: 1, linkRate: 2 })).toThrow(/linkRate must be a fraction/);
    expect(() => planPlant({ seed: 1, models: 5 })).toThrow(/specialModels: false/);
    expect(() => planPlant({ seed: 1, models: 100, tracks: 100 })).toThrow(/at least 5 per model/);
  });
});
