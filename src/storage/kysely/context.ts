/**
 * What every query of the Kysely adapters needs: the instance, the engine, the resolved names, and identifier
 * helpers that honour the mapping (identifiers are always quoted by Kysely, never spliced as text).
 *
 * @module
 */
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
}

/** The mapped table, aliased: `"analysis_results" AS "r"`. */
export function tableAs<T extends HostTable>(ctx: RepoContext, table: T, alias: string): RawBuilder<unknown> {
  return sql`${sql.table(ctx.schema.tables[table])} AS ${sql.id(alias)}`;
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
