import { describe, expect, it } from 'vitest';
import { InvalidInputError, StorageError } from '../../src/core/errors.js';
import { DriftStateWriter } from '../../src/manager/runtime/drift-writer.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import type { MLRepository } from '../../src/storage/repository.js';
import { fullState } from '../storage/contract.js';

const drift = (cusumNeg: number) => ({
  cusumPos: 0,
  cusumNeg,
  ewmaValue: -7.9,
  isDrifting: false,
  driftDirection: null,
  componentsJson: '{}',
});

describe('DriftStateWriter', () => {
  it('writes a batch in one call; a batch that fails is written model by model, so only the model at fault fails', async () => {
    const memory = createMemoryRepository();
    for (const m of ['a', 'c', 'd']) await memory.saveModel(fullState(m, 'v1'), []);
    const calls: string[] = [];
    const repo: MLRepository = {
      ...memory,
      updateDriftStates: async (updates) => {
        calls.push(`batch of ${updates.length}`);
        return memory.updateDriftStates!(updates);
      },
      updateDriftState: async (model, d) => {
        calls.push(`one ${model}`);
        return memory.updateDriftState(model, d);
      },
    };
    const writer = new DriftStateWriter(repo, 2);
    const a = writer.add('a', drift(1));
    const c = writer.add('c', drift(3)); // the batch is full: written now
    await Promise.all([a, c]);
    expect(calls).toEqual(['batch of 2']);
    const b = writer.add('never trained', drift(2));
    const d = writer.add('d', drift(4));
    await expect(b).rejects.toBeInstanceOf(StorageError);
    await d;
    expect(calls).toEqual(['batch of 2', 'batch of 2', 'one never trained', 'one d']);
    expect((await memory.loadModelState('d'))?.cusumNeg).toBe(4);
    // An invalid update fails at once, alone; nothing is queued for it.
    await expect(writer.add('a', { ...drift(5), cusumPos: Number.NaN })).rejects.toBeInstanceOf(InvalidInputError);
    const e = writer.add('a', drift(6));
    writer.flush();
    await e;
    expect((await memory.loadModelState('a'))?.cusumNeg).toBe(6);
    // What is still queued when a run is aborted resolves without a write.
    const dropped = writer.add('c', drift(7));
    writer.discard();
    await dropped;
    expect((await memory.loadModelState('c'))?.cusumNeg).toBe(3);
  });
});
