/**
 * {@link HostDataWriter} through Kysely: inserts trim runs / Final Tests into the (mapped) host tables, each call in
 * one transaction, multi-row INSERTs in chunks. Used by demos, the synthetic generator, tests and benchmarks.
 *
 * Ids of a multi-row `INSERT ... RETURNING` are matched to the input rows in ascending order: both engines assign
 * ids in VALUES order within one statement.
 *
 * @module
 */
import { type RawBuilder, sql } from 'kysely';
import type { HostFinalTestInput, HostTrimRunInput } from '../repository.js';
import { boolParam, dateParam, toNumberRequired } from './codec.js';
import { type RepoContext, colName } from './context.js';
import type { AnyKysely } from './engine.js';
import { transact } from './engine.js';
import type { HostColumn, HostTable } from './mapping.js';

/** Multi-row INSERT of the mapped columns (columns mapped to null are skipped); returns ids ascending if asked. */
async function insertRows<T extends HostTable>(
  ctx: RepoContext,
  trx: AnyKysely,
  table: T,
  rows: readonly Partial<Record<HostColumn<T>, unknown>>[],
  keys: readonly HostColumn<T>[],
  returning: boolean,
): Promise<number[]> {
  const mapped = keys.map((k) => [k, colName(ctx, table, k)] as const).filter((p): p is readonly [HostColumn<T>, string] => p[1] !== null);
  const idCol = colName(ctx, table, 'id') ?? 'id';
  const chunk = Math.max(1, Math.floor(30_000 / Math.max(1, mapped.length)));
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const values: RawBuilder<unknown> = sql.join(part.map((r) => sql`(${sql.join(mapped.map(([k]) => r[k] ?? null))})`));
    const ret = returning ? sql`RETURNING ${sql.id(idCol)} AS id` : sql``;
    const res = await sql<{ id: unknown }>`INSERT INTO ${sql.table(ctx.schema.tables[table])}
      (${sql.join(mapped.map(([, c]) => sql.id(c)))}) VALUES ${values} ${ret}`.execute(trx);
    if (returning) ids.push(...res.rows.map((r) => toNumberRequired(r.id, 'id')).sort((a, b) => a - b));
  }
  return ids;
}

/** Inserts trim runs and their tracks in one transaction; returns the run ids in input order. */
export async function insertTrimRuns(ctx: RepoContext, runs: readonly HostTrimRunInput[]): Promise<number[]> {
  if (runs.length === 0) return [];
  return transact(ctx.db, async (trx) => {
    const runIds = await insertRows(
      ctx,
      trx,
      'trim_results',
      runs.map((r) => ({ model: r.model, serial: r.serial, file_date: dateParam(r.fileDate), system: r.system })),
      ['model', 'serial', 'file_date', 'system'],
      true,
    );
    const tracks = runs.flatMap((r, i) =>
      r.tracks.map((t) => ({
        trim_result_id: runIds[i],
        track_id: t.trackId,
        status: t.status,
        sigma_gradient: t.sigmaGradient,
        linearity_spec: t.linearitySpec,
        linearity_error: t.linearityError,
        linearity_fail_points: t.linearityFailPoints,
        linearity_pass: boolParam(ctx.engine, t.linearityPass),
        optimal_offset: t.optimalOffset,
        travel_length: t.travelLength,
        unit_length: t.unitLength,
        untrimmed_resistance: t.untrimmedResistance,
        trimmed_resistance: t.trimmedResistance,
      })),
    );
    await insertRows(
      ctx,
      trx,
      'track_results',
      tracks,
      [
        'trim_result_id',
        'track_id',
        'status',
        'sigma_gradient',
        'linearity_spec',
        'linearity_error',
        'linearity_fail_points',
        'linearity_pass',
        'optimal_offset',
        'travel_length',
        'unit_length',
        'untrimmed_resistance',
        'trimmed_resistance',
      ],
      false,
    );
    return runIds;
  });
}

/** Inserts Final Test records and their tracks in one transaction. */
export async function insertFinalTests(ctx: RepoContext, tests: readonly HostFinalTestInput[]): Promise<void> {
  if (tests.length === 0) return;
  await transact(ctx.db, async (trx) => {
    const ids = await insertRows(
      ctx,
      trx,
      'final_test_results',
      tests.map((t) => ({ model: t.model, serial: t.serial, test_date: dateParam(t.testDate), linked_trim_id: t.linkedTrimId })),
      ['model', 'serial', 'test_date', 'linked_trim_id'],
      true,
    );
    const tracks = tests.flatMap((t, i) =>
      t.tracks.map((k) => ({
        final_test_id: ids[i],
        track_id: k.trackId,
        linearity_pass: boolParam(ctx.engine, k.linearityPass),
        fail_points: k.failPoints,
        linearity_error: k.linearityError,
      })),
    );
    await insertRows(
      ctx,
      trx,
      'final_test_tracks',
      tracks,
      ['final_test_id', 'track_id', 'linearity_pass', 'fail_points', 'linearity_error'],
      false,
    );
  });
}
