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
  reopen(): Promise<MLRepository & HostDataWriter>;
  close(): Promise<void>;
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
      return { repo, reopen: async () => repo, close: async () => {} };
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
      return { repo, reopen: open, close: async () => void (await Promise.all(opened.map((r) => r.close()))) };
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
      return { repo, reopen: open, close: async () => void (await Promise.all(opened.map((r) => r.close()))) };
    },
    teardown: async () => {
      await server?.drop();
    },
  };
}

export const ALL_KINDS = [memoryKind, sqliteKind, postgresKind];
