/**
 * The host-data reads of the Kysely adapters: model summaries, training records (with their Final Test outcome) and
 * tracks for apply. All reads are keyset-paginated (one bounded query per batch), so a consumer may write between
 * batches on the same connection (a streaming cursor would hold SQLite's only connection).
 *
 * @module
 */
import { type RawBuilder, sql } from 'kysely';
import type { FinalTestOutcome, ModelName, ModelSummary, TrainingRecord, TrimTrack } from '../../core/types.js';
import type { ApplyReadOptions, TrainingReadOptions } from '../repository.js';
import { batchSizeOf } from '../options.js';
import { toDate, toNumberRequired } from './codec.js';
import { type RepoContext, col, selectRows, tableAs } from './context.js';
import { type RawRow, finalTestSelect, rowToOutcome, rowToRecord, rowToTrack, trackSelect } from './rows.js';
import { serialOutcomes } from './serial-linking.js';

/** `track_results t JOIN trim_results r`. */
function trackFrom(ctx: RepoContext): RawBuilder<unknown> {
  return sql`${tableAs(ctx, 'track_results', 't')} JOIN ${tableAs(ctx, 'trim_results', 'r')}
    ON ${col(ctx, 'trim_results', 'r', 'id')} = ${col(ctx, 'track_results', 't', 'trim_result_id')}`;
}

/** Distinct (linked trim run, track id) pairs of the Final Test tracks: what makes a trim track "linked". */
function linkedPairs(ctx: RepoContext): RawBuilder<unknown> {
  const f = (c: 'id' | 'linked_trim_id') => col(ctx, 'final_test_results', 'fr', c);
  return sql`(SELECT DISTINCT ${f('linked_trim_id')} AS trim_id, ${col(ctx, 'final_test_tracks', 'ft', 'track_id')} AS track_id
    FROM ${tableAs(ctx, 'final_test_tracks', 'ft')} JOIN ${tableAs(ctx, 'final_test_results', 'fr')}
      ON ${f('id')} = ${col(ctx, 'final_test_tracks', 'ft', 'final_test_id')}
    WHERE ${f('linked_trim_id')} IS NOT NULL)`;
}

/** Every model with counts and date range, sorted by name in UTF-16 code-unit order (engine collations differ). */
export async function listModels(ctx: RepoContext): Promise<ModelSummary[]> {
  const byColumn = ctx.linking === 'linkedTrimId';
  const linkJoin = byColumn
    ? sql`LEFT JOIN ${linkedPairs(ctx)} l ON l.trim_id = ${col(ctx, 'trim_results', 'r', 'id')} AND l.track_id = ${col(ctx, 'track_results', 't', 'track_id')}`
    : sql``;
  const rows = await selectRows(ctx, sql<RawRow>`SELECT ${col(ctx, 'trim_results', 'r', 'model')} AS model, COUNT(*) AS n,
      MIN(${col(ctx, 'trim_results', 'r', 'file_date')}) AS first_date, MAX(${col(ctx, 'trim_results', 'r', 'file_date')}) AS last_date,
      ${byColumn ? sql`COUNT(l.trim_id)` : sql`0`} AS linked
    FROM ${trackFrom(ctx)} ${linkJoin} GROUP BY ${col(ctx, 'trim_results', 'r', 'model')}`);
  const out: ModelSummary[] = [];
  for (const row of rows) {
    const model = String(row['model']);
    const linked =
      ctx.linking === 'linkedTrimId' ? toNumberRequired(row['linked'], 'linked count') : (await serialOutcomes(ctx, model)).size;
    out.push({
      model, trimTracks: toNumberRequired(row['n'], 'count'), finalTestLinked: linked,
      firstDate: toDate(row['first_date']), lastDate: toDate(row['last_date']),
    });
  }
  return out.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/**
 * The newest linked Final Test outcome of each (trim run, track id) of one model, by `linked_trim_id`: one query per
 * model (its FT tracks only, through the linked_trim_id and final_test_id indexes), matched in JavaScript. This
 * keeps the paged track query as simple as apply's (measured: the page + ranked-CTE form read 80,000 records in
 * 1.2 s on SQLite; this form in about half of that).
 */
async function linkedOutcomes(ctx: RepoContext, model: ModelName): Promise<Map<string, FinalTestOutcome>> {
  const f = (c: 'id' | 'test_date' | 'linked_trim_id') => col(ctx, 'final_test_results', 'fr', c);
  const k = (c: 'id' | 'track_id' | 'final_test_id') => col(ctx, 'final_test_tracks', 'ft', c);
  const rows = await selectRows(ctx, sql<RawRow>`SELECT ${finalTestSelect(ctx)}, ${f('linked_trim_id')} AS ft_trim_id, ${k('track_id')} AS ft_track_id
    FROM ${tableAs(ctx, 'trim_results', 'r')}
    JOIN ${tableAs(ctx, 'final_test_results', 'fr')} ON ${f('linked_trim_id')} = ${col(ctx, 'trim_results', 'r', 'id')}
    JOIN ${tableAs(ctx, 'final_test_tracks', 'ft')} ON ${k('final_test_id')} = ${f('id')}
    WHERE ${col(ctx, 'trim_results', 'r', 'model')} = ${model}`);
  const newest = new Map<string, FinalTestOutcome>();
  for (const row of rows) {
    const outcome = rowToOutcome(row);
    if (outcome === null) continue;
    const key = `${toNumberRequired(row['ft_trim_id'], 'linked trim id')}\u0000${String(row['ft_track_id'])}`;
    const seen = newest.get(key);
    // Newest test first; ties by the larger FT track id (the later insert).
    if (
      seen === undefined ||
      outcome.testDate.getTime() > seen.testDate.getTime() ||
      (outcome.testDate.getTime() === seen.testDate.getTime() && outcome.finalTestId > seen.finalTestId)
    ) {
      newest.set(key, outcome);
    }
  }
  return newest;
}

/** One model's training records in (fileDate, trackResultId) order, keyset-paginated. */
export async function* readTrainingRecords(
  ctx: RepoContext,
  model: ModelName,
  options: TrainingReadOptions = {},
): AsyncIterable<TrainingRecord[]> {
  const size = batchSizeOf(options.batchSize);
  const r = (c: 'model' | 'file_date') => col(ctx, 'trim_results', 'r', c);
  const tId = col(ctx, 'track_results', 't', 'id');
  const serial = ctx.linking === 'serial' ? await serialOutcomes(ctx, model) : null;
  const linked = serial === null ? await linkedOutcomes(ctx, model) : null;
  // `after`: PostgreSQL compares dates natively; SQLite date text (ISO with 'T' or ' ') is bounded by its day in SQL
  // and compared exactly in JavaScript, so both text forms work.
  const after = options.after;
  const afterSql =
    after === undefined
      ? sql``
      : ctx.engine === 'postgres'
        ? sql`AND ${r('file_date')} > ${after}`
        : sql`AND ${r('file_date')} >= ${after.toISOString().slice(0, 10)}`;
  let cursor: { key: unknown; id: number } | null = null;
  for (;;) {
    const keyset: RawBuilder<unknown> =
      cursor === null ? sql`` : sql`AND (${r('file_date')} > ${cursor.key} OR (${r('file_date')} = ${cursor.key} AND ${tId} > ${cursor.id}))`;
    const rows: RawRow[] = await selectRows(ctx, sql<RawRow>`SELECT ${trackSelect(ctx)} FROM ${trackFrom(ctx)}
        WHERE ${r('model')} = ${model} ${afterSql} ${keyset}
        ORDER BY ${r('file_date')}, ${tId} LIMIT ${size}`);
    const last: RawRow | undefined = rows[rows.length - 1];
    if (last === undefined) return;
    cursor = { key: last['file_date_key'], id: toNumberRequired(last['track_result_id'], 'track id') };
    const batch: TrainingRecord[] = [];
    for (const row of rows) {
      let finalTest: FinalTestOutcome | null;
      if (serial !== null) finalTest = serial.get(toNumberRequired(row['track_result_id'], 'track id')) ?? null;
      else finalTest = linked!.size === 0 ? null : (linked!.get(`${String(row['trim_result_id'])}\u0000${String(row['track_id'])}`) ?? null);
      const record = rowToRecord(row, finalTest);
      if (after !== undefined && !(record.fileDate > after)) continue;
      batch.push(record);
    }
    if (batch.length > 0) yield batch;
    if (rows.length < size) return;
  }
}

/** One model's tracks in id order after `afterTrackResultId`, keyset-paginated. */
export async function* readTracksForApply(
  ctx: RepoContext,
  model: ModelName,
  options: ApplyReadOptions = {},
): AsyncIterable<TrimTrack[]> {
  const size = batchSizeOf(options.batchSize);
  const tId = col(ctx, 'track_results', 't', 'id');
  let after = options.afterTrackResultId ?? null;
  for (;;) {
    const from = after === null ? sql`` : sql`AND ${tId} > ${after}`;
    const rows = await selectRows(ctx, sql<RawRow>`SELECT ${trackSelect(ctx)} FROM ${trackFrom(ctx)}
      WHERE ${col(ctx, 'trim_results', 'r', 'model')} = ${model} ${from} ORDER BY ${tId} LIMIT ${size}`);
    if (rows.length === 0) return;
    const batch = rows.map(rowToTrack);
    yield batch;
    after = batch[batch.length - 1]?.trackResultId ?? after;
    if (rows.length < size) return;
  }
}
