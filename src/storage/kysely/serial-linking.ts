/**
 * Final Test outcomes by serial matching (`linkFinalTests`) for hosts without (or with a partial)
 * `linked_trim_id`: per model, the trim keys and the model's Final Test tracks are read (two queries) and linked in
 * memory; memory is bounded by the largest model, not the database.
 *
 * @module
 */
import { sql } from 'kysely';
import type { FinalTestOutcome, ModelName } from '../../core/types.js';
import { type LinkCounts, linkFinalTests } from '../linking/link-final-tests.js';
import { toDate, toNumber, toNumberRequired, toText } from './codec.js';
import { StorageError } from '../../core/errors.js';
import { type RepoContext, col, hostDate, tableAs } from './context.js';
import { type RawRow, newerOutcome, rowToOutcome } from './rows.js';

/** trackResultId → newest linked Final Test outcome (same track id), for one model; with the linking counts. */
export async function serialLinking(
  ctx: RepoContext,
  model: ModelName,
): Promise<{ outcomes: Map<number, FinalTestOutcome>; counts: LinkCounts }> {
  const r = (c: 'id' | 'serial' | 'file_date' | 'model') => col(ctx, 'trim_results', 'r', c);
  const trims = await sql<RawRow>`SELECT ${col(ctx, 'track_results', 't', 'id')} AS track_result_id, ${r('id')} AS trim_result_id,
      ${r('serial')} AS serial, ${col(ctx, 'track_results', 't', 'track_id')} AS track_id, ${hostDate(ctx, r('file_date'))} AS file_date
    FROM ${tableAs(ctx, 'track_results', 't')} JOIN ${tableAs(ctx, 'trim_results', 'r')}
      ON ${r('id')} = ${col(ctx, 'track_results', 't', 'trim_result_id')}
    WHERE ${r('model')} = ${model}`.execute(ctx.db);
  const f = (c: 'id' | 'serial' | 'test_date' | 'linked_trim_id' | 'model') => col(ctx, 'final_test_results', 'fr', c);
  const k = (c: 'id' | 'track_id' | 'linearity_pass' | 'fail_points' | 'linearity_error' | 'final_test_id') =>
    col(ctx, 'final_test_tracks', 'ft', c);
  const tests = await sql<RawRow>`SELECT ${k('id')} AS ft_id, ${f('serial')} AS serial, ${k('track_id')} AS track_id,
      ${hostDate(ctx, f('test_date'))} AS ft_test_date, ${f('linked_trim_id')} AS linked_trim_id, ${k('linearity_pass')} AS ft_linearity_pass,
      ${k('fail_points')} AS ft_fail_points, ${k('linearity_error')} AS ft_linearity_error
    FROM ${tableAs(ctx, 'final_test_tracks', 'ft')} JOIN ${tableAs(ctx, 'final_test_results', 'fr')} ON ${f('id')} = ${k('final_test_id')}
    WHERE ${f('model')} = ${model}`.execute(ctx.db);

  // A trim whose date is unreadable takes no part in the linking (the 60-day rule needs its date; hygiene excludes
  // the track as unreadable anyway). A test whose date is unreadable links by linked_trim_id only (its outcome is
  // marked unreadable, so that trim track is excluded and counted), else it stays unmatched.
  const { links, counts } = linkFinalTests(
    trims.rows.flatMap((row) => {
      const fileDate = dateOrNull(row['file_date']);
      return fileDate === null
        ? []
        : [
            {
              trackResultId: toNumberRequired(row['track_result_id'], 'track id'),
              trimResultId: toNumberRequired(row['trim_result_id'], 'trim run id'),
              model,
              serial: toText(row['serial']),
              trackId: String(row['track_id']),
              fileDate,
            },
          ];
    }),
    tests.rows.map((row) => ({
      finalTestTrackId: toNumberRequired(row['ft_id'], 'final test track id'),
      model,
      serial: toText(row['serial']),
      trackId: String(row['track_id']),
      testDate: dateOrNull(row['ft_test_date']) ?? new Date(Number.NaN),
      linkedTrimId: linkedIdOrNull(row['linked_trim_id']),
    })),
    { serialFallback: ctx.linking === 'serial' },
  );
  const byId = new Map<number, FinalTestOutcome>();
  for (const row of tests.rows) {
    const o = rowToOutcome(row);
    if (o !== null) byId.set(o.finalTestId, o);
  }
  const outcomes = new Map<number, FinalTestOutcome>();
  for (const l of links) {
    const o = byId.get(l.finalTestTrackId);
    if (o === undefined) continue;
    const prev = outcomes.get(l.trackResultId);
    if (prev === undefined || newerOutcome(o, prev)) outcomes.set(l.trackResultId, o);
  }
  return { outcomes, counts };
}

/** A readable date, or `null` (NULL, or a stored value that is no date). */
function dateOrNull(v: unknown): Date | null {
  try {
    return toDate(v);
  } catch (e) {
    if (e instanceof StorageError) return null;
    throw e;
  }
}

/** A readable link id, or `null` (an unreadable link is no link). */
function linkedIdOrNull(v: unknown): number | null {
  try {
    return toNumber(v);
  } catch (e) {
    if (e instanceof StorageError) return null;
    throw e;
  }
}

/** Just the outcome map of {@link serialLinking}. */
export async function serialOutcomes(ctx: RepoContext, model: ModelName): Promise<Map<number, FinalTestOutcome>> {
  return (await serialLinking(ctx, model)).outcomes;
}
