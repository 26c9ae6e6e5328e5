// Installed-package smoke test (CommonJS): require() of the three entries, and a train on worker threads + apply.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const { Kysely, SqliteDialect } = require('kysely');
const { MLManager, createReferenceSchema, createSqliteRepository } = require('laser-trim-ml');
const { writePlant } = require('laser-trim-ml/synthetic');
const { designCusumH, normalQuantile } = require('laser-trim-ml/stats');

// The /stats subpath: a published critical value and a published chart design (Montgomery, Table 9.3).
if (Math.abs(normalQuantile(0.975) - 1.959963984540054) > 1e-12) throw new Error('CJS stats: normalQuantile');
if (Math.abs(designCusumH(465.4, 0.5) - 5) > 0.01) throw new Error('CJS stats: designCusumH');

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltml-cjs-'));
  try {
    const file = join(dir, 'plant.db');
    const host = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
    await createReferenceSchema(host);
    await host.destroy();
    const repo = await createSqliteRepository({ file }, { migrate: true });
    await writePlant(repo, { seed: 4, tracks: 3000, models: 10 });
    const ml = new MLManager(repo, { seed: 1, trees: 20, concurrency: 2 });
    const trained = await ml.trainAllModels();
    if (trained.trained < 1 || trained.failed > 0) throw new Error('CJS train failed');
    const applied = await ml.applyToDatabase();
    if (applied.tracks < 1) throw new Error('CJS apply wrote no track');
    await repo.close();
    console.log(`cjs: trained ${trained.trained} models on workers, applied ${applied.tracks} tracks`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
