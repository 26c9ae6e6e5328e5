/**
 * Row → domain mapping for the host reads, and the SELECT lists that produce those rows.
 *
 * @module
 */
import { type RawBuilder, sql } from 'kysely';
import type { FinalTestOutcome, TrainingRecord, TrimTrack } from '../../core/types.js';
import { toBool, toDateRequired, toNumber, toNumberRequired, toText } from './codec.js';
import { type RepoContext, col } from './context.js';

/** A raw row of the track SELECT list (aliases are fixed; values are whatever the driver returned). */
export type RawRow = Record<string, unknown>;

/** SELECT list of a trim track: track `t` joined to its run `r`. */
export function trackSelect(ctx: RepoContext): RawBuilder<unknown> {
  const t = (c: Parameters<typeof col<'track_results'>>[3]) => col(ctx, 'track_results', 't', c);
  const r = (c: Parameters<typeof col<'trim_results'>>[3]) => col(ctx, 'trim_results', 'r', c);
  return sql.join([
    sql`${t('id')} AS track_result_id`,
    sql`${r('id')} AS trim_result_id`,
    sql`${r('model')} AS model`,
    sql`${r('serial')} AS serial`,
    sql`${r('file_date')} AS file_date`,
    // The keyset cursor: the raw value on SQLite, its text form on PostgreSQL (exact whatever the column type).
    ctx.engine === 'postgres' ? sql`CAST(${r('file_date')} AS text) AS file_date_key` : sql`${r('file_date')} AS file_date_key`,
    sql`${t('track_id')} AS track_id`,
    sql`${t('status')} AS status`,
    sql`${t('sigma_gradient')} AS sigma_gradient`,
    sql`${t('linearity_spec')} AS linearity_spec`,
    sql`${t('linearity_error')} AS linearity_error`,
    sql`${t('linearity_fail_points')} AS linearity_fail_points`,
    sql`${t('linearity_pass')} AS linearity_pass`,
    sql`${t('optimal_offset')} AS optimal_offset`,
    sql`${t('travel_length')} AS travel_length`,
    sql`${t('unit_length')} AS unit_length`,
    sql`${t('untrimmed_resistance')} AS untrimmed_resistance`,
    sql`${t('trimmed_resistance')} AS trimmed_resistance`,
  ]);
}

/** A trim track from a row of {@link trackSelect} (it carries `finalTest: null`, which a `TrimTrack` may). */
export function rowToTrack(row: RawRow): TrimTrack {
  return rowToRecord(row, null);
}

/** A training record (a trim track with its Final Test outcome) from a row of {@link trackSelect}, as one object. */
export function rowToRecord(row: RawRow, finalTest: FinalTestOutcome | null): TrainingRecord {
  return {
    trackResultId: toNumberRequired(row['track_result_id'], 'track id'),
    trimResultId: toNumberRequired(row['trim_result_id'], 'trim run id'),
    model: String(row['model']),
    serial: String(row['serial']),
    trackId: String(row['track_id']),
    fileDate: toDateRequired(row['file_date'], 'file_date'),
    status: toText(row['status']),
    sigmaGradient: toNumber(row['sigma_gradient']),
    linearitySpec: toNumber(row['linearity_spec']),
    linearityError: toNumber(row['linearity_error']),
    linearityFailPoints: toNumber(row['linearity_fail_points']),
    linearityPass: toBool(row['linearity_pass']),
    optimalOffset: toNumber(row['optimal_offset']),
    travelLength: toNumber(row['travel_length']),
    unitLength: toNumber(row['unit_length']),
    untrimmedResistance: toNumber(row['untrimmed_resistance']),
    trimmedResistance: toNumber(row['trimmed_resistance']),
    finalTest,
  };
}

/** SELECT list of a Final Test track `ft` of test `fr`, prefixed `ft_`. */
export function finalTestSelect(ctx: RepoContext): RawBuilder<unknown> {
  return sql.join([
    sql`${col(ctx, 'final_test_tracks', 'ft', 'id')} AS ft_id`,
    sql`${col(ctx, 'final_test_results', 'fr', 'test_date')} AS ft_test_date`,
    sql`${col(ctx, 'final_test_tracks', 'ft', 'linearity_pass')} AS ft_linearity_pass`,
    sql`${col(ctx, 'final_test_tracks', 'ft', 'fail_points')} AS ft_fail_points`,
    sql`${col(ctx, 'final_test_tracks', 'ft', 'linearity_error')} AS ft_linearity_error`,
  ]);
}

/** The Final Test outcome from a row of {@link finalTestSelect}, or `null` when the LEFT JOIN found none. */
export function rowToOutcome(row: RawRow): FinalTestOutcome | null {
  if (row['ft_id'] === null || row['ft_id'] === undefined) return null;
  return {
    finalTestId: toNumberRequired(row['ft_id'], 'final test track id'),
    testDate: toDateRequired(row['ft_test_date'], 'test_date'),
    linearityPass: toBool(row['ft_linearity_pass']),
    failPoints: toNumber(row['ft_fail_points']),
    linearityError: toNumber(row['ft_linearity_error']),
  };
}
