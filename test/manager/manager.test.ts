import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, BusyError } from '../../src/core/errors.js';
import { formulaThreshold } from '../../src/core/formula.js';
import type { TrimTrack } from '../../src/core/types.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import type { ProgressEvent } from '../../src/manager/types.js';
import { writePlant } from '../../src/synthetic/index.js';
import type { HostDataWriter, MLRepository } from '../../src/storage/repository.js';
import { ALL_KINDS, type RepoKind, type RepoUnderTest } from './repos.js';

const PLANT = { seed: 7, tracks: 6000, models: 30 } as const;
const FAST = { trees: 30 } as const;

async function allTracks(repo: MLRepository): Promise<TrimTrack[]> {
  const out: TrimTrack[] = [];
  for (const m of await repo.listModels()) for await (const b of repo.readTracksForApply(m.model)) out.push(...b);
  return out;
}

async function addGarbageModel(repo: HostDataWriter): Promise<void> {
  const tracks = Array.from({ length: 60 }, (_, i) => ({
    model: 'GARBAGE "only"/x',
    serial: `G${i}`,
    fileDate: new Date(Date.UTC(2024, 0, 1 + i)),
    system: 'B',
    tracks: [
      {
        trackId: 'default',
        status: i % 2 ? 'ERROR' : 'PASS',
        sigmaGradient: i % 2 ? 0.0003 : 999.999,
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
  }));
  await repo.insertTrimRuns(tracks);
}

for (const makeKind of ALL_KINDS) {
  const kind: RepoKind = makeKind();
  describe(`MLManager end to end (${kind.name})`, () => {
    let rut: RepoUnderTest;
    beforeAll(async () => {
      rut = await kind.fresh();
      await writePlant(rut.repo, PLANT);
      await addGarbageModel(rut.repo);
    });
    afterAll(async () => {
      await rut?.close();
      await kind.teardown();
    });

    it('applies the formula and no probability when nothing is trained', async () => {
      const ml = new MLManager(rut.repo, FAST);
      const r = await ml.applyToDatabase();
      expect(r.tracks).toBeGreaterThan(5000);
      expect(r.learnedThresholdTracks).toBe(0);
      expect(r.probabilityTracks).toBe(0);
      expect(r.failedModels).toBe(0);
      expect(await ml.getThreshold((await rut.repo.listModels())[0]!.model)).toBeUndefined();
    });

    it('trains, applies, and a new manager on a reopened repository reproduces thresholds and probabilities', async () => {
      const events: ProgressEvent[] = [];
      const ml = new MLManager(rut.repo, FAST);
      const trained = await ml.trainAllModels({ concurrency: 2, onProgress: (e) => events.push(e) });
      expect(trained.failed).toBe(0);
      expect(trained.trained).toBeGreaterThan(5);
      expect(trained.pooled?.samples).toBeGreaterThan(500);
      expect(events.some((e) => e.phase === 'training')).toBe(true);
      expect(events[events.length - 1]!.phase).toBe('done');
      // The garbage model has 60 rows and none usable: it is skipped with its exclusions counted.
      const garbage = trained.results.find((x) => x.model === 'GARBAGE "only"/x')!;
      expect(garbage.status).toBe('skipped');
      expect(garbage.samples).toBe(0);

      const applied = await ml.applyToDatabase({ batchSize: 700 });
      expect(applied.failedModels).toBe(0);
      expect(applied.learnedThresholdTracks).toBeGreaterThan(0);
      // Every usable track of a model with a context gets a probability (pooled or own).
      expect(applied.probabilityTracks / applied.tracks).toBeGreaterThan(0.9);

      const status = await ml.getTrainingStatus();
      expect(status.trained).toBe(trained.trained);
      expect(status.rows.find((r) => r.model === 'GARBAGE "only"/x')).toMatchObject({ status: 'need_more_data', samplesNeeded: 10 }); // the plant-backed tier's minimum

      const withThreshold = trained.results.find((x) => x.sigmaThreshold !== null)!;
      const tracks = (await allTracks(rut.repo)).filter((t) => t.model === withThreshold.model).slice(0, 20);
      const before = await Promise.all(tracks.map((t) => ml.getFailureProbability(t.model, t)));

      const again = new MLManager(await rut.reopen(), FAST);
      await again.loadAll();
      expect(await again.getThreshold(withThreshold.model)).toBe(withThreshold.sigmaThreshold);
      const after = await Promise.all(tracks.map((t) => again.getFailureProbability(t.model, t)));
      expect(after).toEqual(before);
      expect(after.every((p) => p === undefined || (p >= 0 && p <= 1))).toBe(true);

      const insights = await again.getModelInsights(withThreshold.model);
      expect(insights?.threshold?.learned).toBe(true);
      expect(insights?.insights.length).toBeGreaterThan(0);
      const comparison = await again.getCrossModelComparison();
      expect(comparison.length).toBe((await rut.repo.listModels()).length);
    });

    it('gives time-based and cross-model insights from the stored data', async () => {
      const ml = new MLManager(rut.repo, FAST);
      const big = (await rut.repo.listModels()).sort((a, b) => b.trimTracks - a.trimTracks)[0]!;
      const trend = await ml.getQualityTrend(big.model);
      expect(trend.bins.length).toBeGreaterThan(3);
      expect(trend.bins.reduce((s, b) => s + b.units, 0)).toBeLessThanOrEqual(big.trimTracks);
      const batches = await ml.getBatchEffects(big.model, { bin: 'month' });
      expect(batches.df).toBe(Math.max(0, batches.batches.length - 1));
      const cross = await ml.getCrossModelInsights();
      expect(cross.ranking.length).toBeGreaterThan(3);
      // Ranking is hardest first.
      for (let i = 1; i < cross.ranking.length; i++)
        expect(cross.ranking[i - 1]!.difficulty).toBeGreaterThanOrEqual(cross.ranking[i]!.difficulty);
      expect(cross.needData.some((m) => m.model === 'GARBAGE "only"/x')).toBe(true);
    });

    it('trainModel retrains one model against the stored pooled forest without replacing it', async () => {
      const ml = new MLManager(rut.repo, FAST);
      const pooledBefore = await rut.repo.loadArtifact('*', 'pooled_predictor');
      const big = (await rut.repo.listModels()).sort((a, b) => b.trimTracks - a.trimTracks)[0]!;
      const kindBefore = (await ml.getTrainingStatus()).rows.find((x) => x.model === big.model)?.predictorKind;
      const r = await ml.trainModel(big.model);
      expect(r.status).toBe('trained');
      // Same data, same seed: the own-vs-pooled choice (made against the stored pooled metrics) does not flip.
      expect(r.predictorKind).toBe(kindBefore);
      const pooledAfter = await rut.repo.loadArtifact('*', 'pooled_predictor');
      expect(pooledAfter?.version).toBe(pooledBefore?.version);
      const state = await rut.repo.loadModelState(big.model);
      // Ranked against the other models' stored profiles.
      expect(state?.difficultyScore).not.toBeNull();
    });

    it('rerunning apply writes the same values and raises no duplicate drift alert', async () => {
      const ml = new MLManager(rut.repo, FAST);
      const first = await ml.applyToDatabase();
      const alerts = await ml.getDriftAlerts();
      const second = await ml.applyToDatabase();
      expect(second.newDriftAlerts).toBe(0);
      expect((await ml.getDriftAlerts()).length).toBe(alerts.length);
      expect(second.tracks).toBe(first.tracks);
      expect(second.probabilityTracks).toBe(first.probabilityTracks);
    });

    it('the second of two concurrent applies gets a BusyError naming the holder', async () => {
      const a = new MLManager(rut.repo, { ...FAST, owner: 'first apply' });
      const b = new MLManager(await rut.reopen(), { ...FAST, owner: 'second apply' });
      const results = await Promise.allSettled([a.applyToDatabase(), b.applyToDatabase()]);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      const err = (rejected[0] as PromiseRejectedResult).reason as BusyError;
      expect(err).toBeInstanceOf(BusyError);
      expect(err.message).toMatch(/first apply|second apply/);
    });

    it('an apply while a training runs gets a BusyError (train and apply exclude each other)', async () => {
      const a = new MLManager(rut.repo, { ...FAST, owner: 'the trainer' });
      const b = new MLManager(await rut.reopen(), { ...FAST, owner: 'the applier' });
      let apply = null as Promise<unknown> | null; // assigned in a callback: no narrowing to null
      // Started from inside the training's progress callback, i.e. while the training holds its locks.
      await a.trainAllModels({
        concurrency: 1,
        onProgress: (e) => void (e.phase === 'training' && (apply ??= b.applyToDatabase().catch((err: unknown) => err))),
      });
      const err: unknown = await apply;
      expect(err).toBeInstanceOf(BusyError);
      expect((err as BusyError).message).toContain('the trainer');
    });

    it('cancels mid-apply and mid-train cleanly, and a rerun completes', async () => {
      const ml = new MLManager(rut.repo, FAST);
      const ac = new AbortController();
      await expect(
        ml.applyToDatabase({ batchSize: 200, signal: ac.signal, onProgress: (e) => (e.recordsDone ?? 0) > 1000 && ac.abort() }),
      ).rejects.toBeInstanceOf(AbortedError);
      const rerun = await ml.applyToDatabase();
      expect(rerun.failedModels).toBe(0);

      const statesBefore = await rut.repo.listModelStates();
      const ac2 = new AbortController();
      await expect(
        ml.trainAllModels({
          concurrency: 1,
          signal: ac2.signal,
          onProgress: (e) => e.phase === 'training' && e.modelsDone >= 3 && ac2.abort(),
        }),
      ).rejects.toBeInstanceOf(AbortedError);
      // Every stored state is whole: an old one or a new one, each parseable.
      const statesMid = await rut.repo.listModelStates();
      expect(statesMid.length).toBe(statesBefore.length);
      for (const s of statesMid) expect(() => JSON.parse(s.componentsJson)).not.toThrow();
      const retrained = await ml.trainAllModels({ concurrency: 1 });
      expect(retrained.failed).toBe(0);
    });

    it('serves small models by the plant-wide threshold and says the source in the status table', async () => {
      const ml = new MLManager(rut.repo, FAST);
      await ml.trainAllModels({ concurrency: 1 });
      const status = await ml.getTrainingStatus();
      const learned = status.rows.filter((r) => r.thresholdSource !== 'formula');
      // every model with outcomes is served (the garbage model has no usable unit)
      expect(learned.length).toBeGreaterThanOrEqual(status.rows.length - 2);
      for (const r of learned) {
        expect(r.sigmaThreshold).toBeGreaterThan(0);
        expect(r.thresholdWeight).toBeGreaterThanOrEqual(0);
        expect(r.thresholdWeight).toBeLessThanOrEqual(1);
        if (r.thresholdSource === 'plant_wide') expect(r.thresholdWeight).toBe(0);
      }
      const small = status.rows.find((r) => r.status === 'need_more_data' && r.thresholdSource !== 'formula');
      expect(small).toBeDefined();
      expect(await ml.getThreshold(small!.model)).toBe(small!.sigmaThreshold);
      // the stored plant-wide threshold is the same for every model, and apply writes the small model's threshold
      const states = await rut.repo.listModelStates();
      const priors = new Set(
        states.map((st) =>
          JSON.stringify(
            (JSON.parse(st.componentsJson) as { threshold?: { result?: { prior?: unknown } } }).threshold?.result?.prior ?? null,
          ),
        ),
      );
      priors.delete('null');
      expect(priors.size).toBe(1);
      const applied = await ml.applyToDatabase();
      const m = applied.models.find((x) => x.model === small!.model)!;
      expect(m.learnedThresholdTracks).toBe(m.tracks);
      expect(m.formulaThresholdTracks).toBe(0);
    });

    it('reports a model that throws in training and trains the others', async () => {
      const victim = (await rut.repo.listModels()).sort((a, b) => b.trimTracks - a.trimTracks)[0]!.model;
      const before = await rut.repo.loadModelState(victim);
      expect(before?.isTrained).toBe(true);
      const ml = new MLManager(rut.repo, {
        ...FAST,
        formulaThreshold: (t) => {
          if ((t as TrimTrack).model === victim) throw new Error('formula exploded');
          return formulaThreshold(t);
        },
      });
      const r = await ml.trainAllModels({ concurrency: 1 });
      const failed = r.results.filter((x) => x.status === 'failed');
      expect(failed.map((f) => f.model)).toEqual([victim]);
      expect(failed[0]!.error?.message).toBe('formula exploded');
      expect(r.trained).toBeGreaterThan(5);
      const status = await ml.getTrainingStatus();
      expect(status.rows.find((x) => x.model === victim)?.status).toBe('failed');
      // The failed retrain keeps the last good state serving, with the error recorded.
      const after = await rut.repo.loadModelState(victim);
      expect(after?.isTrained).toBe(true);
      expect(after?.stateVersion).toBe(before?.stateVersion);
      expect(after?.sigmaThreshold).toBe(before?.sigmaThreshold);
      expect(after?.lastError).toBe('formula exploded');
      // Restore a clean state for later tests.
      await new MLManager(rut.repo, FAST).trainAllModels({ concurrency: 1 });
    });
  });
}
