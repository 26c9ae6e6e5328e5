/**
 * A full disk during train (SQLite SQLITE_FULL, forced with PRAGMA max_page_count on the test database): the run ends
 * normally with one storage error saying where the disk is full, each model's result says whether it was saved, and
 * the locks are released, so that the next run (after space is freed) proceeds at once.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskFullError, StorageError } from '../../src/core/errors.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import { writePlant } from '../../src/synthetic/index.js';
import { tempSqliteFile } from '../storage/sql-helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a full disk during train (SQLite)', () => {
  it('reports where, saves what fits, says per model what was saved, releases the locks', async () => {
    const t = tempSqliteFile();
    cleanups.push(t.cleanup);
    const handle = new Database(t.file);
    const db = new Kysely({ dialect: new SqliteDialect({ database: handle }) });
    await createReferenceSchema(db);
    const repo = await createSqliteRepository({ db }, { migrate: true });
    cleanups.push(
      () => db.destroy(),
      () => repo.close(),
    );
    await writePlant(repo, { seed: 5, tracks: 3000, models: 12 });
    const models = await repo.listModels();
    // Room for a few models' states and forests (a page is 4 KiB), not for all of them.
    const pages = Number(handle.pragma('page_count', { simple: true }));
    handle.pragma(`max_page_count = ${pages + 8}`);

    const ml = new MLManager(repo, { trees: 10 });
    const r = await ml.trainAllModels({ concurrency: 1 });
    expect(r.storageError).toBeInstanceOf(DiskFullError);
    expect(r.storageError!.code).toBe('DISK_FULL');
    expect(r.storageError!.message).toContain(`The disk is full at ${t.file}`);
    expect(r.results).toHaveLength(models.length);
    const failed = r.results.filter((x) => x.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(r.trained + r.skipped).toBeGreaterThan(0);
    for (const x of r.results) {
      const state = await repo.loadModelState(x.model);
      if (x.status === 'failed') {
        expect(x.error).toBeInstanceOf(DiskFullError);
        expect(state, `${x.model} is reported not saved`).toBeNull();
      } else {
        expect(state, `${x.model} is reported saved`).not.toBeNull();
        expect(state!.isTrained).toBe(x.status === 'trained');
      }
    }

    // Space freed: the next run proceeds at once (the locks were released) and trains everything.
    handle.pragma('max_page_count = 1073741823');
    const again = await ml.trainAllModels({ concurrency: 1 });
    expect(again.storageError).toBeUndefined();
    expect(again.failed).toBe(0);
    expect(again.trained + again.skipped).toBe(models.length);
    expect(again.trained).toBeGreaterThan(r.trained);
  });

  it('a lock release that fails after the run keeps the results and reports it (train and apply)', async () => {
    const memory = createMemoryRepository();
    await writePlant(memory, { seed: 6, tracks: 1500, models: 10 });
    let failRelease = false;
    const repo = {
      ...memory,
      acquireLock: async (name: 'train' | 'apply', owner: string) => {
        const lock = await memory.acquireLock(name, owner);
        return {
          release: async () => {
            await lock.release();
            if (failRelease) throw new DiskFullError('/data/plant.db');
          },
        };
      },
    };
    const ml = new MLManager(repo, { trees: 10 });
    failRelease = true;
    const trained = await ml.trainAllModels({ concurrency: 1 });
    expect(trained.failed).toBe(0);
    expect(trained.results).toHaveLength(10);
    expect(trained.storageError).toBeInstanceOf(StorageError);
    expect(trained.storageError!.code).toBe('DISK_FULL');
    expect(trained.storageError!.message).toMatch(/locks could not be released: The disk is full at \/data\/plant\.db/u);
    const applied = await ml.applyToDatabase({ concurrency: 1 });
    expect(applied.failedModels).toBe(0);
    expect(applied.tracks).toBeGreaterThan(0);
    expect(applied.storageError?.code).toBe('DISK_FULL');
    failRelease = false;
    expect((await ml.applyToDatabase({ concurrency: 1 })).storageError).toBeUndefined();
  });
});
