/**
 * Row → domain mapping for the host reads, and the SELECT lists that produce those rows.
 *
 * @module
 */
import { type RawBuilder, sql } from 'kysely';
import type { FinalTestOutcome, TrainingRecord } from '../../core/types.js';
import { StorageError } from '../../core/errors.js';
import { toBool, toDateRequired, toNumber, toNumberRequired, toText } from './codec.js';
import { type RepoContext, col, hostDate } from './context.js';

/** A raw row of the track SELECT list (aliases are fixed; values are whatever the driver returned). */
export type RawRow = Record<string, unknown>;

/** The columns of a trim track (track `t` joined to its run `r`): alias, expression, and whether it is text. */
function trackColumns(ctx: RepoContext): [alias: string, expr: RawBuilder<unknown>, text: boolean][] {
  const t = (c: Parameters<typeof col<'track_results'>>[3]) => col(ctx, 'track_results', 't', c);
  const r = (c: Parameters<typeof col<'trim_results'>>[3]) => col(ctx, 'trim_results', 'r', c);
  return [
    ['track_result_id', t('id'), false],
    ['trim_result_id', r('id'), false],
    ['model', r('model'), true],
    ['serial', r('serial'), true],
    // Text on PostgreSQL already (see hostDate); also the keyset cursor, exact whatever the column type.
    ['file_date', hostDate(ctx, r('file_date')), false],
    ['track_id', t('track_id'), true],
    ['status', t('status'), true],
    ['sigma_gradient', t('sigma_gradient'), false],
    ['linearity_spec', t('linearity_spec'), false],
    ['linearity_error', t('linearity_error'), false],
    ['linearity_fail_points', t('linearity_fail_points'), false],
    ['linearity_pass', t('linearity_pass'), false],
    ['optimal_offset', t('optimal_offset'), false],
    ['travel_length', t('travel_length'), false],
    ['unit_length', t('unit_length'), false],
    ['untrimmed_resistance', t('untrimmed_resistance'), false],
    ['trimmed_resistance', t('trimmed_resistance'), false],
  ];
}

/** SELECT list of a trim track: track `t` joined to its run `r`. */
export function trackSelect(ctx: RepoContext): RawBuilder<unknown> {
  return sql.join(trackColumns(ctx).map(([alias, expr]) => sql`${expr} AS ${sql.id(alias)}`));
}

/**
 * A trim track as one JSON array, with the column names of its elements, for {@link trackRowDecoder}: on
 * PostgreSQL `json_build_array` with text columns in their text form (as the driver would return them); on SQLite
 * `json_array` of the stored values (SQLite writes reals with 17 significant digits, so they parse back exactly).
 */
export function trackJsonArray(ctx: RepoContext): { readonly expr: RawBuilder<unknown>; readonly columns: readonly string[] } {
  const columns = trackColumns(ctx);
  return {
    expr: ctx.engine === 'postgres'
      ? sql`json_build_array(${sql.join(columns.map(([, expr, text]) => (text ? sql`CAST(${expr} AS text)` : expr)))})`
      : sql`json_array(${sql.join(columns.map(([, expr]) => expr))})`,
    columns: columns.map(([alias]) => alias),
  };
}

/** Finds a track's Final Test outcome (the adapters' linking), or `null`. */
export type OutcomeLookup = (trimResultId: number, trackId: string, trackResultId: number) => FinalTestOutcome | null;

/** The lookup of a read without Final Test outcomes. */
export const noOutcome: OutcomeLookup = () => null;

function indexOf(columns: readonly string[], name: string): number {
  const i = columns.indexOf(name);
  if (i < 0) throw new StorageError(`Internal error: column ${name} is missing from the track query; please report it.`);
  return i;
}

// Fast paths for the driver's usual types; anything else goes through the checked codec.
const num = (v: unknown): number | null => (typeof v === 'number' ? v : toNumber(v));
const bool = (v: unknown): boolean | null => (v === 1 || v === true ? true : v === 0 || v === false ? false : toBool(v));

/**
 * A decoder of {@link trackSelect}'s array rows into training records (a trim track with its Final Test outcome
 * from `outcomeOf`), the columns found by name once per query. Measured on 80,000 tracks: about half the time of
 * building row objects and mapping them.
 */
export function trackRowDecoder(
  columns: readonly string[],
  outcomeOf: OutcomeLookup = noOutcome,
): (a: readonly unknown[]) => TrainingRecord {
  const [iId, iRun, iModel, iSerial, iDate, iTrack, iStatus, iSigma, iSpec, iError, iFail, iPass, iOffset, iTravel, iUnit, iUntrim, iTrim] = [
    'track_result_id', 'trim_result_id', 'model', 'serial', 'file_date', 'track_id', 'status', 'sigma_gradient', 'linearity_spec',
    'linearity_error', 'linearity_fail_points', 'linearity_pass', 'optimal_offset', 'travel_length', 'unit_length',
    'untrimmed_resistance', 'trimmed_resistance',
  ].map((c) => indexOf(columns, c)) as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  return (a) => {
    const trackResultId = toNumberRequired(a[iId], 'track id');
    const trimResultId = toNumberRequired(a[iRun], 'trim run id');
    const trackId = String(a[iTrack]);
    return {
      trackResultId,
      trimResultId,
      model: String(a[iModel]),
      serial: toText(a[iSerial]),
      trackId,
      fileDate: toDateRequired(a[iDate], 'file_date'),
      status: toText(a[iStatus]),
      sigmaGradient: num(a[iSigma]),
      linearitySpec: num(a[iSpec]),
      linearityError: num(a[iError]),
      linearityFailPoints: num(a[iFail]),
      linearityPass: bool(a[iPass]),
      optimalOffset: num(a[iOffset]),
      travelLength: num(a[iTravel]),
      unitLength: num(a[iUnit]),
      untrimmedResistance: num(a[iUntrim]),
      trimmedResistance: num(a[iTrim]),
      finalTest: outcomeOf(trimResultId, trackId, trackResultId),
    };
  };
}

/** SELECT list of a Final Test track `ft` of test `fr`, prefixed `ft_`. */
export function finalTestSelect(ctx: RepoContext): RawBuilder<unknown> {
  return sql.join([
    sql`${col(ctx, 'final_test_tracks', 'ft', 'id')} AS ft_id`,
    sql`${hostDate(ctx, col(ctx, 'final_test_results', 'fr', 'test_date'))} AS ft_test_date`,
    sql`${col(ctx, 'final_test_tracks', 'ft', 'linearity_pass')} AS ft_linearity_pass`,
    sql`${col(ctx, 'final_test_tracks', 'ft', 'fail_points')} AS ft_fail_points`,
    sql`${col(ctx, 'final_test_tracks', 'ft', 'linearity_error')} AS ft_linearity_error`,
  ]);
}

/** Whether outcome `a` replaces `b` as a track's outcome: the newer test, ties by the larger FT track id (the later insert). */
export function newerOutcome(a: FinalTestOutcome, b: FinalTestOutcome): boolean {
  const ta = a.testDate.getTime();
  const tb = b.testDate.getTime();
  return ta > tb || (ta === tb && a.finalTestId > b.finalTestId);
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
