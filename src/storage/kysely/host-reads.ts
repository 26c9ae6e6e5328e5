/**
 * The host-data reads of the Kysely adapters: model summaries, training records (with their Final Test outcome) and
 * tracks for apply. All reads are keyset-paginated (one bounded query per batch), so a consumer may write between
 * batches on the same connection (a streaming cursor would hold SQLite's only connection).
 *
 * @module
 */
import { type RawBuilder, sql } from 'kysely';
import type { FinalTestOutcome, ModelName, ModelSummary, TrainingRecord, TrimTrack } from '../../core/types.js';
import {
  type ApplyReadOptions,
  type ManyTrainingReadOptions,
  type ModelReadRequest,
  type ModelRecordsBatch,
  type ModelTracksBatch,
  type TrainingReadOptions,
} from '../repository.js';
import { batchSizeOf, groupRowsOf } from '../options.js';
import { StorageError } from '../../core/errors.js';
import { dateParam, toDate, toNumberRequired } from './codec.js';
import { type RepoContext, col, hostDate, selectArrays, selectRows, tableAs } from './context.js';
import {
  type OutcomeLookup,
  type RawRow,
  finalTestSelect,
  newerOutcome,
  noOutcome,
  rowToOutcome,
  trackJsonArray,
  trackRowDecoder,
  trackSelect,
} from './rows.js';
import { serialOutcomes } from './serial-linking.js';
import { asModelBatches } from '../model-batches.js';
import { UNAPPLIED_INDEX } from './migrations.js';

/** `track_results t JOIN trim_results r`. */
function trackFrom(ctx: RepoContext): RawBuilder<unknown> {
  return sql`${tableAs(ctx, 'track_results', 't')} JOIN ${tableAs(ctx, 'trim_results', 'r')}
    ON ${col(ctx, 'trim_results', 'r', 'id')} = ${col(ctx, 'track_results', 't', 'trim_result_id')}`;
}

/**
 * `track_results t JOIN trim_results r` for the reads of tracks without a result. On SQLite the track table is read
 * through the partial index of those tracks (`INDEXED BY`, with a `CROSS JOIN` that keeps it the outer table), where
 * the migration made it: the planner's statistics of a partial index are those of the last `ANALYZE`, which may have
 * run while every track was still without a result, and it then reads every track of the models asked for through the
 * model index instead (measured on a 1,000,000-track plant with 1,000 new tracks: the count of new tracks took 1.0 s
 * that way, 0.23 s with a table scan, 0.05 ms through the index).
 */
async function unappliedFrom(ctx: RepoContext): Promise<RawBuilder<unknown>> {
  if (ctx.engine !== 'sqlite') return trackFrom(ctx);
  const indexed = await hasUnappliedIndex(ctx);
  return sql`${tableAs(ctx, 'track_results', 't')} ${indexed ? sql`INDEXED BY ${sql.id(UNAPPLIED_INDEX)}` : sql``}
    CROSS JOIN ${tableAs(ctx, 'trim_results', 'r')} ON ${col(ctx, 'trim_results', 'r', 'id')} = ${col(ctx, 'track_results', 't', 'trim_result_id')}`;
}

const unappliedIndexOf = new WeakMap<RepoContext, Promise<boolean>>();

/** Whether the SQLite database has the partial index of migration 0002 (checked once per repository). */
function hasUnappliedIndex(ctx: RepoContext): Promise<boolean> {
  let known = unappliedIndexOf.get(ctx);
  if (known === undefined) {
    known = selectRows(ctx, sql<RawRow>`SELECT 1 AS found FROM sqlite_master WHERE type = 'index' AND name = ${UNAPPLIED_INDEX}`).then(
      (rows) => rows.length > 0,
    );
    unappliedIndexOf.set(ctx, known);
  }
  return known;
}

/**
 * Per model, how many trim tracks have a linked Final Test track (same run by `linked_trim_id`, same track id). Each
 * engine gets the form its planner runs fastest: PostgreSQL a semi-join, SQLite the distinct linked pairs
 * (figures: docs/benchmarks.md).
 */
function linkedCounts(ctx: RepoContext): RawBuilder<unknown> {
  const model = col(ctx, 'trim_results', 'r', 'model');
  const f = (c: 'id' | 'linked_trim_id') => col(ctx, 'final_test_results', 'fr', c);
  const k = (c: 'final_test_id' | 'track_id') => col(ctx, 'final_test_tracks', 'ft', c);
  const t = (c: 'trim_result_id' | 'track_id') => col(ctx, 'track_results', 't', c);
  const ftJoin = sql`${tableAs(ctx, 'final_test_results', 'fr')} JOIN ${tableAs(ctx, 'final_test_tracks', 'ft')} ON ${k('final_test_id')} = ${f('id')}`;
  if (ctx.engine === 'postgres') {
    return sql`SELECT ${model} AS model, COUNT(*) AS linked FROM ${trackFrom(ctx)}
      WHERE EXISTS (SELECT 1 FROM ${ftJoin} WHERE ${f('linked_trim_id')} = ${col(ctx, 'trim_results', 'r', 'id')} AND ${k('track_id')} = ${t('track_id')})
      GROUP BY ${model}`;
  }
  return sql`SELECT ${model} AS model, COUNT(*) AS linked
    FROM (SELECT DISTINCT ${f('linked_trim_id')} AS trim_id, ${k('track_id')} AS track_id FROM ${ftJoin} WHERE ${f('linked_trim_id')} IS NOT NULL) l
    JOIN ${tableAs(ctx, 'trim_results', 'r')} ON ${col(ctx, 'trim_results', 'r', 'id')} = l.trim_id
    JOIN ${tableAs(ctx, 'track_results', 't')} ON ${t('trim_result_id')} = l.trim_id AND ${t('track_id')} = l.track_id
    GROUP BY ${model}`;
}

/**
 * Every model with counts and date range, sorted by name in UTF-16 code-unit order (engine collations differ). The
 * counts and the linked counts are two queries, run at once on PostgreSQL, faster on both engines than one query
 * with a left join to the distinct linked pairs (figures: docs/benchmarks.md).
 */
export async function listModels(ctx: RepoContext): Promise<ModelSummary[]> {
  const model = col(ctx, 'trim_results', 'r', 'model');
  const date = col(ctx, 'trim_results', 'r', 'file_date');
  const [rows, linkedRows] = await Promise.all([
    selectRows(
      ctx,
      sql<RawRow>`SELECT ${model} AS model, COUNT(*) AS n, ${hostDate(ctx, sql`MIN(${date})`)} AS first_date, ${hostDate(ctx, sql`MAX(${date})`)} AS last_date
      FROM ${trackFrom(ctx)} GROUP BY ${model}`,
    ),
    ctx.linking === 'linkedTrimId' ? selectRows(ctx, linkedCounts(ctx)) : Promise.resolve([]),
  ]);
  const linkedOf = new Map(linkedRows.map((row) => [String(row['model']), toNumberRequired(row['linked'], 'linked count')]));
  const out: ModelSummary[] = [];
  for (const row of rows) {
    const model = String(row['model']);
    // A model's undecodable row must not stop the listing of every model: its range (or serial-linked count) is
    // left unknown here, and reading the model reports the error for that model (see ModelSummary).
    const linked =
      ctx.linking === 'linkedTrimId'
        ? (linkedOf.get(model) ?? 0)
        : await serialOutcomes(ctx, model).then(
            (o) => o.size,
            (e: unknown) => {
              if (e instanceof StorageError) return 0;
              throw e;
            },
          );
    out.push({
      model,
      trimTracks: toNumberRequired(row['n'], 'count'),
      finalTestLinked: linked,
      firstDate: dateOrUnknown(row['first_date']),
      lastDate: dateOrUnknown(row['last_date']),
    });
  }
  return out.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** A date, or `null` for NULL and for a stored value that is no date (see {@link listModels}). */
function dateOrUnknown(v: unknown): Date | null {
  try {
    return toDate(v);
  } catch (e) {
    if (e instanceof StorageError) return null;
    throw e;
  }
}

/** A linked Final Test outcome with the track id it belongs to. */
interface TrackOutcome {
  readonly trackId: string;
  outcome: FinalTestOutcome;
}

/**
 * The newest linked Final Test outcome of each (trim run, track id) of the runs `where` selects (one model, or a
 * group of models), by `linked_trim_id`: one query (FT tracks only, through the linked_trim_id and final_test_id
 * indexes), matched in JavaScript by trim run id, then track id (a run has one or two tracks). This keeps the track
 * query as simple as apply's, and is faster than a page + ranked-CTE form (figures: docs/benchmarks.md).
 */
async function linkedOutcomes(ctx: RepoContext, where: RawBuilder<unknown>): Promise<Map<number, TrackOutcome[]>> {
  const f = (c: 'id' | 'test_date' | 'linked_trim_id') => col(ctx, 'final_test_results', 'fr', c);
  const k = (c: 'id' | 'track_id' | 'final_test_id') => col(ctx, 'final_test_tracks', 'ft', c);
  const rows = await selectRows(
    ctx,
    sql<RawRow>`SELECT ${finalTestSelect(ctx)}, ${f('linked_trim_id')} AS ft_trim_id, ${k('track_id')} AS ft_track_id
    FROM ${tableAs(ctx, 'trim_results', 'r')}
    JOIN ${tableAs(ctx, 'final_test_results', 'fr')} ON ${f('linked_trim_id')} = ${col(ctx, 'trim_results', 'r', 'id')}
    JOIN ${tableAs(ctx, 'final_test_tracks', 'ft')} ON ${k('final_test_id')} = ${f('id')}
    WHERE ${where}`,
  );
  const byRun = new Map<number, TrackOutcome[]>();
  for (const row of rows) {
    const outcome = rowToOutcome(row);
    if (outcome === null) continue;
    const run = toNumberRequired(row['ft_trim_id'], 'linked trim id');
    const trackId = String(row['ft_track_id']);
    let list = byRun.get(run);
    if (list === undefined) byRun.set(run, (list = []));
    const seen = list.find((e) => e.trackId === trackId);
    if (seen === undefined) list.push({ trackId, outcome });
    else if (newerOutcome(outcome, seen.outcome)) seen.outcome = outcome;
  }
  return byRun;
}

/** The Final Test outcomes of the runs `where` selects, for the models named (serial linking reads per model). */
async function outcomesFor(ctx: RepoContext, models: readonly ModelName[], where: RawBuilder<unknown>): Promise<OutcomeLookup> {
  if (ctx.linking === 'serial') {
    const byTrack = new Map<number, FinalTestOutcome>();
    for (const model of models) for (const [id, o] of await serialOutcomes(ctx, model)) byTrack.set(id, o);
    return (_run, _track, trackResultId) => byTrack.get(trackResultId) ?? null;
  }
  const byRun = await linkedOutcomes(ctx, where);
  if (byRun.size === 0) return () => null;
  return (trimResultId, trackId) => {
    const list = byRun.get(trimResultId);
    if (list === undefined) return null;
    for (const e of list) if (e.trackId === trackId) return e.outcome;
    return null;
  };
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
  const outcomeOf = await outcomesFor(ctx, [model], sql`${r('model')} = ${model}`);
  // `after`: a PostgreSQL date column compares natively (the bound is ISO UTC text, which a `timestamp` column reads
  // as UTC wall time, the library's rule). Any other column (SQLite, PostgreSQL text) is narrowed in SQL to a
  // superset (ISO text from the day before on, which covers any zone offset and both 'T' and ' ' forms; any other
  // form, such as epoch milliseconds, kept) and compared exactly in JavaScript.
  const after = options.after;
  const dateText = hostDate(ctx, r('file_date'));
  const afterSql =
    after === undefined
      ? sql``
      : ctx.nativeFileDates
        ? sql`AND ${r('file_date')} > ${dateParam(after)}`
        : sql`AND (${dateText} >= ${new Date(after.getTime() - 86_400_000).toISOString().slice(0, 10)}
            OR ${dateText} NOT LIKE '____-__-__%')`;
  let cursor: { key: unknown; id: number } | null = null;
  for (;;) {
    const keyset: RawBuilder<unknown> =
      cursor === null
        ? sql``
        : sql`AND (${r('file_date')} > ${cursor.key} OR (${r('file_date')} = ${cursor.key} AND ${tId} > ${cursor.id}))`;
    const { columns, rows } = await selectArrays(
      ctx,
      sql<RawRow>`SELECT ${trackSelect(ctx)} FROM ${trackFrom(ctx)}
        WHERE ${r('model')} = ${model} ${afterSql} ${keyset}
        ORDER BY ${r('file_date')}, ${tId} LIMIT ${size}`,
    );
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    const decode = trackRowDecoder(columns, outcomeOf);
    const batch: TrainingRecord[] = [];
    for (const row of rows) {
      const record = decode(row);
      if (after !== undefined && !(record.fileDate > after)) continue;
      batch.push(record);
    }
    cursor = { key: last[columns.indexOf('file_date')], id: toNumberRequired(last[columns.indexOf('track_result_id')], 'track id') };
    if (batch.length > 0) yield batch;
    if (rows.length < size) return;
  }
}

/**
 * Groups consecutive requests into reads: small models together while their hinted rows fit `groupRows`; a model
 * larger than that alone (read in pages).
 */
export function planReadGroups(models: readonly ModelReadRequest[], groupRows: number): ModelReadRequest[][] {
  const groups: ModelReadRequest[][] = [];
  let current: ModelReadRequest[] = [];
  let rows = 0;
  for (const m of models) {
    const n = Math.max(0, m.trimTracks);
    if (n > groupRows) {
      if (current.length > 0) groups.push(current);
      groups.push([m]);
      current = [];
      rows = 0;
      continue;
    }
    if (rows + n > groupRows && current.length > 0) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    current.push(m);
    rows += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** `r.model IN (…)` for a list of model names, as one parameter (so the statement text, and its plan, is shared). */
function modelIn(ctx: RepoContext, models: readonly ModelName[]): RawBuilder<unknown> {
  const model = col(ctx, 'trim_results', 'r', 'model');
  return ctx.engine === 'postgres'
    ? sql`${model} = ANY(${[...models]})`
    : sql`${model} IN (SELECT value FROM json_each(${JSON.stringify(models)}))`;
}

/** SQLite's order of two stored values: NULL, then numbers (by value), then text (by its bytes: code units here). */
function sqliteCompare(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'number' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || ra === 0) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Puts SQLite JSON rows (arrays of a model's {@link trackJsonArray} elements, as stored) into the read's order, the
 * one `ORDER BY file_date, id` (training) or `ORDER BY id` (apply) gives, unless they are in it already.
 */
function sqliteOrder(rows: unknown[][], columns: readonly string[], purpose: 'training' | 'apply'): unknown[][] {
  const iId = columns.indexOf('track_result_id');
  const iDate = columns.indexOf('file_date');
  const compare =
    purpose === 'apply'
      ? (a: unknown[], b: unknown[]) => (a[iId] as number) - (b[iId] as number)
      : (a: unknown[], b: unknown[]) => sqliteCompare(a[iDate], b[iDate]) || (a[iId] as number) - (b[iId] as number);
  for (let i = 1; i < rows.length; i++) if (compare(rows[i - 1]!, rows[i]!) > 0) return rows.sort(compare);
  return rows;
}

/**
 * A group of small models' tracks in one query, by model: training records in (fileDate, id) order with their Final
 * Test outcomes (one more query), or apply's tracks in id order without. `null` when a row names a model not asked
 * for (a case-insensitive collation on the host's model column), so the caller reads the group model by model.
 */
async function readGroup(
  ctx: RepoContext,
  models: readonly ModelName[],
  purpose: 'training' | 'apply' | 'unapplied',
): Promise<Map<ModelName, TrainingRecord[]> | null> {
  const where = purpose === 'unapplied' ? sql`${modelIn(ctx, models)} AND ${unapplied(ctx)}` : modelIn(ctx, models);
  const from = purpose === 'unapplied' ? await unappliedFrom(ctx) : trackFrom(ctx);
  const byModel = new Map<ModelName, TrainingRecord[]>(models.map((m) => [m, []]));
  const tId = col(ctx, 'track_results', 't', 'id');
  const order = purpose === 'training' ? sql`${col(ctx, 'trim_results', 'r', 'file_date')}, ${tId}` : tId;
  const outcomes = (): Promise<OutcomeLookup> => (purpose === 'training' ? outcomesFor(ctx, models, where) : Promise.resolve(noOutcome));
  if (ctx.jsonGroups === true) {
    // One JSON array per model, built by the engine (on PostgreSQL on the server's own core) and parsed natively
    // here; its elements are what a row would hold, decoded by the same decoder.
    const json = trackJsonArray(ctx);
    const model = col(ctx, 'trim_results', 'r', 'model');
    // PostgreSQL sorts on the server's core. SQLite would sort in a temporary B-tree on this thread although its
    // index scan delivers the rows nearly always in order already (the sort is a quarter of the query): there the order is
    // checked, and restored where needed, here.
    const records =
      ctx.engine === 'postgres' ? sql`CAST(json_agg(${json.expr} ORDER BY ${order}) AS text)` : sql`json_group_array(${json.expr})`;
    const [outcomeOf, { rows }] = await Promise.all([
      outcomes(),
      selectArrays(
        ctx,
        sql<RawRow>`SELECT CAST(${model} AS text) AS model, ${records} AS records
        FROM ${from} WHERE ${where} GROUP BY ${model}`,
      ),
    ]);
    const decode = trackRowDecoder(json.columns, outcomeOf);
    for (const [name, text] of rows) {
      const list = byModel.get(String(name));
      if (list === undefined) return null;
      const arrays = JSON.parse(String(text)) as unknown[][];
      for (const a of ctx.engine === 'postgres' ? arrays : sqliteOrder(arrays, json.columns, purpose === 'training' ? 'training' : 'apply'))
        list.push(decode(a));
    }
    return byModel;
  }
  // Both queries at once (on PostgreSQL on two pooled connections).
  const [outcomeOf, { columns, rows }] = await Promise.all([
    outcomes(),
    selectArrays(ctx, sql<RawRow>`SELECT ${trackSelect(ctx)} FROM ${from} WHERE ${where} ORDER BY ${order}`),
  ]);
  if (rows.length === 0) return byModel;
  const decode = trackRowDecoder(columns, outcomeOf);
  for (const row of rows) {
    const record = decode(row);
    const list = byModel.get(record.model);
    if (list === undefined) return null;
    list.push(record);
  }
  return byModel;
}

/**
 * Many models' rows with few queries: small models in groups of about `groupRows` rows (one query per group, plus
 * one Final Test query for training, instead of one or two per model), a model larger than a batch paged on its own
 * with `readOne`. The next group is read while this one is consumed (on PostgreSQL on another pooled connection, so
 * the server works while the consumer does); memory: at most 1 + READ_AHEAD groups. A model's rows from a group come
 * in batches of at most `batchSize` when `split`. A model whose read fails ends with a batch carrying the error.
 */
async function* readGrouped<T extends TrimTrack>(
  models: readonly ModelReadRequest[],
  options: ManyTrainingReadOptions,
  split: boolean,
  readSmall: (models: readonly ModelName[]) => Promise<Map<ModelName, T[]> | null>,
  readOne: (model: ModelName, batchSize: number) => AsyncIterable<T[]>,
): AsyncIterable<{ model: ModelName; records: T[]; last: boolean; error?: Error }> {
  const size = batchSizeOf(options.batchSize);
  const groupRows = groupRowsOf(options.groupRows);
  const groups = planReadGroups(models, groupRows);
  const paged = (g: readonly ModelReadRequest[]) => g.length === 1 && g[0]!.trimTracks > size;
  const start = (g: readonly ModelReadRequest[] | undefined) => {
    if (g === undefined || paged(g)) return null;
    const p = readSmall(g.map((m) => m.model));
    p.catch(() => undefined); // Awaited below; a consumer that stops early must not leave an unhandled rejection.
    return p;
  };
  const pending = groups.slice(0, READ_AHEAD).map(start);
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    const current = pending.shift() ?? null;
    pending.push(start(groups[i + READ_AHEAD]));
    // A group that fails (one model's bad row fails the whole query) is read model by model: the failing model ends
    // with its error, the others are read.
    const byModel = current === null ? null : await current.catch(() => null);
    if (byModel === null) {
      for (const { model } of group) yield* asModelBatches(model, readOne(model, size));
      continue;
    }
    for (const { model } of group) {
      const rows = byModel.get(model) ?? [];
      if (!split || rows.length <= size) {
        yield { model, records: rows, last: true };
        continue;
      }
      for (let k = 0; k < rows.length; k += size) yield { model, records: rows.slice(k, k + size), last: k + size >= rows.length };
    }
  }
}

/**
 * Many models' training records with few queries (see {@link readGrouped}). Measured on 80,000 tracks of 300
 * models: see `npm run bench:storage`.
 */
export function readManyTrainingRecords(
  ctx: RepoContext,
  models: readonly ModelReadRequest[],
  options: ManyTrainingReadOptions = {},
): AsyncIterable<ModelRecordsBatch> {
  return readGrouped(
    models,
    options,
    false,
    (group) => readGroup(ctx, group, 'training'),
    (model, batchSize) => readTrainingRecords(ctx, model, { batchSize }),
  );
}

/**
 * Many models' tracks for apply (all, or with `onlyUnapplied` those without a result), each model in id order, with
 * few queries (see {@link readGrouped}).
 */
async function* readManyTracks(
  ctx: RepoContext,
  models: readonly ModelReadRequest[],
  options: ManyTrainingReadOptions,
  onlyUnapplied: boolean,
): AsyncIterable<ModelTracksBatch> {
  const batches = readGrouped<TrimTrack>(
    models,
    options,
    true,
    (group) => readGroup(ctx, group, onlyUnapplied ? 'unapplied' : 'apply'),
    (model, batchSize) => readTracksForApply(ctx, model, { batchSize }, onlyUnapplied),
  );
  for await (const { model, records, last, error } of batches) {
    yield error === undefined ? { model, tracks: records, last } : { model, tracks: records, last, error };
  }
}

/** Many models' tracks for apply, each model in id order, with few queries (see {@link readGrouped}). */
export function readManyTracksForApply(
  ctx: RepoContext,
  models: readonly ModelReadRequest[],
  options: ManyTrainingReadOptions = {},
): AsyncIterable<ModelTracksBatch> {
  return readManyTracks(ctx, models, options, false);
}

/** `t.ml_model_version IS NULL`: a track apply has not written yet (served by the partial index of migration 0002). */
function unapplied(ctx: RepoContext): RawBuilder<unknown> {
  return sql`${col(ctx, 'track_results', 't', 'ml_model_version')} IS NULL`;
}

/**
 * The models with tracks apply has not written yet, with their number, by name (UTF-16 code units): one aggregate
 * over the partial index of unwritten tracks (measured on a 1,000,000-track SQLite plant with 1,000 new tracks: see
 * `npm run bench`), not a scan of the track table.
 */
export async function listModelsWithUnappliedTracks(ctx: RepoContext): Promise<ModelReadRequest[]> {
  const model = col(ctx, 'trim_results', 'r', 'model');
  const rows = await selectRows(
    ctx,
    sql<RawRow>`SELECT ${model} AS model, COUNT(*) AS n FROM ${await unappliedFrom(ctx)} WHERE ${unapplied(ctx)} GROUP BY ${model}`,
  );
  return rows
    .map((row) => ({ model: String(row['model']), trimTracks: toNumberRequired(row['n'], 'count') }))
    .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}

/** Many models' tracks that apply has not written yet, each model in id order (see {@link readGrouped}). */
export function readUnappliedTracks(
  ctx: RepoContext,
  models: readonly ModelReadRequest[],
  options: ManyTrainingReadOptions = {},
): AsyncIterable<ModelTracksBatch> {
  return readManyTracks(ctx, models, options, true);
}

/** Groups read ahead of the one being consumed by {@link readGrouped}. */
const READ_AHEAD = 1;

/** One model's tracks in id order after `afterTrackResultId`, keyset-paginated. */
export async function* readTracksForApply(
  ctx: RepoContext,
  model: ModelName,
  options: ApplyReadOptions = {},
  onlyUnapplied = false,
): AsyncIterable<TrimTrack[]> {
  const size = batchSizeOf(options.batchSize);
  const tId = col(ctx, 'track_results', 't', 'id');
  const only = onlyUnapplied ? sql`AND ${unapplied(ctx)}` : sql``;
  const tracks = onlyUnapplied ? await unappliedFrom(ctx) : trackFrom(ctx);
  let after = options.afterTrackResultId ?? null;
  for (;;) {
    const from = after === null ? sql`` : sql`AND ${tId} > ${after}`;
    const { columns, rows } = await selectArrays(
      ctx,
      sql<RawRow>`SELECT ${trackSelect(ctx)} FROM ${tracks}
      WHERE ${col(ctx, 'trim_results', 'r', 'model')} = ${model} ${only} ${from} ORDER BY ${tId} LIMIT ${size}`,
    );
    if (rows.length === 0) return;
    const decode = trackRowDecoder(columns);
    const batch: TrimTrack[] = rows.map(decode);
    yield batch;
    after = batch[batch.length - 1]?.trackResultId ?? after;
    if (rows.length < size) return;
  }
}
