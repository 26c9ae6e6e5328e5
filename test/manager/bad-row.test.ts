/**
 * Rows the adapters cannot fully read, or whose values are physically impossible: one bad row costs that row (excluded
 * and counted by reason in train and apply), never its model, its read group or the run. Also: an empty model name is
 * a name like any other, and no non-finite number reaches a library table.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExclusionReason } from '../../src/core/features.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import type { TrainAllResult } from '../../src/manager/types.js';
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

/** The bad cells of the test, and the reason hygiene must count each under. */
const KINDS = {
  dateText: 'unreadable_date',
  dateOutOfRange: 'unreadable_date',
  sigmaText: 'unreadable_value',
  passEmpty: 'unreadable_value',
  finalTestFailText: 'unreadable_value',
  hugeSigma: 'invalid_sigma',
  hugeFailPoints: 'implausible_value',
} as const satisfies Record<string, ExclusionReason>;
type Kind = keyof typeof KINDS;

interface Subject {
  readonly repo: MLRepository & HostDataWriter;
  /** Runs one statement on the database (values inline: the test's own constants and ids); its rows. */
  exec(text: string): Promise<Record<string, unknown>[]>;
  /** Lets the host columns hold what a loosely typed host column holds (text in numeric columns); no-op on SQLite. */
  loosen(): Promise<void>;
  readonly engine: 'sqlite' | 'postgres';
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
    engine: 'sqlite',
    exec: async (text) => {
      const raw = new Database(t.file);
      try {
        const st = raw.prepare(text);
        if (st.reader) return st.all() as Record<string, unknown>[];
        st.run();
        return [];
      } finally {
        raw.close();
      }
    },
    loosen: async () => undefined,
  };
}

let server: TestDatabase | null = null;
async function postgres(): Promise<Subject> {
  if (server === null) {
    const created = await createTestDatabase();
    server = created;
    cleanups.push(() => created.drop());
  }
  const s = server;
  const url = await s.another();
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) });
  await createReferenceSchema(db);
  const repo = await createPostgresRepository({ connectionString: url }, { migrate: true });
  cleanups.push(
    () => repo.close(),
    () => db.destroy(),
  );
  return {
    repo,
    engine: 'postgres',
    exec: async (text) => (await sql.raw(text).execute(db)).rows as Record<string, unknown>[],
    loosen: async () => {
      // A host whose measurement columns are text (or whose fail points are floats) stores what SQLite stores.
      await sql`ALTER TABLE trim_results ALTER COLUMN file_date DROP NOT NULL`.execute(db);
      await sql`ALTER TABLE track_results ALTER COLUMN sigma_gradient TYPE text, ALTER COLUMN linearity_pass TYPE text,
        ALTER COLUMN linearity_fail_points TYPE double precision`.execute(db);
      await sql`ALTER TABLE final_test_tracks ALTER COLUMN fail_points TYPE text`.execute(db);
    },
  };
}

/** A subject's statement with inline literals (the values below are the test's own constants and ids). */
function lit(v: unknown): string {
  return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/gu, "''")}'`;
}

interface Picked {
  readonly model: string;
  readonly track: number;
  readonly run: number;
  readonly runTracks: number;
}

/** A clean row of `model` (picked before any row is spoiled: a text cell breaks the numeric filter). */
async function pick(s: Subject, model: string): Promise<Picked> {
  const q = (text: string) => s.exec(text);
  const first = await q(`SELECT t.id AS track, r.id AS run FROM track_results t JOIN trim_results r ON r.id = t.trim_result_id
    WHERE r.model = ${lit(model)} AND (t.status IS NULL OR t.status <> 'ERROR') AND CAST(t.sigma_gradient AS double precision) BETWEEN 1e-9 AND 900
      AND t.linearity_pass IS NOT NULL AND t.linearity_spec > 0 AND t.travel_length > 0 AND t.untrimmed_resistance > 0
    ORDER BY t.id LIMIT 1`);
  const { track, run } = first[0] as { track: number; run: number };
  const runTracks = Number((await q(`SELECT COUNT(*) AS n FROM track_results WHERE trim_result_id = ${run}`))[0]!['n']);
  return { model, track, run, runTracks };
}

/** Makes the picked row bad in the given way; returns the tracks it spoils (a date spoils its run's). */
async function spoil(s: Subject, { model, track, run, runTracks }: Picked, kind: Kind): Promise<number> {
  const q = (text: string) => s.exec(text);
  switch (kind) {
    case 'dateText':
      // PostgreSQL's date column cannot hold text: a NULL date is its unreadable date.
      await q(
        s.engine === 'sqlite'
          ? `UPDATE trim_results SET file_date = 'not a date' WHERE id = ${run}`
          : `UPDATE trim_results SET file_date = NULL WHERE id = ${run}`,
      );
      return runTracks;
    case 'dateOutOfRange':
      await q(`UPDATE trim_results SET file_date = ${lit('0999-06-01T00:00:00.000Z')} WHERE id = ${run}`);
      return runTracks;
    case 'sigmaText':
      await q(`UPDATE track_results SET sigma_gradient = 'abc' WHERE id = ${track}`);
      return 1;
    case 'passEmpty':
      await q(`UPDATE track_results SET linearity_pass = '' WHERE id = ${track}`);
      return 1;
    case 'hugeSigma':
      await q(`UPDATE track_results SET sigma_gradient = ${s.engine === 'sqlite' ? '1e308' : "'1e308'"} WHERE id = ${track}`);
      return 1;
    case 'hugeFailPoints':
      await q(`UPDATE track_results SET linearity_fail_points = 1e308 WHERE id = ${track}`);
      return 1;
    case 'finalTestFailText': {
      const ft = await q(`SELECT ft.id AS id FROM final_test_tracks ft JOIN final_test_results fr ON fr.id = ft.final_test_id
        JOIN trim_results r ON r.id = fr.linked_trim_id WHERE r.model = ${lit(model)} ORDER BY ft.id LIMIT 1`);
      await q(`UPDATE final_test_tracks SET fail_points = 'many' WHERE id = ${(ft[0] as { id: number }).id}`);
      return 1;
    }
  }
}

function excludedOf(r: TrainAllResult, model: string): Record<string, number> {
  const e = r.results.find((x) => x.model === model)?.excluded;
  expect(e, `excluded counts of ${model}`).toBeTruthy();
  return e as Record<string, number>;
}

/** Library numeric cells that are not finite (SQLite stores ±Infinity; PostgreSQL also NaN). */
async function nonFiniteCells(s: Subject): Promise<number> {
  const bad = (c: string) => `(${c} IS NOT NULL AND NOT (${c} BETWEEN -1.7e308 AND 1.7e308))`;
  const stateCols = [
    'sigma_threshold',
    'threshold_confidence',
    'predictor_auc',
    'sigma_mean',
    'sigma_std',
    'sigma_p95',
    'error_mean',
    'error_std',
    'avg_fail_points',
    'spec_margin',
    'difficulty_score',
    'drift_baseline_mean',
    'drift_baseline_std',
    'cusum_pos',
    'cusum_neg',
    'ewma_value',
  ];
  const rows = [
    ...(await s.exec(`SELECT COUNT(*) AS n FROM model_ml_state WHERE ${stateCols.map(bad).join(' OR ')}`)),
    ...(await s.exec(`SELECT COUNT(*) AS n FROM drift_alerts WHERE ${bad('size_sigma')}`)),
    ...(await s.exec(`SELECT COUNT(*) AS n FROM track_results WHERE ${bad('sigma_threshold')} OR ${bad('failure_probability')}`)),
  ];
  return rows.reduce((sum, r) => sum + Number(r['n']), 0);
}

for (const [name, open] of [
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
] as const) {
  describe(`bad rows (${name})`, () => {
    it('one bad cell or impossible value excludes that row alone, counted by reason, in train and apply', async () => {
      const s = await open();
      await writePlant(s.repo, { seed: 11, tracks: 3000, models: 12 });
      await s.loosen();
      const models = await s.repo.listModels();
      // Models with a linked Final Test (for the FT cell), small ones first: they share read groups with others.
      const ml = new MLManager(s.repo, { trees: 10 });
      const before = await ml.trainAllModels({ concurrency: 1 });
      const trainedBefore = new Set(before.results.filter((r) => r.status === 'trained').map((r) => r.model));
      const candidates = [...models]
        .filter((m) => m.finalTestLinked > 0 && trainedBefore.has(m.model))
        .sort((a, b) => a.trimTracks - b.trimTracks);
      const kinds = Object.keys(KINDS) as Kind[];
      expect(candidates.length).toBeGreaterThanOrEqual(kinds.length);
      const victims = new Map(kinds.map((k, i) => [k, candidates[i]!.model]));
      expect(before.failed).toBe(0);
      const applyBefore = await ml.applyToDatabase({ concurrency: 1 });
      const spoiled = new Map<Kind, number>();
      const picked = new Map<Kind, Picked>();
      for (const [kind, model] of victims) picked.set(kind, await pick(s, model));
      for (const [kind, p] of picked) spoiled.set(kind, await spoil(s, p, kind));

      const trained = await ml.trainAllModels({ concurrency: 1 });
      expect(trained.results.filter((r) => r.status === 'failed').map((r) => [r.model, r.message])).toEqual([]);
      expect(trained.results.map((r) => [r.model, r.status])).toEqual(before.results.map((r) => [r.model, r.status]));
      for (const [kind, model] of victims) {
        const reason = KINDS[kind];
        const was = excludedOf(before, model);
        const now = excludedOf(trained, model);
        const delta = Object.fromEntries(
          Object.keys(now)
            .map((k) => [k, now[k]! - (was[k] ?? 0)])
            .filter(([, n]) => n !== 0),
        );
        // The spoiled row was clean; for a Final-Test-labelled model it may have lacked an outcome (an unlinked unit):
        // then it moves from missing_outcome to its new reason.
        const n = spoiled.get(kind)!;
        expect(delta[reason], `${kind} in ${model}: ${JSON.stringify(delta)}`).toBe(n);
        const moved = -(delta['missing_outcome'] ?? 0);
        expect(moved).toBeLessThanOrEqual(n);
        expect(delta, `${kind} in ${model}`).toEqual(moved === 0 ? { [reason]: n } : { [reason]: n, missing_outcome: -moved });
      }
      // The pooled forest keeps every model's Final Test units but the spoiled ones (at most one per model).
      expect(trained.pooled!.samples).toBeGreaterThanOrEqual(before.pooled!.samples - kinds.length);

      // The status table and apply count the same exclusions.
      const status = await ml.getTrainingStatus();
      for (const [kind, model] of victims) {
        expect(status.rows.find((r) => r.model === model)?.excluded?.[KINDS[kind]]).toBe(excludedOf(trained, model)[KINDS[kind]]);
      }
      const applied = await ml.applyToDatabase({ concurrency: 1 });
      expect(applied.failedModels).toBe(0);
      expect(applied.tracks).toBe(applyBefore.tracks);
      for (const [kind, model] of victims) {
        const a = applied.models.find((m) => m.model === model)!;
        const b = applyBefore.models.find((m) => m.model === model)!;
        // Apply reads no Final Test: the FT cell leaves its track usable there.
        const expected = kind === 'finalTestFailText' ? 0 : spoiled.get(kind)!;
        expect(a.excluded[KINDS[kind]] - b.excluded[KINDS[kind]], `${kind} in apply`).toBe(expected);
      }
      expect(await nonFiniteCells(s)).toBe(0);
    });

    it('an empty model name is a name like any other: it trains and applies, the others too', async () => {
      const s = await open();
      await writePlant(s.repo, { seed: 12, tracks: 2000, models: 10 });
      const models = await s.repo.listModels();
      const victim = [...models].sort((a, b) => b.trimTracks - a.trimTracks)[0]!;
      await s.exec(`UPDATE trim_results SET model = '' WHERE model = ${lit(victim.model)}`);
      await s.exec(`UPDATE final_test_results SET model = '' WHERE model = ${lit(victim.model)}`);
      const ml = new MLManager(s.repo, { trees: 10 });
      const trained = await ml.trainAllModels({ concurrency: 1 });
      expect(trained.failed).toBe(0);
      expect(trained.results.find((r) => r.model === '')?.status).toBe('trained');
      expect(trained.results).toHaveLength(models.length);
      const applied = await ml.applyToDatabase({ concurrency: 1 });
      expect(applied.failedModels).toBe(0);
      expect(applied.models.find((m) => m.model === '')?.tracks).toBe(victim.trimTracks);
    });
  });
}
