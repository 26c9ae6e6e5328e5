import { afterAll, describe, expect, it } from 'vitest';
import { MLManager } from '../../src/manager/ml-manager.js';
import { loadApplyJournal } from '../../src/manager/apply/incremental.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import type { HostDataWriter, HostTrimRunInput, MLRepository } from '../../src/storage/repository.js';
import { writePlant } from '../../src/synthetic/write.js';
import type { TrimTrack } from '../../src/core/types.js';
import { ALL_KINDS, type RepoUnderTest } from './repos.js';

/**
 * New units for every model, copied from its own earlier units (sigma scaled by `factor` for `shifted`), dated after
 * its last unit (`at: 'after'`) or in the middle of its history (`at: 'middle'`, a late arrival).
 */
async function newRuns(
  repo: MLRepository,
  perModel: number,
  shifted: string | null,
  factor: number,
  at: 'after' | 'middle' = 'after',
): Promise<HostTrimRunInput[]> {
  const out: HostTrimRunInput[] = [];
  for (const s of await repo.listModels()) {
    const byRun = new Map<number, TrimTrack[]>();
    for await (const batch of repo.readTracksForApply(s.model))
      for (const t of batch) byRun.set(t.trimResultId, [...(byRun.get(t.trimResultId) ?? []), t]);
    const runs = [...byRun.values()];
    const first = s.firstDate!.getTime();
    const last = s.lastDate!.getTime();
    for (let k = 0; k < perModel; k++) {
      const template = runs[(k * 7) % runs.length]!;
      const date = at === 'after' ? last + (k + 1) * 3_600_000 : (first + last) / 2 + k * 1000;
      out.push({
        model: s.model,
        serial: `NEW-${at}-${k}`,
        fileDate: new Date(date),
        system: template.length === 2 ? 'A' : 'B',
        tracks: template.map(({ trackResultId: _a, trimResultId: _b, model: _m, serial: _s, fileDate: _d, ...t }) => ({
          ...t,
          sigmaGradient: t.sigmaGradient === null ? null : t.sigmaGradient * (s.model === shifted ? factor : 1),
        })),
      });
    }
  }
  return out;
}

/** Everything apply leaves in the database: track results, alerts, each model's drift columns and stored drift state. */
async function snapshot(r: RepoUnderTest): Promise<unknown> {
  const alerts = (await r.repo.listDriftAlerts()).map(({ id: _i, createdDate: _c, ...a }) => a);
  const states = (await r.repo.listModelStates()).map((s) => {
    const c = JSON.parse(s.componentsJson) as Record<string, unknown>;
    return {
      model: s.model,
      cusumPos: s.cusumPos,
      cusumNeg: s.cusumNeg,
      ewmaValue: s.ewmaValue,
      isDrifting: s.isDrifting,
      driftDirection: s.driftDirection,
      driftCurrent: c['driftCurrent'],
      driftThrough: c['driftThrough'],
    };
  });
  return { results: [...(await r.results()).entries()], alerts, states };
}

async function plant(r: RepoUnderTest): Promise<MLManager> {
  await writePlant(r.repo, { seed: 11, tracks: 2400, models: 5, specialModels: false }, { batchSize: 1000 });
  const ml = new MLManager(r.repo, { trees: 15 });
  await ml.trainAllModels({ concurrency: 1 });
  const first = await ml.applyToDatabase({ concurrency: 1 });
  expect(first.only).toBe('all');
  expect(first.failedModels).toBe(0);
  return ml;
}

/** The largest model (where an injected shift has the most units to show). */
async function largest(repo: MLRepository): Promise<string> {
  return [...(await repo.listModels())].sort((a, b) => b.trimTracks - a.trimTracks)[0]!.model;
}

for (const makeKind of ALL_KINDS) {
  const kind = makeKind();
  describe(`incremental apply (${kind.name})`, () => {
    afterAll(() => kind.teardown());

    it('writes only the new tracks and continues drift: the same values and alerts as a full apply', async () => {
      const r = await kind.fresh();
      try {
        const ml = await plant(r);
        const before = await r.results();
        const shifted = await largest(r.repo);
        const runs = await newRuns(r.repo, 120, shifted, 2.5);
        await r.repo.insertTrimRuns(runs);
        const newTracks = runs.reduce((s, x) => s + x.tracks.length, 0);
        const pending = await ml.applyToDatabase({ only: 'pending', concurrency: 1 });
        expect(pending.only).toBe('pending');
        expect(pending.failedModels).toBe(0);
        expect(pending.tracks).toBe(newTracks);
        for (const m of pending.models) {
          expect(m.scope).toBe('pending');
          expect(m.fullReason).toBeNull();
          expect(['continued', 'none']).toContain(m.drift);
        }
        expect(pending.models.find((m) => m.model === shifted)?.drift).toBe('continued');
        // The shift (sigma × 2.5 on the largest model's new units) raises an alert in the new units.
        expect(pending.models.find((m) => m.model === shifted)?.newDriftAlerts).toBeGreaterThan(0);
        // Old tracks are untouched: every track that had a result keeps it.
        const after = await r.results();
        for (const [id, v] of before) expect(after.get(id)).toEqual(v);
        const incremental = await snapshot(r);
        // A second pending apply finds nothing to do.
        const again = await ml.applyToDatabase({ only: 'pending', concurrency: 1 });
        expect(again.models).toHaveLength(0);
        expect(again.tracks).toBe(0);
        // A full apply of the same database writes the same values and raises no other alert.
        const full = await ml.applyToDatabase({ concurrency: 1 });
        expect(full.newDriftAlerts).toBe(0);
        expect(await snapshot(r)).toEqual(incremental);
      } finally {
        await r.close();
      }
    }, 120_000);

    it('replays drift from the baseline for a late unit, and applies a retrained model in full', async () => {
      const r = await kind.fresh();
      try {
        const ml = await plant(r);
        const shifted = await largest(r.repo);
        await r.repo.insertTrimRuns(await newRuns(r.repo, 40, shifted, 1.8));
        // Late arrivals: units dated in the middle of the history of every model.
        await r.repo.insertTrimRuns(await newRuns(r.repo, 2, null, 1, 'middle'));
        const pending = await ml.applyToDatabase({ only: 'pending', concurrency: 1 });
        expect(pending.failedModels).toBe(0);
        const withDrift = pending.models.filter((m) => m.drift !== 'none');
        expect(withDrift.length).toBeGreaterThan(0);
        for (const m of withDrift) {
          expect(m.scope).toBe('pending');
          expect(m.drift).toBe('replayed');
          expect(m.fullReason).toMatch(/drift replayed from the baseline/u);
        }
        const incremental = await snapshot(r);
        await ml.applyToDatabase({ concurrency: 1 });
        expect(await snapshot(r)).toEqual(incremental);

        // After a retrain, a pending apply applies every model in full (as the default apply would).
        await ml.trainAllModels({ concurrency: 1 });
        const retrained = await ml.applyToDatabase({ only: 'pending', concurrency: 1 });
        expect(retrained.models.length).toBeGreaterThan(0);
        for (const m of retrained.models) {
          expect(m.scope).toBe('all');
          expect(m.fullReason).toMatch(/applied in full/u);
        }
        const afterRetrain = await snapshot(r);
        await ml.applyToDatabase({ concurrency: 1 });
        expect(await snapshot(r)).toEqual(afterRetrain);
      } finally {
        await r.close();
      }
    }, 180_000);
  });
}

describe('incremental apply after a failed apply', () => {
  it('applies in full the models whose last apply did not complete', async () => {
    const base = createMemoryRepository();
    let failNext = false;
    const repo: MLRepository & HostDataWriter = {
      ...base,
      writeTrackResults: async (batch) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk unplugged');
        }
        return base.writeTrackResults(batch);
      },
    };
    await writePlant(repo, { seed: 12, tracks: 1200, models: 3, specialModels: false }, { batchSize: 1000 });
    const ml = new MLManager(repo, { trees: 10 });
    await ml.trainAllModels({ concurrency: 1 });
    await ml.applyToDatabase({ concurrency: 1 });
    await repo.insertTrimRuns(await newRuns(repo, 30, null, 1));
    // The first batch of the pending run fails: its models stay dirty in the journal.
    failNext = true;
    const failed = await ml.applyToDatabase({ only: 'pending', concurrency: 1, batchSize: 20 });
    const failedModels = failed.models.filter((m) => m.error !== undefined).map((m) => m.model);
    expect(failedModels.length).toBeGreaterThan(0);
    expect([...(await loadApplyJournal(repo)).dirty].sort()).toEqual([...failedModels].sort());
    const retry = await ml.applyToDatabase({ only: 'pending', concurrency: 1 });
    for (const m of retry.models) {
      if (failedModels.includes(m.model)) {
        expect(m.scope).toBe('all');
        expect(m.fullReason).toMatch(/did not complete/u);
      } else expect(m.scope).toBe('pending');
    }
    expect((await loadApplyJournal(repo)).dirty.size).toBe(0);
  }, 60_000);
});

describe('scoreTracks', () => {
  it('returns what apply writes for the same tracks, without writing', async () => {
    const repo = createMemoryRepository();
    await writePlant(repo, { seed: 13, tracks: 1200, models: 3, specialModels: false }, { batchSize: 1000 });
    const ml = new MLManager(repo, { trees: 10 });
    await ml.trainAllModels({ concurrency: 1 });
    const model = (await repo.listModels())[0]?.model;
    const tracks: TrimTrack[] = [];
    for await (const b of repo.readTracksForApply(model!)) tracks.push(...b);
    const scored = await ml.scoreTracks(model!, tracks);
    expect(tracks.every((t) => repo.trackResults(t.trackResultId) === undefined)).toBe(true);
    await ml.applyToDatabase({ concurrency: 1, models: [model!] });
    expect(scored.map(({ trackResultId, ...rest }) => [trackResultId, rest])).toEqual(
      tracks.map((t) => [t.trackResultId, repo.trackResults(t.trackResultId)]),
    );
    expect(scored.some((s) => s.failureProbability !== null)).toBe(true);
  }, 60_000);
});
