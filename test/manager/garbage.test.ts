/**
 * The garbage bar of issue 10, scaled down (`npm run bench:garbage` runs it with 10,000 garbage rows): every kind of
 * garbage mixed into a plant costs its rows, never a model or the run; every spoiled row is counted under its reason
 * in train and apply; no non-finite number is stored.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempSqliteFile } from '../storage/sql-helpers.js';
import { GARBAGE, runGarbageHarness } from './garbage-harness.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe('garbage harness (SQLite)', () => {
  it(`${GARBAGE.length} kinds of garbage in 1,200 rows of a 6,000-track plant: 0 failures, every row counted, nothing non-finite stored`, async () => {
    const t = tempSqliteFile();
    cleanups.push(t.cleanup);
    const r = await runGarbageHarness(t.file, { tracks: 6000, rows: 1200, models: 24, seed: 7 });
    expect(r.spoiledRows).toBeGreaterThanOrEqual(1200);
    // Every kind was injected (the Final Test kinds need linked units, which this plant has).
    expect(Object.keys(r.spoiled).sort()).toEqual([...new Set(GARBAGE.map((g) => g.reason))].sort());
    expect(r.train.failed).toBe(0);
    expect(r.train.results.filter((x) => x.status === 'failed')).toEqual([]);
    expect(r.train.storageError).toBeUndefined();
    expect(r.apply.failedModels).toBe(0);
    // Every row is read and counted: per model rowsRead = samples + excluded, and per reason the garbage exactly.
    expect(r.uncountedModels).toEqual([]);
    expect(r.trainRowsRead).toBe(r.tracks);
    expect(r.applyTracks).toBe(r.tracks);
    expect(r.countedByTrain).toEqual(r.spoiled);
    expect(r.countedByApply).toEqual(r.spoiledApply);
    // The hostile names train like the others.
    expect(r.train.results.map((x) => x.model)).toContain('');
    expect(r.train.results.map((x) => x.model)).toContain(`o'neil "x" / 型号`);
    expect(r.nonFinite).toBe(0);
  });
});
