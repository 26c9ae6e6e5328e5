/** Repository factories for the manager's end-to-end tests: in-memory, a real SQLite file, a real PostgreSQL database. */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import { createPostgresRepository } from '../../src/storage/kysely/postgres.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import type { HostDataWriter, MLRepository } from '../../src/storage/repository.js';
import { createTestDatabase, type TestDatabase } from '../setup/postgres.js';
import { tempSqliteFile } from '../storage/sql-helpers.js';

/** A repository under test; `reopen` opens a second repository on the same data (memory: the same object). */
export interface RepoUnderTest {
  readonly repo: MLRepository & HostDataWriter;
  /** Every track's result columns, by track id, as stored (read straight from the database). */
  results(): Promise<Map<number, ResultColumns>>;
  reopen(): Promise<MLRepository & HostDataWriter>;
  close(): Promise<void>;
}

/** A track's result columns as stored. */
export interface ResultColumns {
  readonly sigmaThreshold: number | null;
  readonly sigmaPass: boolean | null;
  readonly failureProbability: number | null;
  readonly riskCategory: string | null;
  readonly mlModelVersion: string | null;
}

const RESULT_SQL =
  'SELECT id, sigma_threshold, sigma_pass, failure_probability, risk_category, ml_model_version FROM track_results ORDER BY id';

function fromRows(rows: Record<string, unknown>[]): Map<number, ResultColumns> {
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return new Map(
    rows.map((r) => [
      Number(r['id']),
      {
        sigmaThreshold: num(r['sigma_threshold']),
        sigmaPass: r['sigma_pass'] === null || r['sigma_pass'] === undefined ? null : Boolean(r['sigma_pass']),
        failureProbability: num(r['failure_probability']),
        riskCategory: (r['risk_category'] as string | null) ?? null,
        mlModelVersion: (r['ml_model_version'] as string | null) ?? null,
      },
    ]),
  );
}

/** A named factory of fresh, empty repositories with the reference schema. */
export interface RepoKind {
  readonly name: string;
  fresh(): Promise<RepoUnderTest>;
  teardown(): Promise<void>;
}

export function memoryKind(): RepoKind {
  return {
    name: 'memory',
    fresh: async () => {
      const repo = createMemoryRepository();
      const results = async (): Promise<Map<number, ResultColumns>> => {
        const out = new Map<number, ResultColumns>();
        for (const { model } of await repo.listModels()) {
          for await (const batch of repo.readTracksForApply(model)) {
            for (const t of batch) {
              const r = repo.trackResults(t.trackResultId);
              out.set(
                t.trackResultId,
                r === undefined
                  ? { sigmaThreshold: null, sigmaPass: null, failureProbability: null, riskCategory: null, mlModelVersion: null }
                  : { ...r },
              );
            }
          }
        }
        return new Map([...out.entries()].sort(([a], [b]) => a - b));
      };
      return { repo, results, reopen: async () => repo, close: async () => {} };
    },
    teardown: async () => {},
  };
}

export function sqliteKind(): RepoKind {
  const cleanups: (() => void)[] = [];
  return {
    name: 'sqlite',
    fresh: async () => {
      const t = tempSqliteFile();
      cleanups.push(t.cleanup);
      const setup = new Kysely({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
      await createReferenceSchema(setup);
      await setup.destroy();
      const opened: { close(): Promise<void> }[] = [];
      const open = async () => {
        const r = await createSqliteRepository({ file: t.file }, { migrate: true });
        opened.push(r);
        return r;
      };
      const repo = await open();
      const results = async (): Promise<Map<number, ResultColumns>> => {
        const db = new Database(t.file, { readonly: true });
        try {
          return fromRows(db.prepare(RESULT_SQL).all() as Record<string, unknown>[]);
        } finally {
          db.close();
        }
      };
      return { repo, results, reopen: open, close: async () => void (await Promise.all(opened.map((r) => r.close()))) };
    },
    teardown: async () => cleanups.forEach((c) => c()),
  };
}

export function postgresKind(): RepoKind {
  let server: TestDatabase | null = null;
  return {
    name: 'postgres',
    fresh: async () => {
      server ??= await createTestDatabase();
      const url = await server.another();
      const setup = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
      await createReferenceSchema(setup);
      await setup.destroy();
      const opened: { close(): Promise<void> }[] = [];
      const open = async () => {
        const r = await createPostgresRepository({ connectionString: url }, { migrate: true });
        opened.push(r);
        return r;
      };
      const repo = await open();
      const results = async (): Promise<Map<number, ResultColumns>> => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          return fromRows((await c.query(RESULT_SQL)).rows as Record<string, unknown>[]);
        } finally {
          await c.end();
        }
      };
      return { repo, results, reopen: open, close: async () => void (await Promise.all(opened.map((r) => r.close()))) };
    },
    teardown: async () => {
      await server?.drop();
    },
  };
}

export const ALL_KINDS = [memoryKind, sqliteKind, postgresKind];
