/**
 * One model with a row the adapters cannot decode: train-all and apply read small models together in one query, and
 * that model's bad row must fail that model alone (reported, with the error), never its group or the run.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/core/errors.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import { createPostgresRepository } from '../../src/storage/kysely/postgres.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import type { HostDataWriter, MLRepository } from '../../src/storage/repository.js';
import { writePlant } from '../../src/synthetic/index.js';
import { createTestDatabase, type TestDatabase } from '../setup/postgres.js';
import { tempSqliteFile } from '../storage/sql-helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Subject {
  readonly repo: MLRepository & HostDataWriter;
  /** Makes one row of the model undecodable (a file date that is no date). */
  corrupt(model: string): Promise<void>;
}

async function sqlite(): Promise<Subject> {
  const t = tempSqliteFile();
  cleanups.push(t.cleanup);
  const setup = new Kysely({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
  await createReferenceSchema(setup);
  await setup.destroy();
  const repo = await createSqliteRepository({ file: t.file }, { migrate: true });
  cleanups.push(() => repo.close());
  return {
    repo,
    corrupt: async (model) => {
      const raw = new Database(t.file);
      raw.prepare("UPDATE trim_results SET file_date = 'not a date' WHERE id = (SELECT MIN(id) FROM trim_results WHERE model = ?)").run(model);
      raw.close();
    },
  };
}

let server: TestDatabase | null = null;
async function postgres(): Promise<Subject> {
  server ??= await createTestDatabase();
  const s = server;
  cleanups.push(() => s.drop());
  const url = await s.another();
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
  await createReferenceSchema(db);
  await sql`ALTER TABLE trim_results ALTER COLUMN file_date DROP NOT NULL`.execute(db);
  const repo = await createPostgresRepository({ connectionString: url }, { migrate: true });
  cleanups.push(() => repo.close(), () => db.destroy());
  return {
    repo,
    corrupt: async (model) => {
      await sql`UPDATE trim_results SET file_date = NULL WHERE id = (SELECT MIN(id) FROM trim_results WHERE model = ${model})`.execute(db);
    },
  };
}

for (const [name, open] of [['SQLite', sqlite], ['PostgreSQL', postgres]] as const) {
  describe(`a model with an undecodable row (${name})`, () => {
    it('fails alone in train-all and in apply; the models read in the same query succeed', async () => {
      const { repo, corrupt } = await open();
      await writePlant(repo, { seed: 11, tracks: 3000, models: 12 });
      const models = await repo.listModels();
      // A small model in the middle of the first read group.
      const victim = [...models].sort((a, b) => a.trimTracks - b.trimTracks)[Math.floor(models.length / 2)]!.model;
      const ml = new MLManager(repo, { trees: 10 });
      expect((await ml.trainAllModels({ concurrency: 1 })).failed).toBe(0);
      await corrupt(victim);

      const trained = await ml.trainAllModels({ concurrency: 1 });
      expect(trained.results.filter((r) => r.status === 'failed').map((r) => r.model)).toEqual([victim]);
      const failure = trained.results.find((r) => r.model === victim)!;
      expect(failure.error).toBeInstanceOf(StorageError);
      expect(failure.message).toMatch(/file_date/u);
      // Its last good state keeps serving, with the error recorded.
      expect(await repo.loadModelState(victim)).toMatchObject({ isTrained: true, lastError: failure.message });

      const applied = await ml.applyToDatabase({ concurrency: 1 });
      expect(applied.models.filter((m) => m.error !== undefined).map((m) => m.model)).toEqual([victim]);
      expect(applied.models).toHaveLength(models.length);
      const total = models.reduce((s, m) => s + m.trimTracks, 0);
      expect(applied.tracks).toBe(total - (models.find((m) => m.model === victim)?.trimTracks ?? 0));
    });
  });
}
