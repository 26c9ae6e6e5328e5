import { describe, expect, it } from 'vitest';
import type { HostDataWriter, HostFinalTestInput, HostTrimRunInput } from '../../src/storage/repository.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import { generatePlant, writePlant, type WritePlantProgress } from '../../src/synthetic/index.js';

/** A HostDataWriter that collects what it is given; ids start at 1001 like a sequence. */
class Collector implements HostDataWriter {
  readonly runs: HostTrimRunInput[] = [];
  readonly tests: HostFinalTestInput[] = [];
  readonly runCalls: number[] = [];
  readonly testCalls: number[] = [];
  async insertTrimRuns(runs: readonly HostTrimRunInput[]): Promise<number[]> {
    this.runCalls.push(runs.length);
    const first = 1001 + this.runs.length;
    this.runs.push(...runs);
    return runs.map((_, i) => first + i);
  }
  async insertFinalTests(tests: readonly HostFinalTestInput[]): Promise<void> {
    this.testCalls.push(tests.length);
    this.tests.push(...tests);
  }
}

describe('writePlant', () => {
  it('writes runs, then FT records carrying the returned ids, in batches', async () => {
    const w = new Collector();
    const progress: WritePlantProgress[] = [];
    const res = await writePlant(w, { seed: 4, models: 50, tracks: 10_000 }, { batchSize: 500, onProgress: (p) => progress.push(p) });
    expect(res.runsWritten).toBe(res.summary.runs);
    expect(res.tracksWritten).toBe(res.summary.tracks);
    expect(w.runs).toHaveLength(res.summary.runs);
    const ft = res.summary.finalTests;
    expect(w.tests).toHaveLength(ft.trimId + ft.serial + ft.orphan);
    expect(Math.max(...w.runCalls, ...w.testCalls)).toBeLessThanOrEqual(500);
    const withId = w.tests.filter((t) => t.linkedTrimId !== null);
    expect(withId).toHaveLength(ft.trimId);
    for (const t of withId) {
      const run = w.runs[(t.linkedTrimId as number) - 1001]!;
      expect(run.model).toBe(t.model);
      expect(run.serial).toBe(t.serial);
      expect(run.fileDate.getTime()).toBeLessThan(t.testDate.getTime());
    }
    const last = progress[progress.length - 1]!;
    expect(last).toEqual({
      runsWritten: res.runsWritten,
      tracksWritten: res.tracksWritten,
      finalTestsWritten: w.tests.length,
      modelsDone: 50,
      modelsTotal: 50,
    });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.runsWritten).toBeGreaterThanOrEqual(progress[i - 1]!.runsWritten);
  });

  it('writes an in-memory plant identically, and reports ids with their runs', async () => {
    const opts = { seed: 4, models: 50, tracks: 10_000 };
    const a = new Collector();
    const b = new Collector();
    await writePlant(a, opts, { batchSize: 700 });
    const seen: number[] = [];
    await writePlant(b, generatePlant(opts), { batchSize: 300, onRunsWritten: (runs, ids) => seen.push(...ids.slice(0, runs.length)) });
    expect(b.runs).toEqual(a.runs);
    expect(b.tests).toEqual(a.tests);
    expect(seen).toEqual(a.runs.map((_, i) => 1001 + i));
  });

  it('through the memory repository, every non-orphan FT links (by id or by normalised serial)', async () => {
    const repo = createMemoryRepository({ finalTestLinking: 'serial' });
    const res = await writePlant(repo, { seed: 9, models: 40, tracks: 8000 }, { batchSize: 1000 });
    const models = await repo.listModels();
    expect(models.reduce((n, m) => n + m.trimTracks, 0)).toBe(res.summary.tracks);
    const plant = generatePlant({ seed: 9, models: 40, tracks: 8000 });
    const linkedTracks = plant.finalTests.filter((f) => f.link !== 'orphan').reduce((n, f) => n + f.input.tracks.length, 0);
    expect(models.reduce((n, m) => n + m.finalTestLinked, 0)).toBe(linkedTracks);
  });

  it('rejects a bad batch size and a writer that loses ids', async () => {
    await expect(writePlant(new Collector(), { seed: 1, models: 20, tracks: 500 }, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    const lossy: HostDataWriter = { insertTrimRuns: async () => [1], insertFinalTests: async () => undefined };
    await expect(writePlant(lossy, { seed: 1, models: 20, tracks: 500 })).rejects.toThrow(/one id per run/);
  });
});
