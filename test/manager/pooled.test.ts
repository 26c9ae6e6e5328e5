import { describe, expect, it } from 'vitest';
import { cleanTrainingRecords } from '../../src/core/dataset.js';
import type { TrainingRecord } from '../../src/core/types.js';
import { PooledRows, trainPooledModel } from '../../src/manager/pooled/pooled.js';
import { medianLogSigma } from '../../src/manager/pooled/pooled-features.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import { writePlant } from '../../src/synthetic/index.js';

async function rowsOf(seed: number): Promise<{ rows: PooledRows; models: string[] }> {
  const repo = createMemoryRepository();
  await writePlant(repo, { seed, tracks: 6000, models: 20 });
  const rows = new PooledRows();
  const models: string[] = [];
  for (const m of await repo.listModels()) {
    const recs: TrainingRecord[] = [];
    for await (const b of repo.readTrainingRecords(m.model)) recs.push(...b);
    const clean = cleanTrainingRecords(recs).records;
    const med = medianLogSigma(clean.map((r) => r.sigmaGradient));
    if (med === null) continue;
    rows.add(m.model, { medianLogSigma: med, samples: clean.length }, clean);
    models.push(m.model);
  }
  return { rows, models };
}

describe('pooled forest', () => {
  it('trains on a seeded sample above maxRows and still gives every unit an out-of-sample probability', async () => {
    const { rows, models } = await rowsOf(3);
    expect(rows.rows).toBeGreaterThan(1000);
    const pm = trainPooledModel(rows, { seed: 1, trees: 20, version: 'v', maxRows: 500 })!;
    expect(pm.summary.samples).toBe(rows.rows);
    expect(pm.summary.trainedOn).toBe(500);
    let total = 0;
    for (const m of models) {
      const oob = pm.oobFor(m);
      if (!oob) continue;
      total += oob.probabilities.length;
      for (const p of oob.probabilities) expect(p >= 0 && p <= 1).toBe(true);
    }
    expect(total).toBe(rows.rows);
    // Same seed, same sample and forest.
    const again = trainPooledModel(rows, { seed: 1, trees: 20, version: 'v', maxRows: 500 })!;
    expect(again.summary.auc).toBe(pm.summary.auc);
  });

  it('trains on every row below maxRows', async () => {
    const { rows } = await rowsOf(4);
    const pm = trainPooledModel(rows, { seed: 1, trees: 20, version: 'v' })!;
    expect(pm.summary.trainedOn).toBe(rows.rows);
    expect(pm.summary.auc).toBeGreaterThan(0.85);
  });
});
