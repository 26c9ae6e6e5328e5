import { describe, expect, it } from 'vitest';
import { BusyError } from '../../src/core/errors.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { writePlant } from '../../src/synthetic/index.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import type { MLRepository } from '../../src/storage/repository.js';

/** A memory repository whose locks can be lost on demand (as a lease-based lock is when another process takes it). */
function losableLocks(repo: MLRepository): { repo: MLRepository; lose(): void } {
  let controller = new AbortController();
  return {
    repo: {
      ...repo,
      acquireLock: async (name, owner) => {
        const handle = await repo.acquireLock(name, owner);
        const lost = controller.signal;
        return {
          lost,
          release: async () => {
            await handle.release();
            if (lost.aborted) throw lost.reason;
          },
        };
      },
    },
    lose: () => {
      controller.abort(new BusyError('The train lock was lost (test).', 'someone else'));
      controller = new AbortController();
    },
  };
}

describe('a lock lost while held', () => {
  it('stops training and apply at their next step with the BusyError; nothing reports success', async () => {
    const memory = createMemoryRepository();
    await writePlant(memory, { seed: 3, tracks: 3000, models: 12 });
    const { repo, lose } = losableLocks(memory);
    const ml = new MLManager(repo, { trees: 10 });

    let saved = 0;
    const err = await ml
      .trainAllModels({ concurrency: 1, onProgress: (e) => void (e.phase === 'saving' && ++saved === 2 && lose()) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusyError);
    expect((err as Error).message).toContain('lost');
    // It stopped early: not every model was trained and saved.
    const trainedStates = (await memory.listModelStates()).filter((s) => s.isTrained).length;
    expect(trainedStates).toBeGreaterThan(0);
    expect(trainedStates).toBeLessThan((await memory.listModels()).length);

    // A clean retrain, then an apply that loses its lock after the first batch.
    expect((await ml.trainAllModels({ concurrency: 1 })).failed).toBe(0);
    let batches = 0;
    const applyErr = await ml
      .applyToDatabase({
        batchSize: 200,
        concurrency: 1,
        onProgress: (e) => void (e.phase === 'applying' && (e.recordsDone ?? 0) > 0 && ++batches === 1 && lose()),
      })
      .catch((e: unknown) => e);
    expect(applyErr).toBeInstanceOf(BusyError);
    // With the locks intact the same apply completes.
    expect((await ml.applyToDatabase({ concurrency: 1 })).failedModels).toBe(0);
  });

  it('lost while the last model is read: nothing more is written, not its tracks nor any drift state', async () => {
    const memory = createMemoryRepository();
    await writePlant(memory, { seed: 4, tracks: 3000, models: 12 });
    const { repo, lose } = losableLocks(memory);
    const ml = new MLManager(repo, { trees: 10 });
    expect((await ml.trainAllModels({ concurrency: 1 })).failed).toBe(0);
    const models = (await memory.listModels()).map((m) => m.model);
    const last = models[models.length - 1]!;
    let lost = false;
    let writesAfter = 0;
    const watched: MLRepository = {
      ...repo,
      // The lock goes when the last model's second batch is read.
      readTracksForApply: (model, options) => {
        const inner = repo.readTracksForApply(model, options);
        if (model !== last) return inner;
        return (async function* () {
          let n = 0;
          for await (const b of inner) {
            if (++n === 2) {
              lose();
              lost = true;
            }
            yield b;
          }
        })();
      },
      writeTrackResults: async (batch) => {
        if (lost) writesAfter++;
        return repo.writeTrackResults(batch);
      },
      updateDriftState: async (model, drift) => {
        if (lost) writesAfter++;
        return repo.updateDriftState(model, drift);
      },
    };
    const before = (await memory.listModelStates()).map((s) => [s.model, s.updatedDate.getTime()]);
    const err = await new MLManager(watched, { trees: 10 }).applyToDatabase({ batchSize: 20, concurrency: 1 }).catch((e: unknown) => e);
    expect(lost).toBe(true);
    expect(err).toBeInstanceOf(BusyError);
    expect(writesAfter).toBe(0);
    // No drift state was written at all: the run stopped before its drift rows (queued to the end) were flushed.
    expect((await memory.listModelStates()).map((s) => [s.model, s.updatedDate.getTime()])).toEqual(before);
  });
});
