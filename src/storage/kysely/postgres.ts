/**
 * The PostgreSQL adapter: pg + pg-cursor through Kysely's `PostgresDialect` (with `cursor` so `.stream()` works), or
 * the host's own Kysely instance.
 *
 * @module
 */
import { Kysely, PostgresDialect } from 'kysely';
import { InvalidInputError, StorageError } from '../../core/errors.js';
import { detectEngine, untyped } from './engine.js';
import { type KyselyRepository, type KyselyRepositoryOptions, openKyselyRepository } from './kysely-repository.js';
import { resolveSchema } from './mapping.js';

/** Where the PostgreSQL database is: a connection string (the repository owns a pool) or the host's Kysely instance. */
export type PostgresSource<DB = unknown> =
  { readonly connectionString: string; /** Pool size, default 10. */ readonly poolSize?: number } | { readonly db: Kysely<DB> };

async function loadDrivers() {
  try {
    const pg = await import('pg');
    const cursor = await import('pg-cursor');
    const { Pool, Client } = pg.default ?? pg;
    const Cursor = (cursor as { default?: unknown }).default ?? cursor;
    return { Pool, Client, Cursor: Cursor as typeof import('pg-cursor') };
  } catch (e) {
    throw new StorageError(
      'createPostgresRepository({ connectionString }) needs the pg and pg-cursor packages: run `npm install pg pg-cursor` ' +
        '(or pass your own Kysely instance as { db }).',
      { cause: e },
    );
  }
}

/**
 * Opens a PostgreSQL repository. With `{ connectionString }` it owns a `pg` pool (closed by `close()`); with `{ db }`
 * it uses the host's Kysely instance. The lock holds one pooled connection while held. The schema is validated
 * before the promise resolves ({@link SchemaMappingError} / {@link SchemaMissingError}).
 *
 * @example
 * ```ts
 * const repo = await createPostgresRepository({ connectionString: process.env.DATABASE_URL! }, { migrate: true });
 * ```
 */
export async function createPostgresRepository<DB>(
  source: PostgresSource<DB>,
  options: KyselyRepositoryOptions = {},
): Promise<KyselyRepository> {
  // The mapping's names first: a name the engine cannot use fails here, before anything is opened or created.
  resolveSchema(options.schema, 'postgres');
  if ('db' in source) {
    if (detectEngine(source.db) !== 'postgres') {
      throw new InvalidInputError('createPostgresRepository got a non-PostgreSQL Kysely instance; use createSqliteRepository.');
    }
    return openKyselyRepository({ db: untyped(source.db), engine: 'postgres' }, options);
  }
  if (typeof source.connectionString !== 'string' || source.connectionString === '') {
    throw new InvalidInputError('createPostgresRepository needs { connectionString: "postgres://..." } or { db: kysely }.');
  }
  const { Pool, Client, Cursor } = await loadDrivers();
  const pool = new Pool({ connectionString: source.connectionString, max: source.poolSize ?? 10 });
  // An idle client dying (server restart, terminated backend) must not crash the host process: pg emits it on the
  // pool; the next query on a fresh client reports any lasting problem.
  pool.on('error', () => undefined);
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  const connectionString = source.connectionString;
  const openLockConnection = async () => {
    const client = new Client({ connectionString });
    // If the lock's connection dies, the session lock is gone: the lock handle reports it as lost (and the error must
    // not crash the host process as an unhandled 'error' event).
    const listeners: ((cause: Error) => void)[] = [];
    let ending = false;
    let lostWith: Error | null = null; // kept for a listener that registers after the connection died
    const lost = (cause: Error) => {
      if (ending || lostWith !== null) return;
      lostWith = cause;
      for (const l of listeners) l(cause);
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the server closed the connection')));
    await client.connect();
    return {
      query: (text: string, values: unknown[]) => client.query(text, values),
      end: async () => {
        ending = true;
        await client.end();
      },
      onLost: (listener: (cause: Error) => void) => {
        if (lostWith !== null) listener(lostWith);
        else listeners.push(listener);
      },
    };
  };
  const pgQuery = async (name: string, text: string, values: unknown[]): Promise<unknown[][] & { fields?: unknown }> => {
    // Host dates are read as text (see hostDate) and parsed by the codec, so pg's own type parsers serve the rest.
    const res = await pool.query({ name, text, values, rowMode: 'array' });
    return Object.assign(res.rows as unknown[][], { fields: res.fields.map((f) => f.name) });
  };
  return openKyselyRepository({ db: untyped(db), engine: 'postgres', openLockConnection, pgQuery, destroy: () => db.destroy() }, options);
}
