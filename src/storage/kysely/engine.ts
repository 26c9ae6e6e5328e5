/**
 * Engine detection and the column types each engine uses for the library's DDL.
 *
 * @module
 */
import { type Kysely, PostgresAdapter, SqliteAdapter, sql } from 'kysely';
import { InvalidInputError } from '../../core/errors.js';
import type { Engine } from './codec.js';

/**
 * Internal: any Kysely instance. The library addresses tables by (mapped) name through `sql` templates, so it needs no
 * database type; public functions take `Kysely<DB>` generically and cast once (Kysely's own `Migration` uses
 * `Kysely<any>`). Not exported from the package.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own idiom for a database of any schema
export type AnyKysely = Kysely<any>;

/** Casts a host's typed Kysely instance to the internal untyped one. */
export function untyped<DB>(db: Kysely<DB>): AnyKysely {
  return db;
}

/**
 * The engine behind a Kysely instance, from its adapter (Kysely's `PostgresAdapter` / `SqliteAdapter` or a subclass).
 *
 * @example
 * ```ts
 * detectEngine(new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) })); // 'sqlite'
 * ```
 */
export function detectEngine<DB>(db: Kysely<DB>): Engine {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  const name = adapter.constructor.name.toLowerCase();
  if (name.includes('postgres')) return 'postgres';
  if (name.includes('sqlite')) return 'sqlite';
  throw new InvalidInputError(`Unsupported Kysely dialect (${adapter.constructor.name}): laser-trim-ml supports SQLite and PostgreSQL.`);
}

/** DDL column types per engine. SQLite: dates as ISO text, booleans as 0/1 integers. */
export function ddlTypes(engine: Engine) {
  const pg = engine === 'postgres';
  return {
    id: pg ? sql`serial` : sql`integer`,
    date: pg ? sql`timestamptz` : sql`text`,
    bool: pg ? sql`boolean` : sql`integer`,
    float: sql`double precision`,
    bigint: sql`bigint`,
    int: sql`integer`,
    text: sql`text`,
  } as const;
}

/** Column names of a table (`null` when it does not exist), by bare or `schema.table` name (see {@link allTables}). */
export async function tableColumns(db: AnyKysely, table: string): Promise<string[] | null> {
  const columns = (await allTables(db)).get(table);
  return columns === undefined ? null : [...columns.keys()];
}

/**
 * Every table with its columns and their data types (as the engine names them, e.g. `timestamptz`), under its bare
 * name (a name in several schemas: the one in `public`) and, where the engine has schemas, also as `schema.name`, as
 * a schema mapping may name it (Kysely reads a dotted name as schema-qualified).
 */
export async function allTables(db: AnyKysely): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const t of await db.introspection.getTables()) {
    const columns = new Map(t.columns.map((c) => [c.name, c.dataType.toLowerCase()]));
    if (t.schema !== undefined) out.set(`${t.schema}.${t.name}`, columns);
    if (out.has(t.name) && t.schema !== 'public') continue;
    out.set(t.name, columns);
  }
  return out;
}

/**
 * `db.transaction().execute(fn)`, but an error thrown inside `fn` is the error the caller gets. SQLite rolls a
 * transaction back by itself on some errors (`SQLITE_FULL`, `SQLITE_IOERR`, ...); Kysely's ROLLBACK then fails with
 * "cannot rollback - no transaction is active", which would replace the cause (a full disk would read as a rollback
 * bug).
 */
export async function transact<R>(db: AnyKysely, fn: (trx: AnyKysely) => Promise<R>): Promise<R> {
  let inner: { error: unknown } | null = null;
  try {
    return await db.transaction().execute(async (trx) => {
      try {
        return await fn(trx);
      } catch (error) {
        inner = { error };
        throw error;
      }
    });
  } catch (error) {
    if (inner !== null) throw (inner as { error: unknown }).error;
    throw error;
  }
}
