/**
 * The SQLite adapter: better-sqlite3 through Kysely's `SqliteDialect` (WAL journal), or the host's own Kysely instance.
 *
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { InvalidInputError, StorageError } from '../../core/errors.js';
import { detectEngine, untyped } from './engine.js';
import { type KyselyRepository, type KyselyRepositoryOptions, openKyselyRepository } from './kysely-repository.js';
import { resolveSchema } from './mapping.js';

/** Where the SQLite database is: a file the repository opens (and closes), or the host's Kysely instance. */
export type SqliteSource<DB = unknown> = { readonly file: string } | { readonly db: Kysely<DB> };

async function loadBetterSqlite3(): Promise<typeof BetterSqlite3> {
  try {
    const mod = (await import('better-sqlite3')) as { default?: typeof BetterSqlite3 } & typeof BetterSqlite3;
    return mod.default ?? mod;
  } catch (e) {
    throw new StorageError(
      'createSqliteRepository({ file }) needs the better-sqlite3 package: run `npm install better-sqlite3` ' +
        '(or pass your own Kysely instance as { db }).',
      { cause: e },
    );
  }
}

/**
 * Opens a SQLite repository. With `{ file }` the repository opens the file with better-sqlite3 (WAL journal,
 * `synchronous = NORMAL`, 5 s busy timeout), uses the fast prepared-statement bulk path, and closes it in `close()`.
 * With `{ db }` it uses the host's Kysely instance (which `close()` leaves open). The schema is validated before the
 * promise resolves ({@link SchemaMappingError} / {@link SchemaMissingError}).
 *
 * Dates are stored as ISO 8601 UTC text; booleans as 0/1.
 *
 * @example
 * ```ts
 * const repo = await createSqliteRepository({ file: './laser-trim.db' });
 * const repo2 = await createSqliteRepository({ db: hostKysely }, { schema: { tables: { trim_results: 'analysis_results' } } });
 * ```
 */
export async function createSqliteRepository<DB>(
  source: SqliteSource<DB>,
  options: KyselyRepositoryOptions = {},
): Promise<KyselyRepository> {
  // The mapping's names first: a name the engine cannot use fails here, before anything is opened or created.
  resolveSchema(options.schema, 'sqlite');
  if ('db' in source) {
    if (detectEngine(source.db) !== 'sqlite') {
      throw new InvalidInputError('createSqliteRepository got a non-SQLite Kysely instance; use createPostgresRepository.');
    }
    return openKyselyRepository({ db: untyped(source.db), engine: 'sqlite' }, options);
  }
  if (typeof source.file !== 'string' || source.file === '') {
    throw new InvalidInputError('createSqliteRepository needs { file: "path/to/db" } or { db: kysely }.');
  }
  const Database = await loadBetterSqlite3();
  let handle: BetterSqlite3.Database;
  try {
    handle = new Database(source.file);
  } catch (e) {
    throw new StorageError(`Could not open SQLite file ${source.file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    // The first statements read the file's header: a file that is not a SQLite database fails here.
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    handle.pragma('busy_timeout = 5000');
  } catch (e) {
    handle.close();
    const notADatabase = (e as { code?: unknown }).code === 'SQLITE_NOTADB';
    throw new StorageError(
      notADatabase
        ? `${source.file} is not a SQLite database (${(e as Error).message}); give the path of your SQLite database file.`
        : `Could not open SQLite file ${source.file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const db = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: handle }) });
  return openKyselyRepository({ db: untyped(db), engine: 'sqlite', sqliteHandle: handle, destroy: () => db.destroy() }, options);
}
