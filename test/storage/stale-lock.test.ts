import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { BusyError } from '../../src/core/errors.js';
import { holderIsDead, parseRowToken, processStartTime } from '../../src/storage/kysely/locks.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import { tempSqliteFile } from './sql-helpers.js';

const temps: (() => void)[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  temps.forEach((c) => c());
});

async function freshFile(): Promise<string> {
  const t = tempSqliteFile();
  temps.push(t.cleanup);
  const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(t.file) }) });
  await createReferenceSchema(db);
  await db.destroy();
  await (await createSqliteRepository({ file: t.file }, { migrate: true })).close();
  return t.file;
}

/** Starts a process that takes both locks on `file`; resolves once it holds them. */
async function holder(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/storage/lock-holder.child.ts', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A pid that existed a moment ago and no longer does. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function insertRow(file: string, name: string, holderName: string, token: string, expiresInMs: number): void {
  const raw = new Database(file);
  raw
    .prepare('INSERT INTO ml_locks (name, holder, token, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)')
    .run(name, holderName, token, Date.now() - 1000, Date.now() + expiresInMs);
  raw.close();
}

const host = hostname().replace(/\s/g, '_');

describe('SQLite lock: a dead holder on this host is taken over at once', () => {
  it('kill -9 of a process holding both locks, then an immediate acquire: taken over within 2 s, said in one line', async () => {
    const file = await freshFile();
    const child = await holder(file);
    const pid = child.pid!;
    await kill9(child);
    const t0 = Date.now();
    const notices: string[] = [];
    const repo = await createSqliteRepository({ file }, { onLockTakeover: (m) => notices.push(m) });
    const train = await repo.acquireLock('train', 'rerun (train)');
    const apply = await repo.acquireLock('apply', 'rerun (train)');
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(2000);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(
      new RegExp(`^Took over the train lock from "child pid ${pid} \\(train\\)" \\(pid ${pid} on this host is no longer running`, 'u'),
    );
    expect(notices[1]).toMatch(/^Took over the apply lock/u);
    expect(notices.every((n) => !n.includes('\n'))).toBe(true);
    await apply.release();
    await train.release();
    await repo.close();
  });

  it('a live holder is not taken over: the BusyError names the lock, the holder and when its lease expires', async () => {
    const file = await freshFile();
    const child = await holder(file);
    const repo = await createSqliteRepository({ file });
    const err = await repo.acquireLock('train', 'second').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusyError);
    const msg = (err as BusyError).message;
    expect(msg).toMatch(
      /^A train or apply is already running \(they exclude each other\): the train lock is held by "child pid \d+ \(train\)"/u,
    );
    expect(msg).toMatch(/its lease runs to \d{4}-\d\d-\d\dT[\d:.]+Z, in (59|60) s, renewed while it runs/u);
    expect((err as BusyError).holder).toBe(`child pid ${child.pid} (train)`);
    await kill9(child);
    // Dead now: the next acquire proceeds.
    await (await repo.acquireLock('train', 'third')).release();
    await repo.close();
  });

  it('a holder on another host, or with a token that records no holder, waits for its lease', async () => {
    const file = await freshFile();
    insertRow(file, 'train', 'elsewhere', `ltml1 not-${host} ${deadPid()} - 00000000-0000-0000-0000-000000000000`, 30_000);
    insertRow(file, 'apply', 'old version', '6f1c7a4e-2f5e-4f43-9d8e-3b0a3b6a9f11', 30_000);
    const repo = await createSqliteRepository({ file });
    await expect(repo.acquireLock('train', 'me')).rejects.toThrow(/held by "elsewhere".*lease runs to .*in (29|30) s/u);
    await expect(repo.acquireLock('apply', 'me')).rejects.toThrow(/held by "old version"/u);
    await repo.close();
  });

  it('two processes taking over the same dead holder at once: exactly one wins (conditional update on its token)', async () => {
    const file = await freshFile();
    insertRow(file, 'train', 'crashed', `ltml1 ${host} ${deadPid()} - 00000000-0000-0000-0000-000000000000`, 60_000);
    const a = await createSqliteRepository({ file });
    const b = await createSqliteRepository({ file });
    const results = await Promise.allSettled([a.acquireLock('train', 'a'), b.acquireLock('train', 'b')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(BusyError);
    expect((lost.reason as BusyError).message).toMatch(/held by "(a|b)"/u);
    await (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    await a.close();
    await b.close();
  });

  it('tokens record host, pid and start time; a reused pid (another start time) counts as dead, a live one not', () => {
    const start = processStartTime(process.pid);
    const own = parseRowToken(`ltml1 ${host} ${process.ppid} ${processStartTime(process.ppid) ?? '-'} x`)!;
    expect(own).toMatchObject({ host, pid: process.ppid });
    expect(holderIsDead(own)).toBe(false);
    expect(holderIsDead({ host, pid: deadPid(), start: null })).toBe(true);
    expect(holderIsDead({ host: `not-${host}`, pid: deadPid(), start: null })).toBe(false);
    expect(parseRowToken('6f1c7a4e-2f5e-4f43-9d8e-3b0a3b6a9f11')).toBeNull();
    if (start !== null) {
      // Linux: the parent's pid is alive, but a token from a process of that pid that started at another time is stale.
      expect(holderIsDead({ host, pid: process.ppid, start: `${Number(processStartTime(process.ppid)) + 1}` })).toBe(true);
    }
  });
});
