/**
 * Row → domain mapping for the host reads, and the SELECT lists that produce those rows.
 *
 * @module
 */
import { type RawBuilder, sql } from 'kysely';
import type { FinalTestOutcome, TrainingRecord, UnreadableCell } from '../../core/types.js';
import { StorageError } from '../../core/errors.js';
import { toBool, toDate, toNumber, toNumberRequired, toText } from './codec.js';
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
    expr:
      ctx.engine === 'postgres'
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

/**
 * The first unreadable cell of the row being decoded (decoding is synchronous, so one slot serves every decoder):
 * a cell that is no number, boolean or date is read as `null` and marked here, and the row carries the mark
 * ({@link TrimTrack.unreadable}) so that hygiene excludes and counts it instead of the model failing.
 */
let unreadable: UnreadableCell | undefined;

function mark(kind: UnreadableCell['kind'], column: string): null {
  unreadable ??= { kind, column };
  return null;
}

// Fast paths for the driver's usual types; anything else goes through the checked codec.
const num = (v: unknown, column: string): number | null => {
  if (typeof v === 'number' || v === null) return v;
  try {
    return toNumber(v);
  } catch (e) {
    if (e instanceof StorageError) return mark('value', column);
    throw e;
  }
};
const bool = (v: unknown, column: string): boolean | null => {
  if (v === 1 || v === true) return true;
  if (v === 0 || v === false || v === null) return v === null ? null : false;
  try {
    return toBool(v);
  } catch (e) {
    if (e instanceof StorageError) return mark('value', column);
    throw e;
  }
};
/** A date; NULL, no date, or a date JavaScript cannot hold is marked unreadable and read as an invalid Date. */
const date = (v: unknown, column: string): Date => {
  try {
    const d = toDate(v);
    if (d !== null) return d;
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
  }
  mark('date', column);
  return new Date(Number.NaN);
};

/**
 * A decoder of {@link trackSelect}'s array rows into training records (a trim track with its Final Test outcome
 * from `outcomeOf`), the columns found by name once per query: faster than building row objects and mapping them
 * (docs/benchmarks.md). Ids must be readable (a key that is no number is a schema mapping error);
 * any other unreadable cell is marked on the record (see {@link TrimTrack.unreadable}), as is an unreadable linked
 * Final Test outcome.
 */
export function trackRowDecoder(
  columns: readonly string[],
  outcomeOf: OutcomeLookup = noOutcome,
): (a: readonly unknown[]) => TrainingRecord {
  const [iId, iRun, iModel, iSerial, iDate, iTrack, iStatus, iSigma, iSpec, iError, iFail, iPass, iOffset, iTravel, iUnit, iUntrim, iTrim] =
    [
      'track_result_id',
      'trim_result_id',
      'model',
      'serial',
      'file_date',
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
    ].map((c) => indexOf(columns, c)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  return (a) => {
    const trackResultId = toNumberRequired(a[iId], 'track id');
    const trimResultId = toNumberRequired(a[iRun], 'trim run id');
    const trackId = String(a[iTrack]);
    unreadable = undefined;
    const finalTest = outcomeOf(trimResultId, trackId, trackResultId);
    const record = {
      trackResultId,
      trimResultId,
      model: String(a[iModel]),
      serial: toText(a[iSerial]),
      trackId,
      fileDate: date(a[iDate], 'trim_results.file_date'),
      status: toText(a[iStatus]),
      sigmaGradient: num(a[iSigma], 'track_results.sigma_gradient'),
      linearitySpec: num(a[iSpec], 'track_results.linearity_spec'),
      linearityError: num(a[iError], 'track_results.linearity_error'),
      linearityFailPoints: num(a[iFail], 'track_results.linearity_fail_points'),
      linearityPass: bool(a[iPass], 'track_results.linearity_pass'),
      optimalOffset: num(a[iOffset], 'track_results.optimal_offset'),
      travelLength: num(a[iTravel], 'track_results.travel_length'),
      unitLength: num(a[iUnit], 'track_results.unit_length'),
      untrimmedResistance: num(a[iUntrim], 'track_results.untrimmed_resistance'),
      trimmedResistance: num(a[iTrim], 'track_results.trimmed_resistance'),
      finalTest,
    };
    const cell = unreadable ?? finalTest?.unreadable;
    unreadable = undefined;
    return cell === undefined ? record : { ...record, unreadable: cell };
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

/**
 * Whether outcome `a` replaces `b` as a track's outcome: the newer test, ties by the larger FT track id (the later
 * insert). An unreadable outcome is kept once seen (which test is the newest cannot be told, so the track's outcome
 * is unknown and the track is excluded as unreadable).
 */
export function newerOutcome(a: FinalTestOutcome, b: FinalTestOutcome): boolean {
  if (b.unreadable !== undefined) return false;
  if (a.unreadable !== undefined) return true;
  const ta = a.testDate.getTime();
  const tb = b.testDate.getTime();
  return ta > tb || (ta === tb && a.finalTestId > b.finalTestId);
}

/**
 * The Final Test outcome from a row of {@link finalTestSelect}, or `null` when the LEFT JOIN found none. An
 * unreadable cell is read as `null` and marked on the outcome ({@link FinalTestOutcome.unreadable}).
 */
export function rowToOutcome(row: RawRow): FinalTestOutcome | null {
  if (row['ft_id'] === null || row['ft_id'] === undefined) return null;
  unreadable = undefined;
  const outcome = {
    finalTestId: toNumberRequired(row['ft_id'], 'final test track id'),
    testDate: date(row['ft_test_date'], 'final_test_results.test_date'),
    linearityPass: bool(row['ft_linearity_pass'], 'final_test_tracks.linearity_pass'),
    failPoints: num(row['ft_fail_points'], 'final_test_tracks.fail_points'),
    linearityError: num(row['ft_linearity_error'], 'final_test_tracks.linearity_error'),
  };
  const cell = unreadable;
  unreadable = undefined;
  return cell === undefined ? outcome : { ...outcome, unreadable: cell };
}
