import { describe, expect, it } from 'vitest';
import { BatchWriteError, BatchWriter } from '../../src/manager/runtime/batch-writer.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import type { HostTrimRunInput, TrackResultWrite } from '../../src/storage/repository.js';

function run(model: string, i: number): HostTrimRunInput {
  return {
    model,
    serial: `S${i}`,
    fileDate: new Date(Date.UTC(2024, 0, 1 + i)),
    system: 'B',
    tracks: [
      {
        trackId: 'default',
        status: 'PASS',
        sigmaGradient: 3e-4,
        linearitySpec: 0.01,
        linearityError: 0.005,
        linearityFailPoints: 0,
        linearityPass: true,
        optimalOffset: 0,
        travelLength: 240,
        unitLength: 240,
        untrimmedResistance: 1000,
        trimmedResistance: 1050,
      },
    ],
  };
}

const w = (trackResultId: number): TrackResultWrite => ({
  trackResultId,
  sigmaThreshold: 1e-4,
  sigmaPass: true,
  failureProbability: 0.1,
  riskCategory: 'low',
  mlModelVersion: 'v',
});

describe('BatchWriter', () => {
  it('writes batches of batchSize across models and the rest on flush', async () => {
    const repo = createMemoryRepository();
    await repo.insertTrimRuns([...[0, 1, 2].map((i) => run('A', i)), ...[3, 4, 5, 6].map((i) => run('B', i))]);
    const ids: number[] = [];
    for (const m of await repo.listModels())
      for await (const b of repo.readTracksForApply(m.model)) ids.push(...b.map((t) => t.trackResultId));
    const sizes: number[] = [];
    const writer = new BatchWriter(repo, 4, (n) => sizes.push(n));
    await writer.add('A', ids.slice(0, 3).map(w));
    expect(sizes).toEqual([]);
    await writer.add('B', ids.slice(3).map(w));
    expect(sizes).toEqual([4]);
    await writer.flush();
    expect(sizes).toEqual([4, 3]);
    for (const id of ids) expect(repo.trackResults(id)?.mlModelVersion).toBe('v');
  });

  it('names every model with rows in a failed batch, and writes nothing of it', async () => {
    const repo = createMemoryRepository();
    await repo.insertTrimRuns([run('A', 0), run('B', 1)]);
    const ids: number[] = [];
    for (const m of await repo.listModels())
      for await (const b of repo.readTracksForApply(m.model)) ids.push(...b.map((t) => t.trackResultId));
    const writer = new BatchWriter(repo, 3, () => undefined);
    await writer.add('A', [w(ids[0]!)]);
    const err = await writer.add('B', [w(ids[1]!), w(999_999)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchWriteError);
    expect((err as BatchWriteError).models).toEqual(['A', 'B']);
    expect(repo.trackResults(ids[0]!)).toBeUndefined();
  });
});
