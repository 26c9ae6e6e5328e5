/**
 * The bulk write of apply's result columns, per engine, one transaction per batch:
 * - SQLite with the repository's own better-sqlite3 handle: one prepared UPDATE executed per row inside one
 *   transaction (the fastest path SQLite has).
 * - SQLite through a host's Kysely instance: `WITH v(...) AS (VALUES ...) UPDATE ... FROM v` in chunks of 1,000 rows.
 * - PostgreSQL: `UPDATE ... FROM unnest($1::bigint[], $2::float8[], ...)` in chunks of 20,000 rows, the arrays as
 *   literals built directly (see pg-arrays.ts).
 * Every path checks that each row matched a track; otherwise the whole batch rolls back with a {@link StorageError}.
 *
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { StorageError } from '../../core/errors.js';
import type { TrackResultWrite } from '../repository.js';
import { boolParam } from './codec.js';
import { type RepoContext, colName, quoteIdent, quoteTable } from './context.js';
import type { AnyKysely } from './engine.js';
import { RESULT_COLUMNS } from './mapping.js';
import { booleanArray, numberArray, textArray } from './pg-arrays.js';

function columns(ctx: RepoContext): { id: string; cols: string[] } {
  const id = colName(ctx, 'track_results', 'id') ?? 'id';
  return { id, cols: RESULT_COLUMNS.map((c) => colName(ctx, 'track_results', c) ?? c) };
}

function values(ctx: RepoContext, r: TrackResultWrite): unknown[] {
  return [r.sigmaThreshold, boolParam(ctx.engine, r.sigmaPass), r.failureProbability, r.riskCategory, r.mlModelVersion];
}

function missing(matched: number, expected: number): StorageError {
  return new StorageError(
    `Only ${matched} of ${expected} track results matched an existing track; nothing of this batch was written. ` +
      'Re-read the tracks (a track may have been deleted) and apply again.',
  );
}

/** SQLite, own handle: prepared statement per row, one transaction. */
export function writeWithStatement(ctx: RepoContext, handle: BetterSqlite3.Database, batch: readonly TrackResultWrite[]): void {
  const { id, cols } = columns(ctx);
  const table = quoteTable(ctx.schema.tables.track_results);
  const stmt = handle.prepare(`UPDATE ${table} SET ${cols.map((c) => `${quoteIdent(c)} = ?`).join(', ')} WHERE ${quoteIdent(id)} = ?`);
  const run = handle.transaction((rows: readonly TrackResultWrite[]) => {
    let matched = 0;
    for (const r of rows) matched += stmt.run(...values(ctx, r), r.trackResultId).changes;
    if (matched !== rows.length) throw missing(matched, rows.length);
  });
  run(batch);
}

/** SQLite through Kysely: chunks of `UPDATE ... FROM (VALUES ...)`, all inside the caller's transaction. */
export async function writeWithValues(ctx: RepoContext, trx: AnyKysely, batch: readonly TrackResultWrite[]): Promise<void> {
  const { id, cols } = columns(ctx);
  const vNames = ['id', 'c0', 'c1', 'c2', 'c3', 'c4'];
  let matched = 0;
  for (let i = 0; i < batch.length; i += 1000) {
    const chunk = batch.slice(i, i + 1000);
    const rows = sql.join(chunk.map((r) => sql`(${sql.join([r.trackResultId, ...values(ctx, r)])})`));
    const sets = sql.join(cols.map((c, k) => sql`${sql.id(c)} = ${sql.ref(`v.c${k}`)}`));
    const res = await sql`WITH v(${sql.join(vNames.map((n) => sql.id(n)))}) AS (VALUES ${rows})
      UPDATE ${sql.table(ctx.schema.tables.track_results)} SET ${sets} FROM v
      WHERE ${sql.table(ctx.schema.tables.track_results)}.${sql.id(id)} = v.id`.execute(trx);
    matched += Number(res.numAffectedRows ?? 0n);
  }
  if (matched !== batch.length) throw missing(matched, batch.length);
}

/** PostgreSQL: chunks of `UPDATE ... FROM unnest(arrays)`, all inside the caller's transaction. */
export async function writeWithUnnest(ctx: RepoContext, trx: AnyKysely, batch: readonly TrackResultWrite[]): Promise<void> {
  const { id, cols } = columns(ctx);
  // A batch touches a few thousand rows by primary key: index lookups (nested loop). Left to itself the planner picks
  // a merge join over the whole primary-key index for every batch, and a table that apply has updated before (dead
  // tuples) makes that scan longer each time (figures: docs/benchmarks.md). Set for this transaction only (set_config's is_local), in one round trip.
  await sql`SELECT set_config('enable_mergejoin', 'off', true), set_config('enable_hashjoin', 'off', true)`.execute(trx);
  let matched = 0;
  for (let i = 0; i < batch.length; i += 20_000) {
    const chunk = batch.slice(i, i + 20_000);
    const sets = sql.join(cols.map((c, k) => sql`${sql.id(c)} = ${sql.ref(`v.c${k}`)}`));
    const res = await sql`UPDATE ${sql.table(ctx.schema.tables.track_results)} AS t SET ${sets}
      FROM unnest(${numberArray(chunk.map((r) => r.trackResultId))}::bigint[], ${numberArray(chunk.map((r) => r.sigmaThreshold))}::float8[],
        ${booleanArray(chunk.map((r) => r.sigmaPass))}::boolean[], ${numberArray(chunk.map((r) => r.failureProbability))}::float8[],
        ${textArray(chunk.map((r) => r.riskCategory))}::text[], ${textArray(chunk.map((r) => r.mlModelVersion))}::text[])
        AS v(id, c0, c1, c2, c3, c4)
      WHERE t.${sql.id(id)} = v.id`.execute(trx);
    matched += Number(res.numAffectedRows ?? 0n);
  }
  if (matched !== batch.length) throw missing(matched, batch.length);
}
