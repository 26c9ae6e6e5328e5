/**
 * Opens the repository a `--db` argument names: a SQLite file path, or a `postgres://` / `postgresql://` URL.
 * Every failure to open becomes one {@link LaserTrimMLError} line saying what is wrong and what to do (exit 3).
 *
 * @module
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { LaserTrimMLError, SchemaMissingError, StorageError } from '../core/errors.js';
import type { SchemaMapping } from '../storage/kysely/mapping.js';
import { createReferenceSchema } from '../storage/kysely/reference-schema.js';
import { createPostgresRepository } from '../storage/kysely/postgres.js';
import { createSqliteRepository } from '../storage/kysely/sqlite.js';
import type { KyselyRepository } from '../storage/kysely/kysely-repository.js';

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * Checks that an existing path is a SQLite database file (an empty file is one: SQLite writes the header on the first
 * write). Throws {@link StorageError} saying what it is instead.
 */
export function checkSqliteFile(file: string): void {
  let fd: number | undefined;
  try {
    if (statSync(file).isDirectory()) throw new StorageError(`--db ${file} is a directory; give the path of a SQLite file in it.`);
    fd = openSync(file, 'r');
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n > 0 && (n < 16 || head.toString('latin1') !== SQLITE_HEADER)) {
      throw new StorageError(
        `--db ${file} is not a SQLite database (it does not start with the SQLite header); point --db at your app's SQLite file or give a postgres:// URL.`,
      );
    }
  } catch (e) {
    if (e instanceof StorageError) throw e;
    throw new StorageError(`--db ${file} cannot be opened (${(e as Error).message}); check the file's permissions.`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function withTemporaryKysely(db: string, fn: (k: Kysely<Record<string, never>>) => Promise<void>): Promise<void> {
  let k: Kysely<Record<string, never>>;
  if (isPostgresUrl(db)) {
    const pg = (await import('pg')).default;
    k = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db, max: 1 }) }) });
  } else {
    let Database;
    try {
      Database = (await import('better-sqlite3')).default;
    } catch (e) {
      throw new StorageError('SQLite needs the better-sqlite3 package: run `npm install better-sqlite3`.', { cause: e });
    }
    k = new Kysely({ dialect: new SqliteDialect({ database: new Database(db) }) });
  }
  try {
    await fn(k);
  } finally {
    await k.destroy();
  }
}

/** What {@link openRepository} does. */
export interface OpenOptions {
  /** Run the migrations (the library's tables and result columns). */
  readonly migrate: boolean;
  /** Create the reference schema's host tables first (a new database). */
  readonly referenceSchema?: boolean;
  /** The host's names ({@link SchemaMapping}). */
  readonly schema?: SchemaMapping | undefined;
  /** Told (one line) when a train/apply lock of a dead process on this host is taken over. */
  readonly onLockTakeover?: (message: string) => void;
}

/** Opens the repository; optionally runs the migrations and creates the reference host tables first. */
export async function openRepository(db: string, options: OpenOptions): Promise<KyselyRepository> {
  const sqlite = !isPostgresUrl(db);
  const existed = sqlite && existsSync(db);
  if (sqlite && !existed) {
    // Opening would create an empty file; say what to do instead (migrate creates one only for the reference schema).
    if (options.migrate && !options.referenceSchema) {
      throw new SchemaMissingError(
        `No SQLite database at ${db}: migrate adds the library's tables to an existing database. Point --db at your app's database, or add --reference-schema to create a new one with the reference host tables.`,
      );
    }
    if (!options.migrate) {
      throw new SchemaMissingError(
        `No SQLite database at ${db}. Point --db at your app's database, run "laser-trim-ml migrate --db ${db} --reference-schema" to create a new one, or "laser-trim-ml demo" for a demo.`,
      );
    }
  }
  if (existed) checkSqliteFile(db);
  const schema = {
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.onLockTakeover !== undefined ? { onLockTakeover: options.onLockTakeover } : {}),
  };
  try {
    if (options.referenceSchema) await withTemporaryKysely(db, (k) => createReferenceSchema(k));
    return sqlite
      ? await createSqliteRepository({ file: db }, { migrate: options.migrate, ...schema })
      : await createPostgresRepository({ connectionString: db }, { migrate: options.migrate, ...schema });
  } catch (e) {
    // A file this call created and could not set up is removed (a failed migrate leaves nothing behind).
    if (sqlite && !existed) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${db}${suffix}`, { force: true });
    if (e instanceof LaserTrimMLError) throw e;
    const what = sqlite ? `the SQLite file ${db}` : 'the PostgreSQL database';
    const todo = sqlite
      ? "check that it is your app's SQLite database and that it is readable"
      : 'check the URL and that the server is running';
    throw new StorageError(`Could not open ${what}: ${(e as Error).message}; ${todo}.`, { cause: e });
  }
}
