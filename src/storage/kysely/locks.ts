/**
 * The train / apply lock.
 * - PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection pinned for the lock's lifetime; it
 *   dies with the connection, so a crashed holder releases it. The holder's name is recorded in `ml_locks` for the
 *   error message only.
 * - SQLite: a row in `ml_locks` with an expiry, renewed by a heartbeat (a third of the TTL); a crashed holder's row
 *   expires. Taking the lock is one atomic upsert that only overwrites an expired row.
 *
 * A lock can be lost while held: the dedicated PostgreSQL connection dies, or a SQLite holder's process was blocked
 * for longer than the TTL and another process took the expired row. The handle's `lost` signal then aborts with a
 * {@link BusyError} (the manager stops at its next batch) and `release()` throws it, so a run that may have
 * interleaved with another never reports success.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { BusyError } from '../../core/errors.js';
import type { LockHandle } from '../repository.js';
import type { RepoContext } from './context.js';
import type { AnyKysely } from './engine.js';

/** Advisory lock class id: 'LTML' as an int4. */
const LOCK_CLASS = 0x4c544d4c;
const LOCK_KEYS = { train: 1, apply: 2 } as const;

async function busy(ctx: RepoContext, name: string): Promise<BusyError> {
  const read = () => ctx.db.selectFrom('ml_locks').select(['holder', 'acquired_at']).where('name', '=', name).executeTakeFirst();
  let row = await read();
  // The holder records itself right after taking the advisory lock: give it a moment to do so (up to ~0.5 s).
  for (let i = 0; row === undefined && i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    row = await read();
  }
  const holder = row === undefined ? 'another process' : String(row['holder']);
  const since = row === undefined ? '' : ` since ${new Date(Number(row['acquired_at'])).toISOString()}`;
  return new BusyError(`The ${name} lock is held by "${holder}"${since}; wait for it to finish and try again.`, holder);
}

async function recordHolder(db: AnyKysely, name: string, owner: string, token: string, now: number, expires: number): Promise<void> {
  const row = { name, holder: owner, token, acquired_at: now, expires_at: expires };
  await db
    .insertInto('ml_locks')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ holder: owner, token, acquired_at: now, expires_at: expires }))
    .execute();
}

/** The lost-lock signal of a handle, and how to raise it (once). */
function lossSignal(): { signal: AbortSignal; lose(error: BusyError): void; error(): BusyError | null } {
  const controller = new AbortController();
  let lostWith: BusyError | null = null;
  return {
    signal: controller.signal,
    lose(error) {
      if (lostWith !== null) return;
      lostWith = error;
      controller.abort(error);
    },
    error: () => lostWith,
  };
}

/** A dedicated connection for the advisory lock (the adapter's own `pg.Client`, with an error listener). */
export interface LockConnection {
  query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  /** Calls `listener` if the connection fails or closes before `end()` (the session lock is then gone). */
  onLost(listener: (cause: Error) => void): void;
}

/**
 * PostgreSQL advisory lock on a dedicated connection, opened for the lock and closed on release (the adapter's own
 * pool case: a crash of this connection cannot reach the pool).
 */
async function lockOnDedicated(
  ctx: RepoContext,
  open: () => Promise<LockConnection>,
  name: 'train' | 'apply',
  owner: string,
): Promise<LockHandle> {
  const token = randomUUID();
  const conn = await open();
  let ok = false;
  try {
    const { rows } = await conn.query('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', [LOCK_CLASS, LOCK_KEYS[name]]);
    ok = rows[0]?.['ok'] === true;
    if (ok) await recordHolder(ctx.db, name, owner, token, Date.now(), 0);
  } catch (e) {
    await conn.end().catch(() => undefined); // the query's error is the one to report
    throw e;
  }
  if (!ok) {
    await conn.end().catch(() => undefined); // closing a connection that holds nothing: the busy error is the news
    throw await busy(ctx, name);
  }
  const loss = lossSignal();
  let done = false;
  conn.onLost((cause) => {
    if (done) return;
    loss.lose(new BusyError(
      `The ${name} lock was lost: its database connection closed (${cause.message}), so another process may have ` +
        'started meanwhile. The results written so far are complete batches; run again.',
      owner,
    ));
  });
  return {
    lost: loss.signal,
    async release() {
      if (done) return;
      done = true;
      try {
        await ctx.db.deleteFrom('ml_locks').where('name', '=', name).where('token', '=', token).execute();
      } finally {
        // Closing the session releases the advisory lock; a connection that fails to close is gone, and its lock
        // with it.
        await conn.end().catch(() => undefined);
      }
      const lost = loss.error();
      if (lost !== null) throw lost;
    },
  };
}

/**
 * PostgreSQL advisory lock: on a dedicated connection when the adapter can open one, else on a connection of the
 * host's Kysely pool, pinned for the lock's lifetime.
 */
export async function acquirePostgresLock(
  ctx: RepoContext,
  name: 'train' | 'apply',
  owner: string,
  open?: () => Promise<LockConnection>,
): Promise<LockHandle> {
  if (open !== undefined) return lockOnDedicated(ctx, open, name, owner);
  const token = randomUUID();
  let unlock: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    unlock = resolve;
  });
  let acquired: (ok: boolean) => void = () => undefined;
  const gotLock = new Promise<boolean>((resolve) => {
    acquired = resolve;
  });
  // Everything the lock does runs on the one pinned connection, so a host pool of any size (even one connection)
  // serves it: take the lock, record the holder, wait for release, delete the record, unlock.
  const held = ctx.db.connection().execute(async (conn) => {
    const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${LOCK_CLASS}::int4, ${LOCK_KEYS[name]}::int4) AS ok`.execute(conn);
    if (rows[0]?.ok !== true) return acquired(false);
    const unlockSql = sql`SELECT pg_advisory_unlock(${LOCK_CLASS}::int4, ${LOCK_KEYS[name]}::int4)`;
    try {
      await recordHolder(conn, name, owner, token, Date.now(), 0);
    } catch (e) {
      await unlockSql.execute(conn);
      throw e;
    }
    acquired(true);
    await released; // keep the connection (and so the session lock) until release
    try {
      await conn.deleteFrom('ml_locks').where('name', '=', name).where('token', '=', token).execute();
    } finally {
      await unlockSql.execute(conn);
    }
  });
  // `held` settles early only when the lock was not taken or a query failed (its error rejects this race).
  if (!(await Promise.race([gotLock, held.then(() => false)]))) throw await busy(ctx, name);
  let done = false;
  return {
    async release() {
      if (done) return;
      done = true;
      unlock();
      await held;
    },
  };
}

/** SQLite lock row with expiry and heartbeat. */
export async function acquireRowLock(ctx: RepoContext, name: 'train' | 'apply', owner: string, ttlMs: number): Promise<LockHandle> {
  const token = randomUUID();
  const now = Date.now();
  // One atomic statement: insert, or take over an expired row; a live row of another holder stays.
  await sql`INSERT INTO ml_locks (name, holder, token, acquired_at, expires_at)
    VALUES (${name}, ${owner}, ${token}, ${now}, ${now + ttlMs})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token,
      acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
    WHERE ml_locks.expires_at < ${now}`.execute(ctx.db);
  const row = await ctx.db.selectFrom('ml_locks').select('token').where('name', '=', name).executeTakeFirst();
  if (row === undefined || row['token'] !== token) throw await busy(ctx, name);
  const loss = lossSignal();
  let lastBeatError: Error | null = null;
  const heartbeat = setInterval(() => {
    const t = Date.now();
    ctx.db
      .updateTable('ml_locks')
      .set({ expires_at: t + ttlMs })
      .where('name', '=', name)
      .where('token', '=', token)
      .executeTakeFirst()
      .then((res) => {
        if (Number(res.numUpdatedRows) > 0) return;
        // Our row is gone or another holder's: the lease ran out (this process was blocked for longer than the TTL,
        // or the beats failed) and someone else took the lock.
        clearInterval(heartbeat);
        loss.lose(new BusyError(
          `The ${name} lock was lost: its ${ttlMs} ms lease expired before it was renewed ` +
            `(${lastBeatError === null ? 'this process was blocked for longer than that' : `renewal failed: ${lastBeatError.message}`}) ` +
            'and another process took it. The results written so far are complete batches; run again when the other ' +
            'run is done, or raise lockTtlMs.',
          owner,
        ));
      }, (e: unknown) => {
        // A failed beat only shortens the lease; the next beat retries (and reports this error if the lease is lost).
        lastBeatError = e instanceof Error ? e : new Error(String(e));
      });
  }, Math.max(10, Math.floor(ttlMs / 3)));
  heartbeat.unref();
  let done = false;
  return {
    lost: loss.signal,
    async release() {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      await ctx.db.deleteFrom('ml_locks').where('name', '=', name).where('token', '=', token).execute();
      const lost = loss.error();
      if (lost !== null) throw lost;
    },
  };
}
