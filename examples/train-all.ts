/**
 * Example: train every model of a plant database, then print the settings-page status table.
 *
 * Shows: creating a SQLite plant database (the reference host tables + the library's migrations), filling it with a
 * small synthetic plant, `MLManager.trainAllModels` with a progress callback, the per-model status table and the
 * pooled forest that serves small models.
 *
 * Run:  npx tsx examples/train-all.ts [path/to/plant.db]
 * Without a path the database goes to a temp dir that is deleted at the end; with one, the file is kept (it must not
 * exist yet).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { MLManager, createReferenceSchema, createSqliteRepository, type ProgressEvent } from 'laser-trim-ml';
import { writePlant } from 'laser-trim-ml/synthetic';

/** Prints one line per phase, and every 10 models while training (a model's `saving` counts as training). */
function progressPrinter(): (e: ProgressEvent) => void {
  let lastStep = '';
  let lastTens = -1;
  return (e) => {
    const step = e.phase === 'saving' ? 'training' : e.phase;
    const tens = Math.floor(e.modelsDone / 10);
    if (step === lastStep && !(step === 'training' && tens !== lastTens)) return;
    lastStep = step;
    lastTens = tens;
    console.log(`  [${(e.elapsedMs / 1000).toFixed(1)} s] ${step}: ${e.modelsDone}/${e.modelsTotal} models`);
  };
}

const fmt = (x: number | null, digits = 4): string => (x === null ? '-' : x.toPrecision(digits));

async function main(): Promise<void> {
  const given = process.argv[2];
  const tempDir = given === undefined ? mkdtempSync(join(tmpdir(), 'laser-trim-example-')) : null;
  const file = given ?? join(tempDir!, 'plant.db');
  if (given !== undefined && existsSync(given)) throw new Error(`${given} already exists; pass a new file name.`);
  try {
    // 1. The host tables. A real plant already has them; a new database gets the reference schema.
    const host = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    await createReferenceSchema(host);
    await host.destroy();

    // 2. Open the repository; `migrate: true` adds the library's tables and the result columns.
    const repo = await createSqliteRepository({ file }, { migrate: true });
    try {
      const plant = await writePlant(repo, { seed: 7, tracks: 12_000, models: 20 });
      console.log(
        `Wrote ${plant.tracksWritten} tracks of ${plant.summary.models} models and ${plant.finalTestsWritten} Final Test records to ${file}`,
      );

      // 3. Train all models.
      const ml = new MLManager(repo, { seed: 42, trees: 50 });
      console.log('Training:');
      const result = await ml.trainAllModels({ onProgress: progressPrinter() });
      console.log(
        `Trained ${result.trained} models, ${result.skipped} need more data, ${result.failed} failed, in ${(result.durationMs / 1000).toFixed(1)} s.`,
      );
      if (result.pooled) {
        console.log(
          `Pooled forest: ${result.pooled.samples} Final Test units, out-of-bag AUC ${fmt(result.pooled.auc, 3)}, Brier ${fmt(result.pooled.brier, 3)}`,
        );
      }
      for (const f of result.results.filter((r) => r.status === 'failed')) console.log(`  failed ${f.model}: ${f.message}`);

      // 4. The per-model status table (largest models first), as a settings page would show it.
      const status = await ml.getTrainingStatus();
      console.log(`\nStatus: ${status.trained} trained, ${status.needMoreData} need more data, ${status.failed} failed`);
      console.table(
        status.rows.slice(0, 8).map((r) => ({
          model: r.model,
          samples: r.samples,
          threshold: fmt(r.sigmaThreshold),
          auc: fmt(r.auc, 3),
          predictor: r.predictorKind,
          label: r.labelSource ?? '-',
          status: r.status,
        })),
      );
      const small = status.rows.find((r) => r.status === 'need_more_data');
      if (small)
        console.log(
          `Example of a small model: ${small.model} has ${small.samples} samples (needs ${small.samplesNeeded} more); it keeps the formula.`,
        );
      if (result.failed > 0) process.exitCode = 1;
    } finally {
      await repo.close();
    }
  } finally {
    if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
