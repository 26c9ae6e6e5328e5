import { beforeAll, describe, expect, it } from 'vitest';
import type { TrimTrack } from '../../src/core/types.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { trackSource } from '../../src/manager/apply/track-source.js';
import { writePlant } from '../../src/synthetic/index.js';
import { createMemoryRepository, type MemoryRepository } from '../../src/storage/memory/memory-repository.js';
import type { MLRepository, ModelReadRequest, ModelTracksBatch } from '../../src/storage/repository.js';

/** The memory repository with a bulk apply read (model by model underneath) that fails on its `failAt`-th batch. */
function withBulkRead(repo: MemoryRepository, failAt = Number.POSITIVE_INFINITY): MLRepository & { batchesRead: number } {
  const out = {
    ...repo,
    batchesRead: 0,
    async *readManyTracksForApply(models: readonly ModelReadRequest[], options?: { batchSize?: number }): AsyncIterable<ModelTracksBatch> {
      for (const { model } of models) {
        const batches: TrimTrack[][] = [];
        for await (const b of repo.readTracksForApply(model, options)) batches.push(b);
        if (batches.length === 0) batches.push([]);
        for (const [i, tracks] of batches.entries()) {
          if (++out.batchesRead === failAt) throw new Error('the bulk read broke');
          yield { model, tracks, last: i === batches.length - 1 };
        }
      }
    },
  };
  return out;
}

async function drain(it: AsyncIterator<TrimTrack[]>): Promise<TrimTrack[]> {
  const out: TrimTrack[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) out.push(...r.value);
  return out;
}

describe('apply track source', () => {
  let memory: MemoryRepository;
  let models: ModelReadRequest[];
  const perModel = async (model: string) => {
    const out: TrimTrack[] = [];
    for await (const b of memory.readTracksForApply(model, { batchSize: 50 })) out.push(...b);
    return out;
  };
  beforeAll(async () => {
    memory = createMemoryRepository();
    await writePlant(memory, { seed: 5, tracks: 1500, models: 12 });
    models = (await memory.listModels()).map((m) => ({ model: m.model, trimTracks: m.trimTracks }));
  });

  it('shares one bulk stream in model order; a model never opened (its plan failed) is skipped', async () => {
    const repo = withBulkRead(memory);
    const source = trackSource(repo, models, 50);
    for (const [i, { model }] of models.entries()) {
      if (i === 1) continue;
      const opened = source.open(model);
      expect(opened.eager).toBe(false);
      expect(await drain(opened.reader)).toEqual(await perModel(model));
    }
    await source.close();
  });

  it('a failing stream fails the model reading it; later models are read on their own', async () => {
    const repo = withBulkRead(memory, 4);
    const source = trackSource(repo, models, 50);
    const results: (TrimTrack[] | Error)[] = [];
    for (const { model } of models) results.push(await drain(source.open(model).reader).catch((e: Error) => e));
    const failed = results.findIndex((r) => r instanceof Error);
    expect(failed).toBeGreaterThanOrEqual(0);
    expect((results[failed] as Error).message).toBe('the bulk read broke');
    for (const [i, { model }] of models.entries()) if (i > failed) expect(results[i]).toEqual(await perModel(model));
    await source.close();
  });

  it('without a bulk read every model is read on its own, eagerly', async () => {
    const source = trackSource(memory, models, 50);
    const opened = source.open(models[0]!.model);
    expect(opened.eager).toBe(true);
    expect(await drain(opened.reader)).toEqual(await perModel(models[0]!.model));
  });

  it('applyToDatabase through the bulk read gives the per-model result; a broken stream fails one model only', async () => {
    const ml = new MLManager(memory, { trees: 10 });
    await ml.trainAllModels({ concurrency: 1 });
    const plain = await ml.applyToDatabase({ concurrency: 1 });
    const bulk = await new MLManager(withBulkRead(memory), { trees: 10 }).applyToDatabase({ concurrency: 1 });
    // The same results (a drift alert is new only the first time: reruns add none).
    const same = (r: typeof plain) => r.models.map(({ newDriftAlerts: _, ...rest }) => rest);
    expect(same(bulk)).toEqual(same(plain));
    expect(bulk.newDriftAlerts).toBe(0);
    const broken = await new MLManager(withBulkRead(memory, 3), { trees: 10 }).applyToDatabase({ concurrency: 1 });
    expect(broken.failedModels).toBe(1);
    expect(broken.models.find((m) => m.error !== undefined)?.error?.message).toBe('the bulk read broke');
    expect(broken.models).toHaveLength(plain.models.length);
  });
});
