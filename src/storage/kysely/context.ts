/**
 * What every query of the Kysely adapters needs: the instance, the engine, the resolved names, and identifier
 * helpers that honour the mapping (identifiers are always quoted by Kysely, never spliced as text).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { type RawBuilder, sql } from 'kysely';
import type { FinalTestLinking } from '../options.js';
import type { Engine } from './codec.js';
import type { AnyKysely } from './engine.js';
import type { HostColumn, HostTable, ResolvedSchema } from './mapping.js';

/** Internal context shared by the query modules. */
export interface RepoContext {
  readonly db: AnyKysely;
  readonly engine: Engine;
  readonly schema: ResolvedSchema;
  readonly linking: FinalTestLinking;
  /** The repository's own better-sqlite3 handle (SQLite opened with `{ file }`): enables the fast read path. */
  readonly sqliteHandle?: BetterSqlite3.Database;
  /** The repository's own pg pool (PostgreSQL opened with `{ connectionString }`): enables the fast read path. */
  readonly pgQuery?: PgQuery;
  /**
   * Groups of small models are read as one JSON array per model (built by the engine, parsed natively here; measured
   * on 80,000 tracks ~20% faster than rows on PostgreSQL, ~15% less CPU on SQLite): on PostgreSQL always (host dates
   * come as text either way), on SQLite with the repository's own better-sqlite3 handle only (a host's SQLite build
   * may lack the JSON functions, built in from 3.38).
   */
  readonly jsonGroups?: boolean;
  /** PostgreSQL with a `timestamptz`, `timestamp` or `date` file date column: date bounds are compared in SQL. */
  readonly nativeFileDates: boolean;
}

/** Runs a named (prepared once per connection) query in array row mode; the rows carry the column names. */
export type PgQuery = (name: string, text: string, values: unknown[]) => Promise<unknown[][] & { fields?: unknown }>;

type Row = Record<string, unknown>;
interface CachedStatement {
  readonly statement: BetterSqlite3.Statement;
  readonly columns: string[];
}
const statements = new WeakMap<BetterSqlite3.Database, Map<string, CachedStatement>>();
const MAX_CACHED_STATEMENTS = 64;

/** Rows as arrays, with the column names (the SELECT list's aliases) in order. */
export interface ArrayRows {
  readonly columns: readonly string[];
  readonly rows: unknown[][];
}

/**
 * Runs a SELECT and returns its rows as arrays. With the repository's own better-sqlite3 handle the query is
 * compiled by Kysely (identifiers quoted, values as parameters, exactly as on the Kysely path) and run as a cached
 * prepared statement in raw (array) mode; with its own pg pool, as a named statement (parsed and planned once per
 * connection) in array mode. Array rows decoded by column index are faster than row objects, which matters at
 * 80,000-row reads (figures: docs/benchmarks.md). A host-provided Kysely instance returns objects, turned into arrays here.
 */
export async function selectArrays(ctx: RepoContext, query: RawBuilder<unknown>): Promise<ArrayRows> {
  const handle = ctx.sqliteHandle;
  if (ctx.pgQuery !== undefined) {
    const compiled = query.compile(ctx.db);
    let name = statementNames.get(compiled.sql);
    if (name === undefined) {
      name = `ltml_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 20)}`;
      statementNames.set(compiled.sql, name);
    }
    const arrays = await ctx.pgQuery(name, compiled.sql, compiled.parameters as unknown[]);
    return { columns: arrays.fields as string[], rows: arrays };
  }
  if (handle === undefined) {
    const objects = (await query.execute(ctx.db)).rows as Row[];
    const columns = objects.length === 0 ? [] : Object.keys(objects[0]!);
    return { columns, rows: objects.map((o) => columns.map((c) => o[c])) };
  }
  const compiled = query.compile(ctx.db);
  let cache = statements.get(handle);
  if (cache === undefined) statements.set(handle, (cache = new Map<string, CachedStatement>()));
  let cached = cache.get(compiled.sql);
  if (cached === undefined) {
    const statement = handle.prepare(compiled.sql).raw(true);
    cached = { statement, columns: statement.columns().map((c) => c.name) };
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
    cache.set(compiled.sql, cached);
  }
  return { columns: cached.columns, rows: cached.statement.all(...(compiled.parameters as unknown[])) as unknown[][] };
}

/** Runs a SELECT and returns its rows as objects keyed by column alias (see {@link selectArrays}). */
export async function selectRows(ctx: RepoContext, query: RawBuilder<unknown>): Promise<Row[]> {
  if (ctx.pgQuery === undefined && ctx.sqliteHandle === undefined) return (await query.execute(ctx.db)).rows as Row[];
  const { columns, rows } = await selectArrays(ctx, query);
  return toObjects(rows, columns);
}

const statementNames = new Map<string, string>();

function toObjects(arrays: unknown[][], columns: readonly string[]): Row[] {
  const rows = new Array<Row>(arrays.length);
  for (let i = 0; i < arrays.length; i++) {
    const a = arrays[i]!;
    const o: Row = {};
    for (let j = 0; j < columns.length; j++) o[columns[j]!] = a[j];
    rows[i] = o;
  }
  return rows;
}

/** The mapped table, aliased: `"analysis_results" AS "r"`. */
export function tableAs<T extends HostTable>(ctx: RepoContext, table: T, alias: string): RawBuilder<unknown> {
  return sql`${sql.table(ctx.schema.tables[table])} AS ${sql.id(alias)}`;
}

/**
 * A host date column as the decoders read it: its text form on PostgreSQL (parsed by `toDate`, so that a zone-less
 * `timestamp` is UTC, as on SQLite, whatever the process's time zone and the pool's type parsers), the stored value
 * on SQLite.
 */
export function hostDate(ctx: RepoContext, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return ctx.engine === 'postgres' ? sql`CAST(${expr} AS text)` : expr;
}

/** A mapped column qualified by alias, or `NULL` where the host has no such column. */
export function col<T extends HostTable>(ctx: RepoContext, table: T, alias: string, column: HostColumn<T>): RawBuilder<unknown> {
  const name = (ctx.schema.columns[table] as Record<string, string | null>)[column];
  return name === null || name === undefined ? sql`NULL` : sql`${sql.id(alias)}.${sql.id(name)}`;
}

/** The mapped column's bare name (for INSERT / UPDATE targets); `null` where the host has none. */
export function colName<T extends HostTable>(ctx: RepoContext, table: T, column: HostColumn<T>): string | null {
  return (ctx.schema.columns[table] as Record<string, string | null>)[column] ?? null;
}

/** Double-quoted SQL identifier for hand-written statements (the raw better-sqlite3 path). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/gu, '""')}"`;
}

/** A table name quoted for raw SQL text, `schema.table` as two identifiers (as Kysely's `sql.table` reads it). */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}
