/**
 * Opens the repository a `--db` argument names: a SQLite file path, or a `postgres://` / `postgresql://` URL.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { SchemaMissingError, StorageError } from '../core/errors.js';
import { createReferenceSchema } from '../storage/kysely/reference-schema.js';
import { createPostgresRepository } from '../storage/kysely/postgres.js';
import { createSqliteRepository } from '../storage/kysely/sqlite.js';
import type { KyselyRepository } from '../storage/kysely/kysely-repository.js';

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
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

/** Opens the repository; optionally runs the migrations and creates the reference host tables first. */
export async function openRepository(db: string, options: { migrate: boolean; referenceSchema?: boolean }): Promise<KyselyRepository> {
  if (!isPostgresUrl(db) && !options.migrate && !existsSync(db)) {
    // Opening would create an empty file; say what to do instead.
    throw new SchemaMissingError(
      `No SQLite database at ${db}. Point --db at your app's database, run "laser-trim-ml migrate --db ${db} --reference-schema" to create a new one, or "laser-trim-ml demo" for a demo.`,
    );
  }
  if (options.referenceSchema) await withTemporaryKysely(db, (k) => createReferenceSchema(k));
  return isPostgresUrl(db)
    ? createPostgresRepository({ connectionString: db }, { migrate: options.migrate })
    : createSqliteRepository({ file: db }, { migrate: options.migrate });
}
