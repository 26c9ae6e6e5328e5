import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import type { HostTrimRunInput } from '../../src/storage/repository.js';
import { singleTrackRun } from './single-track-run.js';

/** One model whose ln(sigma) steps up by 1.5 σ at unit 250. */
function runs(from: number, to: number): HostTrimRunInput[] {
  const rng = createRng(99);
  const out: HostTrimRunInput[] = [];
  for (let i = 0; i < to; i++) {
    const z = rng.nextNormal();
    if (i < from) continue;
    const sigma = Math.exp(Math.log(3e-4) + 0.3 * (z + (i >= 250 ? 1.5 : 0)));
    out.push(
      singleTrackRun({
        model: 'DRIFT-1',
        serial: `U${i}`,
        fileDate: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000 * 6),
        sigma,
        fail: z > 1,
        errorPass: 0.006,
        errorFail: 0.012,
        failPoints: 4,
        optimalOffset: 0.001,
        trimmedResistance: 1050,
      }),
    );
  }
  return out;
}

describe('drift across retrains', () => {
  it('keeps the baseline, so a retrain with more data reports the same episode once', async () => {
    const repo = createMemoryRepository();
    await repo.insertTrimRuns(runs(0, 600));
    const ml = new MLManager(repo, { trees: 20 });
    await ml.trainAllModels({ concurrency: 1 });
    const first = await ml.applyToDatabase({ concurrency: 1 });
    expect(first.newDriftAlerts).toBe(1);
    const [alert] = await ml.getDriftAlerts();
    expect(alert?.direction).toBe('up');
    // Onset at or after the step (unit 250 is 62.5 days in), detected soon after.
    expect(alert!.onsetDate.getTime()).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1) + 240 * 6 * 3_600_000);

    await repo.insertTrimRuns(runs(600, 1000));
    await ml.trainAllModels({ concurrency: 1 });
    const second = await ml.applyToDatabase({ concurrency: 1 });
    expect(second.newDriftAlerts).toBe(0);
    expect(await ml.getDriftAlerts()).toHaveLength(1);

    // Asked to, a retrain re-establishes the baseline from the first 30% of the (longer) history.
    await ml.trainAllModels({ concurrency: 1, rebaselineDrift: true });
    const state = await repo.loadModelState('DRIFT-1');
    expect(JSON.parse(state!.componentsJson).driftBaselineEnd.samples).toBe(300);
  });

  it('refuses a drift state of an older version at apply with a typed error that says to retrain; a retrain mends it', async () => {
    const repo = createMemoryRepository();
    await repo.insertTrimRuns(runs(0, 600));
    const ml = new MLManager(repo, { trees: 20 });
    await ml.trainAllModels({ concurrency: 1 });
    // A state written by the previous release: its drift detector state is version 1.
    const state = (await repo.loadModelState('DRIFT-1'))!;
    const c = JSON.parse(state.componentsJson) as Record<string, unknown>;
    c['driftBaseline'] = { ...(c['driftBaseline'] as object), version: 1 };
    await repo.saveModel({ ...state, componentsJson: JSON.stringify(c) }, []);
    const stale = await ml.applyToDatabase({ concurrency: 1 });
    const r = stale.models.find((m) => m.model === 'DRIFT-1');
    expect(r?.error).toMatchObject({ code: 'STATE_VERSION' });
    expect(r?.error?.message).toMatch(/retrain the model/);
    await ml.trainAllModels({ concurrency: 1 }); // the same baseline units, a state of the current version
    const mended = await ml.applyToDatabase({ concurrency: 1 });
    expect(mended.models.find((m) => m.model === 'DRIFT-1')?.error).toBeUndefined();
    expect(mended.newDriftAlerts).toBe(1);
  });
});
