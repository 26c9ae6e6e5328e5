import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { BusyError, StorageError } from '../../src/core/errors.js';
import { createFileArtifactStore, encodeFileName } from '../../src/storage/artifacts/file-artifact-store.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import { createMemoryRepository } from '../../src/storage/memory/memory-repository.js';
import { fullState } from './contract.js';
import { M1, M2, M3, finalTests, runs } from './fixture.js';
import { tempSqliteFile } from './sql-helpers.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

async function freshSqlite(opts: Parameters<typeof createSqliteRepository>[1] = {}) {
  const t = tempSqliteFile();
  temps.push(t.cleanup);
  const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
  await createReferenceSchema(db);
  await db.destroy();
  return { ...t, repo: await createSqliteRepository({ file: t.file }, { migrate: true, ...opts }) };
}

describe('file artifact store', () => {
  it('encodes model names into safe file names, readable where that is safe (hashes from sha256sum)', () => {
    expect(encodeFileName('8340-1')).toBe('8340-1');
    expect(encodeFileName('o\'neil/2 "x"')).toBe("o'neil%2F2%20%22x%22");
    expect(encodeFileName('..')).toBe('%2E%2E');
    expect(encodeFileName('*')).toBe('%2A');
    expect(encodeFileName('a~b')).toBe('a%7Eb');
    expect(encodeFileName('型号 7')).toBe('%E5%9E%8B%E5%8F%B7%207');
    for (const m of [M1, '型号 7', '..', '*', 'a.b*c~d']) expect(decodeURIComponent(encodeFileName(m))).toBe(m);
    // Upper-case letters: a case-insensitive file system must not give 8340-1A and 8340-1a one file.
    expect(encodeFileName(M2)).toBe("O'Neil%2F2%20%22x%22~9a610b4c2a2f8f6d");
    expect(encodeFileName('8340-1A')).toBe('8340-1A~def07f305573bc0c');
    expect(encodeFileName('8340-1a')).toBe('8340-1a');
    // Windows device names, in any case.
    expect(encodeFileName('CON')).toBe('CON~a3dbc4b644a9a2c5');
    expect(encodeFileName('nul')).toBe('nul~99e6242759016035');
    // Long names are cut to 120 characters (never inside a %XX escape) and identified by the hash.
    const long = '型号'.repeat(30);
    expect(encodeFileName(long)).toBe(`${encodeURIComponent(long).slice(0, 120)}~bc12cafd515217c8`);
    expect(encodeFileName(`x${long}`)).toMatch(/^x(%[0-9A-F]{2}){39}~[0-9a-f]{16}$/u);
    // An empty name (a host's rows may carry one: names are opaque) is the hash alone; no other name encodes so.
    expect(encodeFileName('')).toBe('~e3b0c44298fc1c14');
  });

  it('keeps models apart that differ only in case, and saves long unicode names', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const store = createFileArtifactStore(join(t.dir, 'ml'));
    const long = '型号'.repeat(60);
    for (const model of ['8340-a', '8340-A', long]) await store.save({ model, kind: 'predictor', version: 'v1', content: model });
    const names = readdirSync(join(t.dir, 'ml', 'predictors'));
    expect(names).toHaveLength(3);
    // No two names equal ignoring case; every name far below the 255-byte limit.
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    for (const n of names) expect(Buffer.byteLength(n)).toBeLessThan(160);
    for (const model of ['8340-a', '8340-A', long]) expect((await store.load(model, 'predictor'))?.content).toBe(model);
  });

  it("never serves another model's file, and a corrupt file is a StorageError saying what to do", async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const dir = join(t.dir, 'ml');
    const store = createFileArtifactStore(dir);
    await store.save({ model: 'a', kind: 'predictor', version: 'v1', content: '{}' });
    // A file copied by hand over another model's name.
    copyFileSync(join(dir, 'predictors', 'a.json'), join(dir, 'predictors', 'b.json'));
    await expect(store.load('b', 'predictor')).rejects.toThrow(/holds the predictor of model "a", not of "b".*train the model again/u);
    writeFileSync(join(dir, 'predictors', 'c.json'), '{"kind": "laser-trim');
    await expect(store.load('c', 'predictor')).rejects.toThrow(/not valid JSON.*remove it/u);
    await expect(store.load('c', 'predictor')).rejects.toBeInstanceOf(StorageError);
  });

  it('a save that fails leaves the current version in place and loadable, and no temporary files', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const dir = join(t.dir, 'ml');
    const store = createFileArtifactStore(dir);
    await store.save({ model: 'm', kind: 'predictor', version: 'v1', content: '{"trees":1}' });
    // The kept-version file's place is taken by a directory: the save fails after the new file was written.
    mkdirSync(join(dir, 'predictors', 'm@v1.json'));
    const err = await store.save({ model: 'm', kind: 'predictor', version: 'v2', content: '{"trees":2}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(/Could not write artifact/u);
    expect(await store.load('m', 'predictor')).toMatchObject({ version: 'v1', content: '{"trees":1}' });
    expect(await store.load('m', 'predictor', 'v1')).toMatchObject({ version: 'v1' });
    expect(readdirSync(join(dir, 'predictors')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('lays out <dir>/predictors/<model>.json, writes atomically, and serves an adapter', async () => {
    const t = tempSqliteFile();
    temps.push(t.cleanup);
    const dir = join(t.dir, 'data', 'ml_models');
    const store = createFileArtifactStore(dir);
    const { repo } = await freshSqlite({ artifacts: store });
    await repo.saveModel(fullState(M2, 'v1'), [{ model: M2, kind: 'predictor', version: 'v1', content: '{"trees":1}' }]);
    await repo.saveModel(fullState(M2, 'v2'), [{ model: M2, kind: 'predictor', version: 'v2', content: '{"trees":2}' }]);
    const files = readdirSync(join(dir, 'predictors')).sort();
    // The current version, and the one it replaced (kept until the next save, for a state write that failed); no
    // temp files left behind.
    expect(files).toEqual([`${encodeFileName(M2)}.json`, `${encodeFileName(M2)}@v1.json`].sort());
    expect(JSON.parse(readFileSync(join(dir, 'predictors', `${encodeFileName(M2)}.json`), 'utf8'))).toMatchObject({
      kind: 'laser-trim-ml-artifact',
      version: 1,
      artifact: { model: M2, kind: 'predictor', version: 'v2', content: '{"trees":2}' },
    });
    expect(await repo.loadArtifact(M2, 'predictor')).toMatchObject({ version: 'v2', content: '{"trees":2}' });
    expect(await repo.loadArtifact(M2, 'predictor', 'v1')).toMatchObject({ version: 'v1', content: '{"trees":1}' });
    await repo.saveModel(fullState(M2, 'v3'), [{ model: M2, kind: 'predictor', version: 'v3', content: '{"trees":3}' }]);
    expect(readdirSync(join(dir, 'predictors')).sort()).toEqual([`${encodeFileName(M2)}.json`, `${encodeFileName(M2)}@v2.json`].sort());
    expect(await repo.loadArtifact(M2, 'predictor', 'v1')).toBeNull();
    expect(await repo.loadArtifact(M2, 'predictor', 'v2')).toMatchObject({ content: '{"trees":2}' });
    expect(await repo.loadArtifact(M3, 'predictor')).toBeNull();
    await repo.saveArtifact({ model: '*', kind: 'pooled_predictor', version: 'p', content: '{}' });
    expect(existsSync(join(dir, 'pooled_predictors', '%2A.json'))).toBe(true);
    await repo.close();
  });
});

describe('SQLite lock row', () => {
  it('a holder blocked past its lease learns it lost the lock: the signal aborts with a BusyError, release throws it', async () => {
    const { file, repo } = await freshSqlite({ lockTtlMs: 150 });
    const raw = new Database(file);
    const blocked = await repo.acquireLock('train', 'blocked host');
    const t0 = Date.now();
    while (Date.now() - t0 < 400) {
      // A synchronous phase longer than the lease: no heartbeat can run.
    }
    // Still inside that phase, another process takes the expired row (the upsert acquireLock runs, by hand, so that
    // it happens before this process's next beat).
    raw
      .prepare(
        `UPDATE ml_locks SET holder = 'taker', token = 'theirs', acquired_at = ?, expires_at = ? WHERE name = 'train' AND expires_at < ?`,
      )
      .run(Date.now(), Date.now() + 60_000, Date.now());
    await new Promise<void>((resolve) => blocked.lost?.addEventListener('abort', () => resolve()));
    expect(blocked.lost?.reason).toBeInstanceOf(BusyError);
    expect((blocked.lost?.reason as Error).message).toMatch(/train lock was lost: its 150 ms lease expired.*another process took it/u);
    await expect(blocked.release()).rejects.toBeInstanceOf(BusyError);
    // The loser's release leaves the new holder's row alone.
    await expect(repo.acquireLock('train', 'third')).rejects.toThrow(/taker/u);
    raw.close();
    await repo.close();
  });

  it('a holder that releases after another took its expired lease, before any beat noticed, gets the BusyError', async () => {
    const { file, repo } = await freshSqlite({ lockTtlMs: 60_000 });
    const raw = new Database(file);
    const late = await repo.acquireLock('apply', 'late host');
    // The lease ran out (as if this process had been blocked for a minute) and another process took the row.
    raw.prepare(`UPDATE ml_locks SET holder = 'taker', token = 'theirs' WHERE name = 'apply'`).run();
    await expect(late.release()).rejects.toThrow(/apply lock was lost/u);
    expect(late.lost?.aborted).toBe(true);
    await expect(repo.acquireLock('apply', 'third')).rejects.toThrow(/taker/u);
    raw.close();
    await repo.close();
  });

  it("a crashed holder's row expires; a live holder's heartbeat keeps it", async () => {
    const { file, repo } = await freshSqlite({ lockTtlMs: 300 });
    const other = await createSqliteRepository({ file }, { lockTtlMs: 300 });
    const live = await repo.acquireLock('train', 'live host');
    await new Promise((r) => setTimeout(r, 700)); // > 2 TTLs: only the heartbeat keeps it
    await expect(other.acquireLock('train', 'late host')).rejects.toThrow(BusyError);
    await live.release();
    // A "crash": a row written by a holder that stopped beating (expired 1 ms ago).
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO ml_locks (name, holder, token, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run('apply', 'dead host', 'x', Date.now() - 10_000, Date.now() - 1);
    raw.close();
    const taken = await other.acquireLock('apply', 'new host');
    await expect(repo.acquireLock('apply', 'third')).rejects.toThrow(/new host/);
    await taken.release();
    await repo.close();
    await other.close();
  });
});

describe('memory repository with serial linking', () => {
  it('links the FT without linked_trim_id by serial (run r3 serial "4", 22 days before)', async () => {
    const repo = createMemoryRepository({ finalTestLinking: 'serial' });
    const ids = await repo.insertTrimRuns(runs);
    await repo.insertFinalTests(finalTests(ids));
    const models = await repo.listModels();
    expect(models[0]).toMatchObject({ model: M1, finalTestLinked: 3 });
    const rows = [];
    for await (const b of repo.readTrainingRecords(M1)) rows.push(...b);
    expect(rows.find((r) => r.trimResultId === ids[3])?.finalTest).toMatchObject({ linearityPass: true, failPoints: 0 });
  });
});
