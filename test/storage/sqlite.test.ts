import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import { repositoryContract } from './contract.js';
import { schemaChecks } from './schema-checks.js';
import { SchemaMappingError } from '../../src/core/errors.js';
import { checkChunkedWrites, insertExtremeRuns, readBothWays, sqliteResultReader, tempSqliteFile } from './sql-helpers.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

repositoryContract('SQLite file (own better-sqlite3 handle)', async () => {
  const t = tempSqliteFile();
  temps.push(t.cleanup);
  const handle = new Database(t.file);
  const setup = new Kysely({ dialect: new SqliteDialect({ database: handle }) });
  await createReferenceSchema(setup);
  await setup.destroy();
  const repo = await createSqliteRepository({ file: t.file }, { migrate: true });
  return { repo, readResult: sqliteResultReader(t.file), close: () => repo.close() };
});

repositoryContract('SQLite through a host Kysely instance', async () => {
  const t = tempSqliteFile();
  temps.push(t.cleanup);
  const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
  await createReferenceSchema(db);
  const repo = await createSqliteRepository({ db }, { migrate: true });
  return {
    repo,
    readResult: sqliteResultReader(t.file),
    close: async () => {
      await repo.close();
      await db.destroy();
    },
  };
});

schemaChecks('SQLite', async () => {
  const t = tempSqliteFile();
  temps.push(t.cleanup);
  const db = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
  return {
    db,
    open: (options) => createSqliteRepository({ file: t.file }, options),
    openHost: (options) => createSqliteRepository({ db }, options),
    close: () => db.destroy(),
  };
});

describe('SQLite specifics', () => {
  it('refuses a mapped table name with a dot (or any name SQLite cannot use) at construction, creating no file', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    for (const [schema, message] of [
      [
        { tables: { trim_results: 'plant.trim_results' } },
        /trim_results.*"plant\.trim_results".*SQLite table names cannot contain a dot/su,
      ],
      [{ tables: { track_results: 'tracks\u0000x' } }, /control character/u],
      [{ tables: { final_test_results: 'ft ' } }, /starts or ends with a blank/u],
      [{ columns: { track_results: { sigma_gradient: 'sg.value' } } }, /column "track_results\.sigma_gradient".*cannot contain a dot/su],
    ] as const) {
      const err = await createSqliteRepository({ file: t.file }, { schema, migrate: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaMappingError);
      expect((err as Error).message).toMatch(message);
      const host = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
      await expect(createSqliteRepository({ db: host }, { schema })).rejects.toThrow(SchemaMappingError);
      await host.destroy();
    }
    expect(existsSync(t.file)).toBe(false);
  });

  it('stores dates as ISO 8601 text and reads SQLAlchemy-style text as UTC', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const repo = await createSqliteRepository({ file: t.file }, { migrate: false }).catch((e: unknown) => e);
    expect(repo).toBeInstanceOf(SchemaMappingError); // no tables yet
    expect((repo as Error).message).toMatch(/"trim_results".*createReferenceSchema/su);
    const handle = new Database(t.file);
    const db = new Kysely({ dialect: new SqliteDialect({ database: handle }) });
    await createReferenceSchema(db);
    const r = await createSqliteRepository({ db }, { migrate: true });
    await r.insertTrimRuns([{ model: 'm', serial: '1', fileDate: new Date('2024-01-02T03:04:05.678Z'), system: null, tracks: [] }]);
    expect(handle.prepare('SELECT file_date FROM trim_results').get()).toEqual({ file_date: '2024-01-02T03:04:05.678Z' });
    handle.prepare("INSERT INTO trim_results (model, serial, file_date) VALUES ('m', '2', '2024-01-02 03:04:06.000000')").run();
    const runId = Number((handle.prepare("SELECT id FROM trim_results WHERE serial = '2'").get() as { id: number }).id);
    handle.prepare("INSERT INTO track_results (trim_result_id, track_id, linearity_pass) VALUES (?, 'default', 1)").run(runId);
    const rows = [];
    for await (const b of r.readTrainingRecords('m', { after: new Date('2024-01-02T03:04:05.678Z') })) rows.push(...b);
    expect(rows.map((x) => [x.fileDate.toISOString(), x.linearityPass])).toEqual([['2024-01-02T03:04:06.000Z', true]]);
    await r.close();
    await db.destroy();
  });

  it('filters `after` exactly whatever form the host stores dates in: zone offsets, epoch milliseconds', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const handle = new Database(t.file);
    const db = new Kysely({ dialect: new SqliteDialect({ database: handle }) });
    await createReferenceSchema(db);
    const r = await createSqliteRepository({ db }, { migrate: true });
    // 2024-05-01T23:30-05:00 is 2024-05-02T04:30Z; 1714622400000 is 2024-05-02T04:00Z; 1714536000000 is 2024-05-01T04:00Z.
    const dates: unknown[] = ['2024-05-01T23:30:00-05:00', 1714622400000, 1714536000000, '2024-05-01 12:00:00', '2024-05-03'];
    for (const [i, d] of dates.entries()) {
      const run = handle
        .prepare('INSERT INTO trim_results (model, serial, file_date) VALUES (?, ?, ?)')
        .run('m', String(i), d).lastInsertRowid;
      handle.prepare("INSERT INTO track_results (trim_result_id, track_id) VALUES (?, 'default')").run(run);
    }
    const read = async (after: Date) => {
      const rows = [];
      for await (const b of r.readTrainingRecords('m', { after })) rows.push(...b);
      return rows.map((x) => x.fileDate.toISOString());
    };
    expect(await read(new Date('2024-05-02T00:00:00Z'))).toEqual([
      '2024-05-02T04:00:00.000Z',
      '2024-05-02T04:30:00.000Z',
      '2024-05-03T00:00:00.000Z',
    ]);
    expect(await read(new Date('2024-05-02T04:00:00Z'))).toEqual(['2024-05-02T04:30:00.000Z', '2024-05-03T00:00:00.000Z']);
    await r.close();
    await db.destroy();
  });

  it('a batch over several 1,000-row statements (host Kysely) or one prepared loop (own handle) is all or nothing', async () => {
    for (const own of [false, true]) {
      const t = tempSqliteFile();
      temps.push(t.cleanup);
      const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
      await createReferenceSchema(db);
      const repo = own
        ? await createSqliteRepository({ file: t.file }, { migrate: true })
        : await createSqliteRepository({ db }, { migrate: true });
      await checkChunkedWrites(repo, sqliteResultReader(t.file), 1_000);
      await repo.close();
      await db.destroy();
    }
  });

  it('reads groups of models as JSON (own handle) exactly as rows: infinite / extreme floats, unicode, NULLs, other date forms', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const handle = new Database(t.file);
    const db = new Kysely({ dialect: new SqliteDialect({ database: handle }) });
    await createReferenceSchema(db);
    const own = await createSqliteRepository({ file: t.file }, { migrate: true });
    const host = await createSqliteRepository({ db });
    const sigmas = [
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      5e-324,
      1.7976931348623157e308,
      0.1 + 0.2,
      0,
      -0.000123456789012345,
      123456789.123456789,
    ];
    await insertExtremeRuns(own, sigmas, ['J "a"/ü 型号', "J b'"], (i) => (i === 3 ? '\u00e9\n"x"' : `S${i}`));
    // Dates a host may hold: SQLAlchemy text and epoch milliseconds (an integer: it sorts before text, as in SQL).
    handle.prepare("UPDATE trim_results SET file_date = '2024-01-03 08:00:00.123456' WHERE serial = 'S2'").run();
    handle.prepare('UPDATE trim_results SET file_date = ? WHERE serial = ?').run(BigInt(Date.UTC(2023, 11, 1)), 'S5');
    // Two forms whose text order (' ' before 'T') is not their time order: both reads keep SQLite's order.
    handle.prepare("UPDATE trim_results SET file_date = '2024-01-20 10:00:00' WHERE serial = 'S4'").run();
    handle.prepare("UPDATE trim_results SET file_date = '2024-01-20T09:00:00.000Z' WHERE serial = 'S6'").run();
    for (const repo of [own, host]) {
      const { bulk, perModel } = await readBothWays(repo);
      expect(bulk).toEqual(perModel);
      expect(bulk.map((r) => r.sigmaGradient).sort()).toEqual([...sigmas].sort());
      expect(bulk.find((r) => r.serial === '\u00e9\n"x"')?.sigmaGradient).toBe(1.7976931348623157e308);
      expect(bulk.find((r) => r.serial === 'S2')?.fileDate.toISOString()).toBe('2024-01-03T08:00:00.123Z');
      expect(bulk.find((r) => r.serial === 'S1')?.finalTest).toMatchObject({ linearityPass: false, failPoints: 4 });
      expect(bulk.filter((r) => r.model === "J b'").map((r) => r.serial)).toEqual(
        ['S5', 'S1', 'S3', 'S7'].map((x) => (x === 'S3' ? '\u00e9\n"x"' : x)),
      );
    }
    await own.close();
    await host.close();
    await db.destroy();
  });

  it('rejects an empty file name with a message saying what to pass', async () => {
    await expect(createSqliteRepository({ file: '' })).rejects.toThrow(/needs \{ file/);
  });
});
