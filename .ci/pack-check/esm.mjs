// Installed-package smoke test (ESM): the root entry and the /synthetic subpath import, and a small plant trains on
// worker threads (the worker bundles must be found inside the installed package) and applies on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { MLManager, createReferenceSchema, createSqliteRepository } from 'laser-trim-ml';
import { writePlant } from 'laser-trim-ml/synthetic';

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
  if (trained.trained < 1 || trained.failed > 0) throw new Error(`ESM train: ${JSON.stringify(trained.results.map((r) => [r.model, r.status]))}`);
  const applied = await ml.applyToDatabase();
  if (applied.tracks < 1) throw new Error('ESM apply wrote no track');
  await repo.close();
  console.log(`esm: trained ${trained.trained} models on workers, applied ${applied.tracks} tracks`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
