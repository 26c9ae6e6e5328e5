/**
 * The garbage harness: a synthetic plant on SQLite with `rows` clean tracks turned into garbage of every kind the
 * adapters and hygiene must survive (unreadable cells, impossible values, bad dates, bad Final Test cells, the
 * analysis' own garbage), plus an empty and a hostile model name. Then train and apply, and the bar of issue 10:
 * 0 whole-run failures, 0 models failed, every spoiled row counted under its reason, nothing non-finite stored.
 * Used by `test/manager/garbage.test.ts` (scaled down) and `bench/garbage.bench.ts` (10,000 rows).
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { cleanTrainingRecords } from '../../src/core/dataset.js';
import { type ExclusionReason, emptyExclusionCounts, exclusionReason } from '../../src/core/features.js';
import { createRng } from '../../src/core/rng.js';
import type { TrainingRecord } from '../../src/core/types.js';
import { MLManager } from '../../src/manager/ml-manager.js';
import type { ApplyResult, TrainAllResult } from '../../src/manager/types.js';
import { createReferenceSchema } from '../../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../../src/storage/kysely/sqlite.js';
import { writePlant } from '../../src/synthetic/index.js';

/** One kind of garbage: the SQL that spoils a picked track (run `?run`, track `?track`) and the reason it must count under. */
interface GarbageKind {
  readonly name: string;
  readonly reason: ExclusionReason;
  /** `run`: the trim run's date (all its tracks); `track`: one track; `ft`: the track's linked Final Test row. */
  readonly scope: 'run' | 'track' | 'ft';
  readonly sql: string;
}

const T = (set: string) => `UPDATE track_results SET ${set} WHERE id = :track`;
const R = (set: string) => `UPDATE trim_results SET ${set} WHERE id = :run`;
const FT_TRACK = (set: string) => `UPDATE final_test_tracks SET ${set} WHERE id = :ft`;
const FT_RUN = (set: string) =>
  `UPDATE final_test_results SET ${set} WHERE id = (SELECT final_test_id FROM final_test_tracks WHERE id = :ft)`;

/** Every kind, with its reason (the `shared/domain.md` garbage, and what issue 10 found). */
export const GARBAGE: readonly GarbageKind[] = [
  { name: 'sigma text', reason: 'unreadable_value', scope: 'track', sql: T(`sigma_gradient = 'abc'`) },
  { name: 'sigma empty text', reason: 'unreadable_value', scope: 'track', sql: T(`sigma_gradient = ''`) },
  { name: 'spec text', reason: 'unreadable_value', scope: 'track', sql: T(`linearity_spec = 'n/a'`) },
  { name: 'pass text', reason: 'unreadable_value', scope: 'track', sql: T(`linearity_pass = 'maybe'`) },
  { name: 'pass empty text', reason: 'unreadable_value', scope: 'track', sql: T(`linearity_pass = ''`) },
  { name: 'fail points text', reason: 'unreadable_value', scope: 'track', sql: T(`linearity_fail_points = 'x'`) },
  { name: 'resistance text', reason: 'unreadable_value', scope: 'track', sql: T(`trimmed_resistance = '10k'`) },
  { name: 'date text', reason: 'unreadable_date', scope: 'run', sql: R(`file_date = 'not a date'`) },
  { name: 'date month 13', reason: 'unreadable_date', scope: 'run', sql: R(`file_date = '2024-13-45T00:00:00'`) },
  { name: 'date year 999', reason: 'unreadable_date', scope: 'run', sql: R(`file_date = '0999-06-01T00:00:00.000Z'`) },
  { name: 'date beyond JavaScript', reason: 'unreadable_date', scope: 'run', sql: R(`file_date = 1e20`) },
  { name: 'sigma 1e308', reason: 'invalid_sigma', scope: 'track', sql: T(`sigma_gradient = 1e308`) },
  { name: 'sigma +Infinity', reason: 'invalid_sigma', scope: 'track', sql: T(`sigma_gradient = 9e999`) },
  { name: 'sigma negative', reason: 'invalid_sigma', scope: 'track', sql: T(`sigma_gradient = -0.0003`) },
  { name: 'sigma 0', reason: 'invalid_sigma', scope: 'track', sql: T(`sigma_gradient = 0`) },
  { name: 'placeholder sigma', reason: 'placeholder_sigma', scope: 'track', sql: T(`sigma_gradient = 999.999`) },
  { name: 'status ERROR', reason: 'status_error', scope: 'track', sql: T(`status = 'ERROR'`) },
  { name: 'sigma NULL', reason: 'missing_sigma', scope: 'track', sql: T(`sigma_gradient = NULL`) },
  { name: 'spec 0', reason: 'invalid_spec', scope: 'track', sql: T(`linearity_spec = 0`) },
  { name: 'spec 1e308', reason: 'invalid_spec', scope: 'track', sql: T(`linearity_spec = 1e308`) },
  { name: 'fail points 1e308', reason: 'implausible_value', scope: 'track', sql: T(`linearity_fail_points = 1e308`) },
  { name: 'fail points 2.5', reason: 'implausible_value', scope: 'track', sql: T(`linearity_fail_points = 2.5`) },
  { name: 'error -Infinity', reason: 'implausible_value', scope: 'track', sql: T(`linearity_error = -9e999`) },
  { name: 'offset 1e308', reason: 'implausible_value', scope: 'track', sql: T(`optimal_offset = 1e308`) },
  { name: 'travel negative', reason: 'implausible_value', scope: 'track', sql: T(`travel_length = -240`) },
  { name: 'unit length 1e308', reason: 'implausible_value', scope: 'track', sql: T(`unit_length = 1e308`) },
  { name: 'resistance negative', reason: 'implausible_value', scope: 'track', sql: T(`untrimmed_resistance = -1`) },
  { name: 'resistance 1e308', reason: 'implausible_value', scope: 'track', sql: T(`trimmed_resistance = 1e308`) },
  { name: 'FT fail count text', reason: 'unreadable_value', scope: 'ft', sql: FT_TRACK(`fail_points = 'many'`) },
  { name: 'FT pass text', reason: 'unreadable_value', scope: 'ft', sql: FT_TRACK(`linearity_pass = 'fail?'`) },
  { name: 'FT date text', reason: 'unreadable_date', scope: 'ft', sql: FT_RUN(`test_date = 'soon'`) },
  { name: 'FT fail points 1e308', reason: 'implausible_value', scope: 'ft', sql: FT_TRACK(`fail_points = 1e308`) },
];

/** What the harness measured. */
export interface GarbageReport {
  readonly tracks: number;
  readonly models: number;
  /** Spoiled rows (tracks whose reading or hygiene the garbage changed), by reason. */
  readonly spoiled: Record<string, number>;
  readonly spoiledRows: number;
  readonly train: TrainAllResult;
  readonly apply: ApplyResult;
  /** Per reason: rows counted by train (summed over models) beyond what the plant had before the garbage. */
  readonly countedByTrain: Record<string, number>;
  /** The same for apply. */
  readonly countedByApply: Record<string, number>;
  /** Spoiled rows apply must count, by reason (Final Test garbage does not reach apply, which reads no Final Test). */
  readonly spoiledApply: Record<string, number>;
  /** Rows read by train in all; rows apply wrote. Both must equal `tracks`. */
  readonly trainRowsRead: number;
  readonly applyTracks: number;
  /** Rows with a model result that does not add up (`rowsRead ≠ samples + excluded`). */
  readonly uncountedModels: string[];
  /** Non-finite numbers found in the library's tables and result columns. */
  readonly nonFinite: number;
  readonly durationMs: { readonly write: number; readonly inject: number; readonly train: number; readonly apply: number };
}

function addCounts(into: Record<string, number>, from: Record<string, number>, sign = 1): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + sign * n;
}

/** Key of a record for duplicate detection (as cleanTrainingRecords compares). */
const keyOf = (r: TrainingRecord) => `${r.model}\u0000${r.serial}\u0000${r.trackId}\u0000${r.fileDate.getTime()}\u0000${r.sigmaGradient}`;

/**
 * Runs the harness on a fresh SQLite file: a plant of `tracks` tracks, `rows` of them spoiled (round-robin over
 * {@link GARBAGE}, each on its own clean run), then train and apply.
 */
export async function runGarbageHarness(
  file: string,
  o: { tracks: number; rows: number; models: number; seed: number; trees?: number },
): Promise<GarbageReport> {
  const t0 = Date.now();
  const setup = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
  await createReferenceSchema(setup);
  await setup.destroy();
  const repo = await createSqliteRepository({ file }, { migrate: true });
  try {
    await writePlant(repo, { seed: o.seed, tracks: o.tracks, models: o.models });
    const tWrite = Date.now();
    const raw = new Database(file);
    try {
      // Hostile names: an empty one and one with quotes, a slash and unicode (names are opaque).
      const byName = [...(await repo.listModels())].sort((a, b) => a.trimTracks - b.trimTracks);
      const renames: [string, string][] = [
        [byName[0]!.model, ''],
        [byName[1]!.model, `o'neil "x" / 型号`],
      ];
      for (const [from, to] of renames) {
        raw.prepare('UPDATE trim_results SET model = ? WHERE model = ?').run(to, from);
        raw.prepare('UPDATE final_test_results SET model = ? WHERE model = ?').run(to, from);
      }
      const models = await repo.listModels();
      // The baseline (what the plant's own garbage costs) and the clean, unique runs that can be spoiled.
      const before = emptyExclusionCounts() as Record<string, number>;
      const beforeApply = emptyExclusionCounts() as Record<string, number>;
      const candidates: { run: number; tracks: TrainingRecord[] }[] = [];
      for (const m of models) {
        const records: TrainingRecord[] = [];
        for await (const b of repo.readTrainingRecords(m.model)) records.push(...b);
        const clean = cleanTrainingRecords(records);
        addCounts(before, clean.excluded);
        for (const r of records) {
          const reason = exclusionReason({ ...r, finalTest: null });
          if (reason !== null) beforeApply[reason]!++;
        }
        const seen = new Map<string, number>();
        for (const r of records) seen.set(keyOf(r), (seen.get(keyOf(r)) ?? 0) + 1);
        const ok = new Set(clean.records.filter((r) => seen.get(keyOf(r)) === 1).map((r) => r.trackResultId));
        const byRun = new Map<number, TrainingRecord[]>();
        for (const r of records) byRun.set(r.trimResultId, [...(byRun.get(r.trimResultId) ?? []), r]);
        for (const [run, tracks] of byRun) if (tracks.every((r) => ok.has(r.trackResultId))) candidates.push({ run, tracks });
      }
      // Runs with a linked Final Test track of their first track, for the Final Test garbage.
      const linked = new Map<number, number>();
      for (const row of raw
        .prepare(
          `SELECT ft.id AS ft, t.id AS track FROM final_test_tracks ft
          JOIN final_test_results fr ON fr.id = ft.final_test_id
          JOIN track_results t ON t.trim_result_id = fr.linked_trim_id AND t.track_id = ft.track_id`,
        )
        .all() as { ft: number; track: number }[]) {
        linked.set(row.track, row.ft);
      }
      // Each FT row links to one track; one FT row per spoiled run (a retest links another FT row to the same track,
      // which stays readable: only the spoiled one must count, so runs with several FT rows on a track are skipped).
      const ftPerTrack = new Map<number, number>();
      for (const row of raw
        .prepare(
          `SELECT t.id AS track, COUNT(*) AS n FROM final_test_tracks ft JOIN final_test_results fr ON fr.id = ft.final_test_id
          JOIN track_results t ON t.trim_result_id = fr.linked_trim_id AND t.track_id = ft.track_id GROUP BY t.id`,
        )
        .all() as { track: number; n: number }[]) {
        ftPerTrack.set(row.track, row.n);
      }
      const rng = createRng(o.seed);
      for (let i = candidates.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
      }
      const ftCandidates = candidates.filter(
        (c) => c.tracks.length === 1 && linked.has(c.tracks[0]!.trackResultId) && ftPerTrack.get(c.tracks[0]!.trackResultId) === 1,
      );
      const used = new Set<number>();
      const spoiled: Record<string, number> = {};
      const spoiledApply: Record<string, number> = {};
      let spoiledRows = 0;
      let k = 0;
      let next = 0;
      let nextFt = 0;
      const statements = new Map(GARBAGE.map((g) => [g.name, raw.prepare(g.sql)]));
      raw.transaction(() => {
        while (spoiledRows < o.rows) {
          const g = GARBAGE[k++ % GARBAGE.length]!;
          let c: { run: number; tracks: TrainingRecord[] } | undefined;
          if (g.scope === 'ft') {
            while (nextFt < ftCandidates.length && used.has(ftCandidates[nextFt]!.run)) nextFt++;
            c = ftCandidates[nextFt++];
          } else {
            while (next < candidates.length && used.has(candidates[next]!.run)) next++;
            c = candidates[next++];
          }
          if (c === undefined) {
            if (g.scope === 'ft') continue;
            throw new Error(`garbage harness: only ${spoiledRows} clean runs to spoil; use a larger plant`);
          }
          used.add(c.run);
          const track = c.tracks[0]!.trackResultId;
          statements.get(g.name)!.run({ run: c.run, track, ft: linked.get(track) ?? -1 });
          const n = g.scope === 'run' ? c.tracks.length : 1;
          spoiled[g.reason] = (spoiled[g.reason] ?? 0) + n;
          if (g.scope !== 'ft') spoiledApply[g.reason] = (spoiledApply[g.reason] ?? 0) + n;
          spoiledRows += n;
        }
      })();
      const tInject = Date.now();

      const ml = new MLManager(repo, { trees: o.trees ?? 10 });
      const train = await ml.trainAllModels({ concurrency: 1 });
      const tTrain = Date.now();
      const apply = await ml.applyToDatabase({ concurrency: 1 });
      const tApply = Date.now();

      const countedByTrain: Record<string, number> = {};
      const uncountedModels: string[] = [];
      for (const r of train.results) {
        const e = (r.excluded ?? {}) as Record<string, number>;
        addCounts(countedByTrain, e);
        const excludedRows = Object.entries(e).reduce((s, [reason, n]) => s + (reason === 'missing_outcome' ? 0 : n), 0);
        if (r.excluded === null || r.rowsRead !== r.samples + excludedRows) uncountedModels.push(r.model);
      }
      addCounts(countedByTrain, before, -1);
      delete countedByTrain['missing_outcome'];
      const countedByApply: Record<string, number> = {};
      addCounts(countedByApply, apply.excluded);
      addCounts(countedByApply, beforeApply, -1);
      for (const x of [countedByTrain, countedByApply]) for (const [kk, n] of Object.entries(x)) if (n === 0) delete x[kk];
      return {
        tracks: Number((raw.prepare('SELECT COUNT(*) AS n FROM track_results').get() as { n: number }).n),
        models: models.length,
        spoiled,
        spoiledRows,
        train,
        apply,
        countedByTrain,
        countedByApply,
        spoiledApply,
        trainRowsRead: train.results.reduce((s, r) => s + r.rowsRead, 0),
        applyTracks: apply.tracks,
        uncountedModels,
        nonFinite: nonFiniteCells(raw),
        durationMs: { write: tWrite - t0, inject: tInject - tWrite, train: tTrain - tInject, apply: tApply - tTrain },
      };
    } finally {
      raw.close();
    }
  } finally {
    await repo.close();
  }
}

/** Non-finite numbers in the library's tables and in the result columns (SQLite keeps ±Infinity; NaN is NULL). */
function nonFiniteCells(raw: Database.Database): number {
  const bad = (c: string) => `(typeof(${c}) = 'real' AND NOT (${c} BETWEEN -1.7e308 AND 1.7e308))`;
  const stateCols = (
    raw
      .prepare(`SELECT name FROM pragma_table_info('model_ml_state') WHERE type IN ('REAL', 'DOUBLE PRECISION', 'FLOAT', 'INTEGER')`)
      .all() as { name: string }[]
  ).map((r) => r.name);
  let n = 0;
  for (const [table, cols] of [
    ['model_ml_state', stateCols],
    ['drift_alerts', ['size_sigma']],
    ['track_results', ['sigma_threshold', 'failure_probability']],
  ] as const) {
    if (cols.length === 0) continue;
    n += Number((raw.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${cols.map(bad).join(' OR ')}`).get() as { n: number }).n);
  }
  // JSON in the library's tables holds no "Infinity"/"NaN" (JSON.stringify writes null for them).
  n += Number(
    (
      raw
        .prepare(`SELECT COUNT(*) AS n FROM model_ml_state WHERE components_json LIKE '%Infinity%' OR components_json LIKE '%NaN%'`)
        .get() as { n: number }
    ).n,
  );
  return n;
}
