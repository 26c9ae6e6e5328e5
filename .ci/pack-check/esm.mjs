// Installed-package smoke test (ESM): the root entry and the /synthetic subpath import, and a small plant trains on
// worker threads (the worker bundles must be found inside the installed package) and applies on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { MLManager, createReferenceSchema, createSqliteRepository } from 'laser-trim-ml';
import { writePlant } from 'laser-trim-ml/synthetic';
import { cusumArl, normalQuantile } from 'laser-trim-ml/stats';

// The /stats subpath: a published critical value and a published ARL (CUSUM k = 0.5, h = 5: 465 in control).
if (Math.abs(normalQuantile(0.975) - 1.959963984540054) > 1e-12) throw new Error('ESM stats: normalQuantile');
if (Math.abs(cusumArl(0.5, 5) - 465.4) > 1) throw new Error(`ESM stats: cusumArl ${cusumArl(0.5, 5)}`);

const dir = mkdtempSync(join(tmpdir(), 'ltml-esm-'));
try {
  const file = join(dir, 'plant.db');
  const host = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
  await createReferenceSchema(host);
  await host.destroy();
  const repo = await createSqliteRepository({ file }, { migrate: true });
  await writePlant(repo, { seed: 3, tracks: 3000, models: 10 });
  const ml = new MLManager(repo, { seed: 1, trees: 20, concurrency: 2 });
  const trained = await ml.trainAllModels();
  if (trained.trained < 1 || trained.failed > 0)
    throw new Error(`ESM train: ${JSON.stringify(trained.results.map((r) => [r.model, r.status]))}`);
  const applied = await ml.applyToDatabase();
  if (applied.tracks < 1) throw new Error('ESM apply wrote no track');
  await repo.close();
  console.log(`esm: trained ${trained.trained} models on workers, applied ${applied.tracks} tracks`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
