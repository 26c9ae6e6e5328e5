import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRepository } from '../../src/storage/kysely/postgres.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createTestDatabase, type TestDatabase } from '../setup/postgres.js';
import { repositoryContract } from './contract.js';
import { schemaChecks } from './schema-checks.js';
import { postgresResultReader } from './sql-helpers.js';

let pgdb: TestDatabase;
const ready = (async () => {
  pgdb = await createTestDatabase();
  return pgdb;
})();
beforeAll(async () => {
  await ready;
});
afterAll(async () => {
  await (await ready).drop();
});

const hostKysely = (connectionString: string) =>
  new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 4 }), cursor: Cursor }) });

repositoryContract('PostgreSQL (own pool)', async () => {
  const { connectionString } = await ready;
  const setup = hostKysely(connectionString);
  await createReferenceSchema(setup);
  await setup.destroy();
  const repo = await createPostgresRepository({ connectionString }, { migrate: true });
  return { repo, readResult: postgresResultReader(connectionString), close: () => repo.close() };
});

repositoryContract('PostgreSQL through a host Kysely instance', async () => {
  const connectionString = await (await ready).another();
  const db = hostKysely(connectionString);
  await createReferenceSchema(db);
  const repo = await createPostgresRepository({ db }, { migrate: true });
  return {
    repo,
    readResult: postgresResultReader(connectionString),
    close: async () => {
      await repo.close();
      await db.destroy();
    },
  };
});

schemaChecks('PostgreSQL', async () => {
  const connectionString = await (await ready).another();
  const db = hostKysely(connectionString);
  return {
    db,
    open: (options) => createPostgresRepository({ connectionString }, options),
    openHost: (options) => createPostgresRepository({ db }, options),
    close: () => db.destroy(),
  };
});

describe('PostgreSQL specifics', () => {
  it('the advisory lock dies with its connection (a crashed holder releases it)', async () => {
    const connectionString = await (await ready).another();
    const setup = hostKysely(connectionString);
    await createReferenceSchema(setup);
    await setup.destroy();
    const a = await createPostgresRepository({ connectionString }, { migrate: true });
    const b = await createPostgresRepository({ connectionString });
    await a.acquireLock('apply', 'crashing host');
    await expect(b.acquireLock('apply', 'other')).rejects.toThrow(/crashing host/);
    // Simulate the crash: terminate the holder's backend(s) from outside.
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    await admin.end();
    const lock = await b.acquireLock('apply', 'other');
    await lock.release();
    await b.close();
    await a.close().catch(() => undefined);
  });

  it('reports a server that is not reachable as a StorageError', async () => {
    await expect(createPostgresRepository({ connectionString: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow(
      /Could not open the postgres database/,
    );
  });
});
