/**
 * Example: plug the library into an EXISTING plant database whose tables and columns have other names.
 *
 * The host here keeps `analysis_results` / `track_data` / `ft_results` / `ft_tracks`, calls the linearity error
 * `final_linearity_error_shifted`, has no `unit_length`, stores dates as `YYYY-MM-DD HH:MM:SS` text, and has no
 * `linked_trim_id`, so Final Test records are linked to trims by model + serial. A `SchemaMapping` describes it;
 * `migrate: true` adds only the library's own tables and the result columns to `track_data`.
 *
 * Run:  npx tsx examples/existing-schema.ts      (works in a temp dir, deleted at the end)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MLManager, createSqliteRepository, type SchemaMapping } from 'laser-trim-ml';
import { generatePlant } from 'laser-trim-ml/synthetic';

const HOST_DDL = `
  CREATE TABLE analysis_results (id INTEGER PRIMARY KEY, model_number TEXT NOT NULL, serial_number TEXT NOT NULL,
    analysis_date TEXT NOT NULL, system_type TEXT);
  CREATE TABLE track_data (id INTEGER PRIMARY KEY, analysis_id INTEGER NOT NULL REFERENCES analysis_results(id),
    track_name TEXT NOT NULL, status TEXT, sigma_gradient REAL, linearity_spec REAL, final_linearity_error_shifted REAL,
    fail_points INTEGER, linearity_pass INTEGER, optimal_offset REAL, travel_length REAL,
    untrimmed_resistance REAL, trimmed_resistance REAL);
  CREATE TABLE ft_results (id INTEGER PRIMARY KEY, model_number TEXT NOT NULL, serial_number TEXT NOT NULL, test_date TEXT NOT NULL);
  CREATE TABLE ft_tracks (id INTEGER PRIMARY KEY, ft_id INTEGER NOT NULL REFERENCES ft_results(id), track_name TEXT NOT NULL,
    passed INTEGER, fail_count INTEGER, max_error REAL);`;

/** Reference name → the host's name (only what differs). */
const schema: SchemaMapping = {
  tables: {
    trim_results: 'analysis_results',
    track_results: 'track_data',
    final_test_results: 'ft_results',
    final_test_tracks: 'ft_tracks',
  },
  columns: {
    trim_results: { model: 'model_number', serial: 'serial_number', file_date: 'analysis_date', system: 'system_type' },
    track_results: {
      trim_result_id: 'analysis_id',
      track_id: 'track_name',
      linearity_error: 'final_linearity_error_shifted',
      linearity_fail_points: 'fail_points',
      unit_length: null,
      risk_category: 'ml_risk',
    },
    final_test_results: { model: 'model_number', serial: 'serial_number', linked_trim_id: null },
    final_test_tracks: {
      final_test_id: 'ft_id',
      track_id: 'track_name',
      linearity_pass: 'passed',
      fail_points: 'fail_count',
      linearity_error: 'max_error',
    },
  },
};

const hostDate = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');
const bit = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);

/** Fills the host tables the way the host's own software would (here from the synthetic generator). */
function fillHost(db: Database.Database): { runs: number; tracks: number; finalTests: number } {
  const plant = generatePlant({ seed: 5, tracks: 900, models: 4, specialModels: false });
  const run = db.prepare('INSERT INTO analysis_results (model_number, serial_number, analysis_date, system_type) VALUES (?, ?, ?, ?)');
  const track = db.prepare(`INSERT INTO track_data (analysis_id, track_name, status, sigma_gradient, linearity_spec,
    final_linearity_error_shifted, fail_points, linearity_pass, optimal_offset, travel_length, untrimmed_resistance,
    trimmed_resistance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const ft = db.prepare('INSERT INTO ft_results (model_number, serial_number, test_date) VALUES (?, ?, ?)');
  const ftTrack = db.prepare('INSERT INTO ft_tracks (ft_id, track_name, passed, fail_count, max_error) VALUES (?, ?, ?, ?, ?)');
  let tracks = 0;
  db.transaction(() => {
    for (const { input: r } of plant.runs) {
      const id = run.run(r.model, r.serial, hostDate(r.fileDate), r.system).lastInsertRowid;
      for (const t of r.tracks) {
        track.run(
          id,
          t.trackId,
          t.status,
          t.sigmaGradient,
          t.linearitySpec,
          t.linearityError,
          t.linearityFailPoints,
          bit(t.linearityPass),
          t.optimalOffset,
          t.travelLength,
          t.untrimmedResistance,
          t.trimmedResistance,
        );
        tracks++;
      }
    }
    for (const { input: f } of plant.finalTests) {
      const id = ft.run(f.model, f.serial, hostDate(f.testDate)).lastInsertRowid;
      for (const t of f.tracks) ftTrack.run(id, t.trackId, bit(t.linearityPass), t.failPoints, t.linearityError);
    }
  })();
  return { runs: plant.runs.length, tracks, finalTests: plant.finalTests.length };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'laser-trim-example-'));
  const file = join(dir, 'host.db');
  try {
    const host = new Database(file);
    host.exec(HOST_DDL);
    const filled = fillHost(host);
    console.log(`Host database: ${filled.runs} runs, ${filled.tracks} tracks, ${filled.finalTests} Final Test records (no linked_trim_id)`);

    const repo = await createSqliteRepository({ file }, { schema, migrate: true });
    try {
      const ml = new MLManager(repo, { trees: 50 });
      for (const m of await repo.listModels()) {
        const link = await repo.finalTestLinkCounts(m.model);
        console.log(`  ${m.model}: ${m.trimTracks} tracks; Final Test linked by serial ${link.bySerial}, unmatched ${link.unmatched}`);
      }
      const trained = await ml.trainAllModels();
      const applied = await ml.applyToDatabase();
      console.log(
        `Trained ${trained.trained} of ${trained.results.length} models; applied to ${applied.tracks} tracks (${applied.probabilityTracks} with a probability)`,
      );
      for (const r of trained.results)
        console.log(`  ${r.model}: ${r.status}, ${r.samples} samples, label ${r.label?.source ?? '-'}, predictor ${r.predictorKind}`);

      // The results are in the host's own table, next to its own columns.
      const rows = host
        .prepare(
          `SELECT a.model_number, t.track_name, round(t.sigma_gradient, 6) AS sigma_gradient,
                  round(t.sigma_threshold, 6) AS sigma_threshold, t.sigma_pass, round(t.failure_probability, 3) AS failure_probability, t.ml_risk
                  FROM track_data t JOIN analysis_results a ON a.id = t.analysis_id ORDER BY t.id LIMIT 5`,
        )
        .all();
      console.log('\ntrack_data after apply (first rows):');
      console.table(rows);
      const filledRows = host.prepare('SELECT COUNT(*) AS n FROM track_data WHERE sigma_threshold IS NOT NULL').get() as { n: number };
      const tables = host.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
      console.log(
        `${filledRows.n} of ${filled.tracks} rows of track_data have results; tables now: ${tables.map((t) => t.name).join(', ')}`,
      );
      if (trained.trained === 0 || filledRows.n !== filled.tracks) process.exitCode = 1;
    } finally {
      await repo.close();
      host.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
