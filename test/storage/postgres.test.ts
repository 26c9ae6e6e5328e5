import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusyError, SchemaMappingError } from '../../src/core/errors.js';
import { createPostgresRepository } from '../../src/storage/kysely/postgres.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { migrateDown, migrateToLatest } from '../../src/storage/kysely/migrations.js';
import { readTrainingRecordsOfModels } from '../../src/storage/repository-helpers.js';
import { createTestDatabase, type TestDatabase } from '../setup/postgres.js';
import { repositoryContract } from './contract.js';
import { schemaChecks } from './schema-checks.js';
import { booleanArray, numberArray, textArray } from '../../src/storage/kysely/pg-arrays.js';
import { checkChunkedWrites, insertExtremeRuns, postgresResultReader, readBothWays } from './sql-helpers.js';
import { full } from './fixture.js';

// Every PostgreSQL test runs in a time zone with an offset and daylight saving time: nothing may depend on it.
process.env.TZ = 'America/Chicago';

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
  it('array literals built for bulk parameters read back exactly: floats, booleans, text with quotes, NULLs', async () => {
    const db = hostKysely((await ready).connectionString);
    try {
      const floats = [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        5e-324,
        1.7976931348623157e308,
        0.1 + 0.2,
        1e21,
        -1.5e-7,
        0,
        null,
      ];
      const f = await sql<{ v: number | null }>`SELECT unnest(${numberArray(floats)}::float8[]) AS v`.execute(db);
      expect(f.rows.map((r) => r.v)).toEqual(floats);
      const ids = [1, 2 ** 53 - 1, null];
      const i = await sql<{ v: string | null }>`SELECT unnest(${numberArray(ids)}::bigint[]) AS v`.execute(db);
      expect(i.rows.map((r) => (r.v === null ? null : Number(r.v)))).toEqual(ids);
      const bools = [true, false, null];
      expect(
        (await sql<{ v: boolean | null }>`SELECT unnest(${booleanArray(bools)}::boolean[]) AS v`.execute(db)).rows.map((r) => r.v),
      ).toEqual(bools);
      const texts = ['', 'NULL', 'null', 'a"b', 'a\\b', '\\"', '{x,y}', ' lead ', ',', 'ü 型号', "O'Neil", null];
      expect((await sql<{ v: string | null }>`SELECT unnest(${textArray(texts)}::text[]) AS v`.execute(db)).rows.map((r) => r.v)).toEqual(
        texts,
      );
    } finally {
      await db.destroy();
    }
  });

  it('filters `after` exactly on text, date and timestamp date columns', async () => {
    for (const [type, values, expected] of [
      [
        'text',
        ['2024-05-01 09:00:00', '2024-05-01T08:00:00Z', '2024-05-02', '2024-04-30 23:59:59'],
        ['2024-05-01T09:00:00.000Z', '2024-05-02T00:00:00.000Z'],
      ],
      ['date', ['2024-05-01', '2024-05-02', '2024-04-30'], ['2024-05-02T00:00:00.000Z']],
      ['timestamp', ['2024-05-01 09:00:00', '2024-05-01 08:30:00', '2024-05-01 08:00:00'], ['2024-05-01T09:00:00.000Z']],
    ] as const) {
      const connectionString = await (await ready).another();
      const db = hostKysely(connectionString);
      await createReferenceSchema(db);
      await sql`ALTER TABLE trim_results ALTER COLUMN file_date TYPE ${sql.raw(type)} USING file_date::${sql.raw(type)}`.execute(db);
      for (const [i, v] of values.entries()) {
        await sql`INSERT INTO trim_results (model, serial, file_date) VALUES ('m', ${String(i)}, ${v})`.execute(db);
      }
      await sql`INSERT INTO track_results (trim_result_id, track_id) SELECT id, 'default' FROM trim_results`.execute(db);
      for (const repo of [
        await createPostgresRepository({ connectionString }, { migrate: true }),
        await createPostgresRepository({ db }),
      ]) {
        const rows = [];
        for await (const b of repo.readTrainingRecords('m', { after: new Date('2024-05-01T08:30:00Z') })) rows.push(...b);
        expect(
          rows.map((r) => r.fileDate.toISOString()),
          type,
        ).toEqual(expected);
        await repo.close();
      }
      await db.destroy();
    }
  });

  it('a batch over several 20,000-row unnest statements is all or nothing', async () => {
    const connectionString = await (await ready).another();
    const setup = hostKysely(connectionString);
    await createReferenceSchema(setup);
    await setup.destroy();
    const repo = await createPostgresRepository({ connectionString }, { migrate: true });
    await checkChunkedWrites(repo, postgresResultReader(connectionString), 20_000);
    await repo.close();
  });

  it('refuses a table name that is not `table` or `schema.table`, or longer than 63 bytes, at construction', async () => {
    const { connectionString } = await ready;
    for (const [name, message] of [
      ['a.b.c', /exactly `schema\.table`/u],
      ['.trim_results', /exactly `schema\.table`/u],
      ['t'.repeat(64), /63 bytes/u],
    ] as const) {
      const err = await createPostgresRepository({ connectionString }, { schema: { tables: { trim_results: name } } }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SchemaMappingError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('host tables in another schema, mapped as schema.table: validation, migrations, reads, writes and down', async () => {
    const connectionString = await (await ready).another();
    const db = hostKysely(connectionString);
    await createReferenceSchema(db);
    await sql`CREATE SCHEMA plant`.execute(db);
    for (const t of ['trim_results', 'track_results', 'final_test_results', 'final_test_tracks']) {
      await sql`ALTER TABLE ${sql.table(t)} SET SCHEMA plant`.execute(db);
    }
    await sql`ALTER TABLE plant.track_results DROP COLUMN ml_model_version`.execute(db);
    const schema = {
      tables: {
        trim_results: 'plant.trim_results',
        track_results: 'plant.track_results',
        final_test_results: 'plant.final_test_results',
        final_test_tracks: 'plant.final_test_tracks',
      },
    };
    await expect(createPostgresRepository({ db }, { schema })).rejects.toThrow(/run the migrations/iu);
    await migrateToLatest(db, { schema });
    for (const repo of [
      await createPostgresRepository({ db }, { schema }),
      await createPostgresRepository({ connectionString }, { schema }),
    ]) {
      const [run] = await repo.insertTrimRuns([
        {
          model: 'S',
          serial: String(Math.random()),
          fileDate: new Date('2024-01-01T00:00:00Z'),
          system: 'B',
          tracks: [full('default', 0.0004)],
        },
      ]);
      const tracks = [];
      for await (const b of repo.readTracksForApply('S')) tracks.push(...b);
      const mine = tracks.find((t) => t.trimResultId === run)!;
      await repo.writeTrackResults([
        {
          trackResultId: mine.trackResultId,
          sigmaThreshold: 0.0005,
          sigmaPass: true,
          failureProbability: 0.25,
          riskCategory: 'low',
          mlModelVersion: 'v9',
        },
      ]);
      const written = await sql<{
        v: string;
      }>`SELECT ml_model_version AS v FROM plant.track_results WHERE id = ${mine.trackResultId}`.execute(db);
      expect(written.rows[0]?.v).toBe('v9');
      expect((await repo.listModels()).map((m) => m.model)).toEqual(['S']);
      await repo.close();
    }
    await migrateDown(db, { schema });
    const cols = await sql<{
      c: string;
    }>`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'plant' AND table_name = 'track_results'`.execute(db);
    expect(cols.rows.map((r) => r.c)).not.toContain('ml_model_version');
    expect(cols.rows.map((r) => r.c)).toContain('sigma_threshold');
    await db.destroy();
  });

  it('zone-less timestamp columns mean UTC, on the own pool and a host pool, whatever the process time zone', async () => {
    expect(new Date(2024, 4, 1).getTimezoneOffset()).toBe(300);
    const connectionString = await (await ready).another();
    const db = hostKysely(connectionString);
    await createReferenceSchema(db);
    await sql`ALTER TABLE trim_results ALTER COLUMN file_date TYPE timestamp`.execute(db);
    await sql`ALTER TABLE final_test_results ALTER COLUMN test_date TYPE timestamp`.execute(db);
    const own = await createPostgresRepository({ connectionString }, { migrate: true });
    const host = await createPostgresRepository({ db });
    try {
      const [written] = await own.insertTrimRuns([
        { model: 'tz', serial: '1', fileDate: new Date('2024-05-01T08:30:00.250Z'), system: 'B', tracks: [full('default', 0.0004)] },
      ]);
      await own.insertFinalTests([
        {
          model: 'tz',
          serial: '1',
          testDate: new Date('2024-05-20T00:00:00Z'),
          linkedTrimId: written!,
          tracks: [{ trackId: 'default', linearityPass: false, failPoints: 4, linearityError: 0.02 }],
        },
      ]);
      // The library stores the UTC wall time; a host that writes naive UTC (SQLAlchemy's default) is read the same.
      const stored = await sql<{ t: string }>`SELECT CAST(file_date AS text) AS t FROM trim_results WHERE id = ${written}`.execute(db);
      expect(stored.rows[0]?.t).toBe('2024-05-01 08:30:00.25');
      await sql`INSERT INTO trim_results (model, serial, file_date) VALUES ('tz', '2', '2024-03-10 02:30:00')`.execute(db);
      await sql`INSERT INTO track_results (trim_result_id, track_id) SELECT id, 'default' FROM trim_results WHERE serial = '2'`.execute(db);
      for (const repo of [own, host]) {
        const rows = [];
        for await (const b of repo.readTrainingRecords('tz')) rows.push(...b);
        expect(rows.map((r) => r.fileDate.toISOString())).toEqual(['2024-03-10T02:30:00.000Z', '2024-05-01T08:30:00.250Z']);
        expect(rows[1]?.finalTest?.testDate.toISOString()).toBe('2024-05-20T00:00:00.000Z');
        const many = [];
        for await (const b of readTrainingRecordsOfModels(repo, await repo.listModels())) many.push(...b.records);
        expect(many).toEqual(rows);
        const after = [];
        for await (const b of repo.readTrainingRecords('tz', { after: new Date('2024-05-01T08:30:00.000Z') })) after.push(...b);
        expect(after.map((r) => r.serial)).toEqual(['1']);
        expect((await repo.listModels())[0]).toMatchObject({
          firstDate: new Date('2024-03-10T02:30:00Z'),
          lastDate: new Date('2024-05-01T08:30:00.250Z'),
        });
      }
    } finally {
      await own.close();
      await host.close();
      await db.destroy();
    }
  });

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
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    // pg_terminate_backend only signals the backend: wait (up to 5 s) until it has exited and its lock is gone.
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.end();
    const lock = await b.acquireLock('apply', 'other');
    await lock.release();
    await b.close();
    await a.close().catch(() => undefined);
  });

  it('a lock whose connection dies is reported lost: its signal aborts with a BusyError and release throws it', async () => {
    const connectionString = await (await ready).another();
    const setup = hostKysely(connectionString);
    await createReferenceSchema(setup);
    await setup.destroy();
    const repo = await createPostgresRepository({ connectionString }, { migrate: true });
    const lock = await repo.acquireLock('train', 'holder');
    expect(lock.lost?.aborted).toBe(false);
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    await admin.end();
    await new Promise<void>((resolve) => (lock.lost?.aborted ? resolve() : lock.lost?.addEventListener('abort', () => resolve())));
    expect(lock.lost?.reason).toBeInstanceOf(BusyError);
    expect((lock.lost?.reason as Error).message).toMatch(/train lock was lost.*run again/u);
    await expect(lock.release()).rejects.toBeInstanceOf(BusyError);
    await repo.close();
  });

  it('locks on a host pool share one pinned connection: a pool of 2 serves both locks and queries, a pool of 1 is refused', async () => {
    const connectionString = await (await ready).another();
    const setup = hostKysely(connectionString);
    await createReferenceSchema(setup);
    await setup.destroy();
    const other = await createPostgresRepository({ connectionString }, { migrate: true });
    const poolOf = (max: number) =>
      new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max }), cursor: Cursor }) });
    const two = poolOf(2);
    const repo = await createPostgresRepository({ db: two });
    try {
      // Both locks, as the manager takes them, on one connection; the pool's other one serves the queries meanwhile.
      const train = await repo.acquireLock('train', 'pool of 2');
      const apply = await repo.acquireLock('apply', 'pool of 2');
      expect(await repo.listModels()).toEqual([]);
      await expect(other.acquireLock('train', 'other')).rejects.toThrow(/held by "pool of 2"/u);
      await expect(other.acquireLock('apply', 'other')).rejects.toThrow(/held by "pool of 2"/u);
      // Session locks stack within a session: the same process is refused a second holder.
      await expect(repo.acquireLock('train', 'second in process')).rejects.toThrow(/held by "pool of 2" in this process/u);
      await apply.release();
      await train.release();
      // Released: another process takes them, and this one again.
      await (await other.acquireLock('train', 'other')).release();
      await (await repo.acquireLock('train', 'again')).release();
    } finally {
      await repo.close();
      await two.destroy();
    }
    const one = poolOf(1);
    const lonely = await createPostgresRepository({ db: one });
    try {
      await expect(lonely.acquireLock('train', 'pool of 1')).rejects.toThrow(/at least 2 connections/u);
      // Nothing is left held: the pool works and another process can lock.
      expect(await lonely.listModels()).toEqual([]);
      await (await other.acquireLock('train', 'other')).release();
    } finally {
      await lonely.close();
      await one.destroy();
      await other.close();
    }
  });

  it('reads groups of models as JSON exactly as rows: NaN / infinite / extreme floats, microseconds, both timestamp types, host Kysely', async () => {
    for (const dateType of ['timestamptz', 'timestamp']) {
      const connectionString = await (await ready).another();
      const db = hostKysely(connectionString);
      await createReferenceSchema(db);
      if (dateType === 'timestamp') await sql`ALTER TABLE trim_results ALTER COLUMN file_date TYPE timestamp`.execute(db);
      const own = await createPostgresRepository({ connectionString }, { migrate: true });
      const host = await createPostgresRepository({ db });
      try {
        const sigmas = [Number.NaN, Number.POSITIVE_INFINITY, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 0, 123456789.123456789];
        await insertExtremeRuns(own, sigmas, ['J "a"/ü', 'J b']);
        // Microseconds the driver and the JSON text both carry (a Date keeps milliseconds).
        await sql`UPDATE trim_results SET file_date = file_date + interval '456 microseconds' WHERE serial = 'S3'`.execute(db);
        for (const repo of [own, host]) {
          const { bulk, perModel } = await readBothWays(repo);
          expect(bulk).toEqual(perModel);
          expect(bulk).toHaveLength(sigmas.length);
          expect(bulk.map((r) => r.sigmaGradient).sort()).toEqual([...sigmas].sort());
          expect(bulk.find((r) => r.serial === 'S3')?.fileDate.getUTCMilliseconds()).toBe(123);
          expect(bulk.find((r) => r.serial === 'S1')?.finalTest).toMatchObject({ linearityPass: false, failPoints: 4 });
        }
      } finally {
        await own.close();
        await host.close();
        await db.destroy();
      }
    }
  });

  it('reports a server that is not reachable as a StorageError', async () => {
    await expect(createPostgresRepository({ connectionString: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow(
      /Could not open the postgres database/,
    );
  });
});
