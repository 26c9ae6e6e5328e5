/**
 * The training tiers (docs/what-it-learns.md, "Training tiers"): `own` from `minSamples` clean samples, `plant-backed`
 * from `minPlantBackedSamples` up to `minSamples`, untrained below; on the in-memory store, a real SQLite file and a
 * real PostgreSQL database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrimTrack } from '../../src/core/types.js';
import { parseComponents } from '../../src/manager/components-state.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { driftMonitoringOf } from '../../src/manager/train/train-model.js';
import { writePlant } from '../../src/synthetic/index.js';
import type { HostDataWriter, MLRepository } from '../../src/storage/repository.js';
import { ALL_KINDS, type RepoKind, type RepoUnderTest } from './repos.js';
import { singleTrackRun } from './single-track-run.js';

const PLANT = { seed: 11, tracks: 5000, models: 20 } as const;
const FAST = { trees: 20 } as const;

/** A single-track model of `units` units, one a day; sigma spread so that some fail the trim linearity test. */
async function addSmallModel(repo: HostDataWriter, model: string, units: number, opts: { noOutcome?: boolean } = {}): Promise<void> {
  let x = 12345 + units;
  const next = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const runs = Array.from({ length: units }, (_, i) => {
    const sigma = 0.0004 * Math.exp(0.35 * (next() + next() + next() - 1.5));
    return singleTrackRun({
      model,
      serial: `${model}-${i}`,
      fileDate: new Date(Date.UTC(2024, 0, 1 + i)),
      sigma,
      fail: opts.noOutcome ? null : sigma > 0.00048,
      errorPass: 0.004,
      errorFail: 0.012,
      failPoints: 3,
      optimalOffset: 0,
      trimmedResistance: 1040,
    });
  });
  await repo.insertTrimRuns(runs);
}

async function tracksOf(repo: MLRepository, model: string): Promise<TrimTrack[]> {
  const out: TrimTrack[] = [];
  for await (const b of repo.readTracksForApply(model)) out.push(...b);
  return out;
}

describe('driftMonitoringOf', () => {
  it('counts the units a baseline still needs: minDriftBaseline in the baseline and one to monitor', () => {
    // 20 units, baseline of 30: 30 + 1 - 20 = 11 more.
    expect(driftMonitoringOf(20, 0, false, 30, null)).toEqual({
      monitoring: false,
      units: 20,
      unitsNeeded: 11,
      reason: 'Drift not monitored yet: 20 units; a baseline needs 30 and monitoring one more (11 more).',
    });
    // 30 units: a baseline of 30 leaves none to monitor, so 1 more.
    expect(driftMonitoringOf(30, 0, false, 30, null).unitsNeeded).toBe(1);
    expect(driftMonitoringOf(31, 30, true, 30, null)).toEqual({ monitoring: true, units: 31, unitsNeeded: null, reason: null });
    // Long enough, but the detector refused the baseline: no count of units, the detector's reason.
    const refused = driftMonitoringOf(40, 30, false, 30, 'no usable spread.');
    expect(refused.monitoring).toBe(false);
    expect(refused.unitsNeeded).toBeNull();
    expect(refused.reason).toBe('Drift not monitored: no usable spread.');
  });
});

for (const makeKind of ALL_KINDS) {
  const kind: RepoKind = makeKind();
  describe(`training tiers (${kind.name})`, () => {
    let rut: RepoUnderTest;
    beforeAll(async () => {
      rut = await kind.fresh();
      await writePlant(rut.repo, PLANT);
      await addSmallModel(rut.repo, 'SMALL-40', 40);
      await addSmallModel(rut.repo, 'SMALL-20', 20);
      await addSmallModel(rut.repo, 'TINY-6', 6);
      await addSmallModel(rut.repo, 'NO-OUTCOME-15', 15, { noOutcome: true });
    });
    afterAll(async () => {
      await rut?.close();
      await kind.teardown();
    });

    it('minPlantBackedSamples = minSamples keeps one tier; the default trains small models plant-backed and serves them as before', async () => {
      const small = ['SMALL-40', 'SMALL-20'];
      // One tier (the design's): the small models are untrained and served by the pooled forest and the plant-wide
      // threshold.
      const one = new MLManager(rut.repo, { ...FAST, minPlantBackedSamples: 50 });
      const r1 = await one.trainAllModels({ concurrency: 1 });
      expect(r1.plantBacked).toBe(0);
      for (const m of small) expect(r1.results.find((x) => x.model === m)?.status).toBe('skipped');
      const s1 = await one.getTrainingStatus();
      expect(s1.rows.find((r) => r.model === 'SMALL-40')).toMatchObject({ status: 'need_more_data', samplesNeeded: 10 });
      expect(s1.rows.find((r) => r.model === 'SMALL-40')?.tier).toBeNull();
      const a1 = await one.applyToDatabase({ concurrency: 1 });
      const served1 = new Map<string, { threshold: number | undefined; p: (number | undefined)[] }>();
      for (const m of small) {
        served1.set(m, {
          threshold: await one.getThreshold(m),
          p: await Promise.all((await tracksOf(rut.repo, m)).map((t) => one.getFailureProbability(m, t))),
        });
      }

      // Two tiers (default minPlantBackedSamples 10).
      const two = new MLManager(await rut.reopen(), FAST);
      expect(two.options.minPlantBackedSamples).toBe(10);
      const r2 = await two.trainAllModels({ concurrency: 2 });
      expect(r2.failed).toBe(0);
      expect(r2.trained).toBe(r1.trained + 2);
      expect(r2.plantBacked).toBe(2);
      for (const m of small) {
        const res = r2.results.find((x) => x.model === m)!;
        expect(res.status).toBe('trained');
        expect(res.tier).toBe('plant-backed');
        expect(res.predictorKind).toBe('pooled');
      }
      // Own-tier models are untouched by the new tier.
      for (const x of r1.results.filter((x) => x.status === 'trained')) {
        const y = r2.results.find((r) => r.model === x.model)!;
        expect(y.tier).toBe('own');
        expect(y.sigmaThreshold).toBe(x.sigmaThreshold);
        expect(y.predictorKind).toBe(x.predictorKind);
      }
      // Too small for either tier, and a model with no unit with an outcome: untrained, as before.
      expect(r2.results.find((x) => x.model === 'TINY-6')?.status).toBe('skipped');
      expect(r2.results.find((x) => x.model === 'NO-OUTCOME-15')?.status).toBe('skipped');
      expect(r2.results.find((x) => x.model === 'NO-OUTCOME-15')?.message).toContain('none usable for training');
      expect(r2.results.find((x) => x.model === 'NO-OUTCOME-15')?.samples).toBe(15);

      const s2 = await two.getTrainingStatus();
      const row = (m: string) => s2.rows.find((r) => r.model === m)!;
      expect(s2.plantBacked).toBe(2);
      expect(s2.trained).toBe(s1.trained + 2);
      expect(row('TINY-6')).toMatchObject({ status: 'need_more_data', samplesNeeded: 4 });
      expect(row('TINY-6').tier).toBeNull();
      // 40 single-track units: a baseline of 30 and 10 monitored.
      expect(row('SMALL-40')).toMatchObject({
        status: 'trained',
        tier: 'plant-backed',
        predictorKind: 'pooled',
        driftMonitored: true,
        driftUnitsNeeded: null,
      });
      // 20 units: no baseline yet; 30 + 1 - 20 = 11 more.
      expect(row('SMALL-20')).toMatchObject({ status: 'trained', tier: 'plant-backed', driftMonitored: false, driftUnitsNeeded: 11 });
      expect(s2.rows.filter((r) => r.tier === 'own').length).toBe(s1.trained);

      const state20 = (await rut.repo.loadModelState('SMALL-20'))!;
      expect(state20.isTrained).toBe(true);
      expect(state20.driftBaselineMean).toBeNull();
      expect(state20.sigmaP50).not.toBeNull();
      const c20 = parseComponents(state20.componentsJson, 'SMALL-20');
      expect(c20.training.tier).toBe('plant-backed');
      expect(c20.training.drift?.unitsNeeded).toBe(11);
      expect(c20.training.message).toContain('Drift not monitored yet');
      expect(await rut.repo.loadArtifact('SMALL-20', 'predictor', state20.stateVersion)).toBeNull();
      const insights20 = (await two.getModelInsights('SMALL-20'))!.insights.map((i) => i.kind);
      expect(insights20).toContain('plant_backed');
      expect(insights20).toContain('drift_not_monitored');
      expect((await two.getModelInsights('SMALL-40'))!.insights.map((i) => i.kind)).not.toContain('drift_not_monitored');
      const state40 = (await rut.repo.loadModelState('SMALL-40'))!;
      expect(parseComponents(state40.componentsJson, 'SMALL-40').driftBaselineEnd?.samples).toBe(30);

      // Apply serves the plant-backed models exactly as before (same threshold, same probabilities), now with drift.
      const a2 = await two.applyToDatabase({ concurrency: 1 });
      for (const m of small) {
        const before = served1.get(m)!;
        expect(await two.getThreshold(m)).toBe(before.threshold);
        const p = await Promise.all((await tracksOf(rut.repo, m)).map((t) => two.getFailureProbability(m, t)));
        expect(p).toEqual(before.p);
        const m1 = a1.models.find((x) => x.model === m)!;
        const m2 = a2.models.find((x) => x.model === m)!;
        expect(m2.learnedThresholdTracks).toBe(m1.learnedThresholdTracks);
        expect(m2.probabilityTracks).toBe(m1.probabilityTracks);
      }
      // The small models have a learned threshold at all (the plant-wide one blended with their outcomes).
      expect(served1.get('SMALL-20')?.threshold).toBeGreaterThan(0);

      // A retrain keeps the plant-backed model's drift baseline (frozen limits), as for the own tier.
      const r3 = await new MLManager(rut.repo, FAST).trainAllModels({ concurrency: 1 });
      expect(r3.plantBacked).toBe(2);
      const again40 = (await rut.repo.loadModelState('SMALL-40'))!;
      expect(parseComponents(again40.componentsJson, 'SMALL-40').driftBaselineEnd).toEqual(
        parseComponents(state40.componentsJson, 'SMALL-40').driftBaselineEnd,
      );
    });

    it('reads a trained state saved before tiers as the own tier', async () => {
      const ml = new MLManager(rut.repo, FAST);
      const own = (await ml.getTrainingStatus()).rows.find((r) => r.tier === 'own')!;
      const state = (await rut.repo.loadModelState(own.model))!;
      const c = parseComponents(state.componentsJson, own.model);
      const { tier: _t, drift: _d, minPlantBackedSamples: _m, ...oldTraining } = c.training;
      await rut.repo.saveModel({ ...state, componentsJson: JSON.stringify({ ...c, training: oldTraining }) }, []);
      const row = (await new MLManager(await rut.reopen(), FAST).getTrainingStatus()).rows.find((r) => r.model === own.model)!;
      expect(row.tier).toBe('own');
      expect(row.driftUnitsNeeded).toBeNull();
      expect(row.status).toBe(own.status);
    });
  });
}
