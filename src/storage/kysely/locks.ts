/**
 * The train / apply lock.
 * - PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection pinned for the lock's lifetime; it
 *   dies with the connection, so a crashed holder releases it. The holder's name is recorded in `ml_locks` for the
 *   error message only.
 * - SQLite: a row in `ml_locks` with an expiry, renewed by a heartbeat (a third of the TTL); a crashed holder's row
 *   expires. Taking the lock is one atomic upsert that only overwrites an expired row. The row's token records the
 *   holder's host, pid and (on Linux) process start time: a holder on this host whose process is gone (a kill -9,
 *   a crash) is taken over at once, by a conditional UPDATE on that holder's token, instead of after its lease.
 *
 * A lock can be lost while held: the dedicated PostgreSQL connection dies, or a SQLite holder's process was blocked
 * for longer than the TTL and another process took the expired row. The handle's `lost` signal then aborts with a
 * {@link BusyError} (the manager stops at its next batch) and `release()` throws it, so a run that may have
 * interleaved with another never reports success.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { BusyError, InvalidInputError } from '../../core/errors.js';
import type { LockHandle } from '../repository.js';
import type { RepoContext } from './context.js';
import type { AnyKysely } from './engine.js';

/** Advisory lock class id: 'LTML' as an int4. */
const LOCK_CLASS = 0x4c544d4c;
const LOCK_KEYS = { train: 1, apply: 2 } as const;

/** Why a run is refused, said the same way for both locks: train and apply take both, so either run blocks both. */
function busyMessage(name: string, holder: string, since: string, lease: string): string {
  return (
    `A train or apply is already running (they exclude each other): the ${name} lock is held by "${holder}"${since}${lease}. ` +
    'Wait for it to finish and try again.'
  );
}

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
  // A PostgreSQL session lock has no lease: it lasts as long as the holder's session.
  return new BusyError(busyMessage(name, holder, since, ' (PostgreSQL releases it when that session ends)'), holder);
}

/** Who holds a SQLite lock row: recorded in its token (`ltml1 <host> <pid> <start> <uuid>`). */
interface RowHolder {
  readonly host: string;
  readonly pid: number;
  /** The process start time in clock ticks since boot (Linux `/proc/<pid>/stat` field 22), or null where unknown. */
  readonly start: string | null;
}

/** The start time of process `pid` (Linux: `/proc/<pid>/stat` field 22, clock ticks since boot), or null. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall = the 20th after the name
  } catch {
    return null;
  }
}

const OWN_START = processStartTime(process.pid);

/** A lock token recording this process as the holder. */
function rowToken(): string {
  return `ltml1 ${hostname().replace(/\s/g, '_')} ${process.pid} ${OWN_START ?? '-'} ${randomUUID()}`;
}

/** The holder a token records, or null for a token without one (another version's, a PostgreSQL lock's). */
export function parseRowToken(token: string): RowHolder | null {
  const parts = token.split(' ');
  if (parts.length !== 5 || parts[0] !== 'ltml1') return null;
  const pid = Number(parts[2]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { host: parts[1]!, pid, start: parts[3] === '-' ? null : parts[3]! };
}

/**
 * True when the process a token records is certainly gone: it ran on this host, and its pid does not exist
 * (`process.kill(pid, 0)` fails with ESRCH) or now belongs to a process that started at another time (a reused pid).
 * A holder on another host, or one that cannot be checked, is never declared dead.
 */
export function holderIsDead(holder: RowHolder): boolean {
  if (holder.host !== hostname().replace(/\s/g, '_')) return false;
  if (holder.pid === process.pid) return holder.start !== null && OWN_START !== null && holder.start !== OWN_START;
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    // EPERM: the process exists (another user's).
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (holder.start === null) return false;
  const start = processStartTime(holder.pid);
  return start !== null && start !== holder.start;
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
  let ok: boolean;
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
    loss.lose(
      new BusyError(
        `The ${name} lock was lost: its database connection closed (${cause.message}), so another process may have ` +
          'started meanwhile. The results written so far are complete batches; run again.',
        owner,
      ),
    );
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

/** How long a host pool may take to give the locks' pinned session a second connection for everything else. */
const POOL_PROBE_MS = 5_000;

interface Pin {
  readonly conn: AnyKysely;
  readonly unpin: () => void;
  readonly done: Promise<void>;
}

/**
 * The one connection of a host's Kysely pool that holds this repository's advisory locks while any is held: the
 * locks share it (train + apply cost one connection, not two), and it is returned to the pool when the last one is
 * released. Session advisory locks stack within a session, so the session also keeps which locks it holds and
 * refuses a second holder in this process.
 */
export class PinnedSession {
  private pin: Promise<Pin> | null = null;
  private readonly holders = new Map<string, string>();

  constructor(private readonly db: AnyKysely) {}

  /** The pinned connection for lock `name` (pinning one if none is); throws BusyError if this process holds it. */
  async acquire(name: string, owner: string): Promise<AnyKysely> {
    const holder = this.holders.get(name);
    if (holder !== undefined) {
      throw new BusyError(`The ${name} lock is held by "${holder}" in this process; wait for it to finish and try again.`, holder);
    }
    this.holders.set(name, owner);
    try {
      return (await (this.pin ??= this.pinConnection())).conn;
    } catch (e) {
      await this.release(name);
      throw e;
    }
  }

  /** Gives lock `name` up; the connection goes back to the pool with the last lock. */
  async release(name: string): Promise<void> {
    this.holders.delete(name);
    if (this.holders.size > 0 || this.pin === null) return;
    const pin = this.pin;
    this.pin = null;
    const p = await pin.catch(() => null);
    if (p === null) return;
    p.unpin();
    await p.done;
  }

  private async pinConnection(): Promise<Pin> {
    const pin = await new Promise<Pin>((resolve, reject) => {
      let unpin: () => void = () => undefined;
      const unpinned = new Promise<void>((r) => {
        unpin = r;
      });
      const holder: { done?: Promise<void> } = {};
      holder.done = this.db.connection().execute(async (conn) => {
        resolve({ conn, unpin, done: holder.done! });
        await unpinned;
      });
      holder.done.catch(reject);
    });
    // The repository's other queries need another connection of the pool: a pool of one would wait forever.
    let timer: NodeJS.Timeout | undefined;
    const probe = sql`SELECT 1`.execute(this.db).then(() => true);
    probe.catch(() => undefined);
    const ok = await Promise.race([probe, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), POOL_PROBE_MS)))]);
    clearTimeout(timer);
    if (!ok) {
      pin.unpin();
      await pin.done;
      throw new InvalidInputError(
        `The host's Kysely pool gave no second connection within ${POOL_PROBE_MS / 1000} s while one holds the train/apply ` +
          'locks: give the pool at least 2 connections (pg.Pool max, 10 by default), or let the repository open its own ' +
          'with createPostgresRepository({ connectionString }).',
      );
    }
    return pin;
  }
}

/**
 * PostgreSQL advisory lock: on a dedicated connection when the adapter can open one (its own pool), else on the
 * host pool's connection that the repository's {@link PinnedSession} holds while any lock is held.
 */
export async function acquirePostgresLock(
  ctx: RepoContext,
  name: 'train' | 'apply',
  owner: string,
  where: { readonly open: () => Promise<LockConnection> } | { readonly session: PinnedSession },
): Promise<LockHandle> {
  if ('open' in where) return lockOnDedicated(ctx, where.open, name, owner);
  const { session } = where;
  const token = randomUUID();
  const conn = await session.acquire(name, owner);
  const unlockSql = sql`SELECT pg_advisory_unlock(${LOCK_CLASS}::int4, ${LOCK_KEYS[name]}::int4)`;
  try {
    const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${LOCK_CLASS}::int4, ${LOCK_KEYS[name]}::int4) AS ok`.execute(
      conn,
    );
    if (rows[0]?.ok !== true) {
      await session.release(name);
      throw await busy(ctx, name);
    }
  } catch (e) {
    if (!(e instanceof BusyError)) await session.release(name);
    throw e;
  }
  try {
    await recordHolder(conn, name, owner, token, Date.now(), 0);
  } catch (e) {
    try {
      await unlockSql.execute(conn);
    } finally {
      await session.release(name);
    }
    throw e;
  }
  let done = false;
  return {
    async release() {
      if (done) return;
      done = true;
      try {
        await conn.deleteFrom('ml_locks').where('name', '=', name).where('token', '=', token).execute();
      } finally {
        try {
          await unlockSql.execute(conn);
        } finally {
          await session.release(name);
        }
      }
    },
  };
}

/** Called with one line when a lock is taken over from a dead holder. */
export type LockNotice = (message: string) => void;

/**
 * SQLite lock row with expiry and heartbeat. A row whose holder is a dead process on this host ({@link holderIsDead})
 * is taken over at once, and `onTakeover` is told so; any other live row refuses with a {@link BusyError} naming
 * the lock, its holder and when its lease expires.
 */
export async function acquireRowLock(
  ctx: RepoContext,
  name: 'train' | 'apply',
  owner: string,
  ttlMs: number,
  onTakeover?: LockNotice,
): Promise<LockHandle> {
  const token = rowToken();
  const now = Date.now();
  // One atomic statement: insert, or take over an expired row; a live row of another holder stays.
  await sql`INSERT INTO ml_locks (name, holder, token, acquired_at, expires_at)
    VALUES (${name}, ${owner}, ${token}, ${now}, ${now + ttlMs})
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token,
      acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
    WHERE ml_locks.expires_at < ${now}`.execute(ctx.db);
  const row = await ctx.db
    .selectFrom('ml_locks')
    .select(['token', 'holder', 'acquired_at', 'expires_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  const refuse = (r: Record<string, unknown> | undefined): BusyError => {
    if (r === undefined) return new BusyError(busyMessage(name, 'another process', '', ''), 'another process');
    const expires = Number(r['expires_at']);
    const lease = ` (its lease runs to ${new Date(expires).toISOString()}, in ${Math.max(0, Math.ceil((expires - Date.now()) / 1000))} s, renewed while it runs)`;
    return new BusyError(
      busyMessage(name, String(r['holder']), ` since ${new Date(Number(r['acquired_at'])).toISOString()}`, lease),
      String(r['holder']),
    );
  };
  const reread = () =>
    ctx.db.selectFrom('ml_locks').select(['token', 'holder', 'acquired_at', 'expires_at']).where('name', '=', name).executeTakeFirst();
  if (row === undefined) throw refuse(await reread()); // released and retaken in between: someone else runs
  if (row['token'] !== token) {
    const oldToken = String(row['token']);
    const oldHolder = String(row['holder']);
    const dead = parseRowToken(oldToken);
    if (dead === null || !holderIsDead(dead)) throw refuse(row);
    // The holder's process is gone: take its row over, only if it is still that holder's (a conditional UPDATE on
    // its token, so that of two processes taking over at once one wins).
    const t = Date.now();
    const res = await ctx.db
      .updateTable('ml_locks')
      .set({ holder: owner, token, acquired_at: t, expires_at: t + ttlMs })
      .where('name', '=', name)
      .where('token', '=', oldToken)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw refuse(await reread());
    onTakeover?.(
      `Took over the ${name} lock from "${oldHolder}" (pid ${dead.pid} on this host is no longer running; it held the lock since ` +
        `${new Date(Number(row['acquired_at'])).toISOString()}).`,
    );
  }
  const loss = lossSignal();
  let lastBeatError: Error | null = null;
  const lostLease = (): BusyError =>
    new BusyError(
      `The ${name} lock was lost: its ${ttlMs} ms lease expired before it was renewed ` +
        `(${lastBeatError === null ? 'this process was blocked for longer than that' : `renewal failed: ${lastBeatError.message}`}) ` +
        'and another process took it. The results written so far are complete batches; run again when the other ' +
        'run is done, or raise lockTtlMs.',
      owner,
    );
  const heartbeat = setInterval(
    () => {
      const t = Date.now();
      ctx.db
        .updateTable('ml_locks')
        .set({ expires_at: t + ttlMs })
        .where('name', '=', name)
        .where('token', '=', token)
        .executeTakeFirst()
        .then(
          (res) => {
            if (Number(res.numUpdatedRows) > 0) return;
            // Our row is gone or another holder's: the lease ran out (this process was blocked for longer than the TTL,
            // or the beats failed) and someone else took the lock.
            clearInterval(heartbeat);
            loss.lose(lostLease());
          },
          (e: unknown) => {
            // A failed beat only shortens the lease; the next beat retries (and reports this error if the lease is lost).
            lastBeatError = e instanceof Error ? e : new Error(String(e));
          },
        );
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  heartbeat.unref();
  let done = false;
  return {
    lost: loss.signal,
    async release() {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      const res = await ctx.db.deleteFrom('ml_locks').where('name', '=', name).where('token', '=', token).executeTakeFirst();
      // No row of ours left: the lease ran out and another process took the lock before a beat could notice.
      if (Number(res.numDeletedRows) === 0) loss.lose(lostLease());
      const lost = loss.error();
      if (lost !== null) throw lost;
    },
  };
}
