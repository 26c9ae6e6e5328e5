/**
 * End-to-end speed and memory (`npm run bench`): generate a plant into a fresh SQLite file and a fresh PostgreSQL
 * database, then time train-all and apply on each. `--large` adds the 1,000,000-track run on SQLite with its peak
 * resident memory. Prints a table and writes bench/results/e2e.json (e2e-large.json with `--large`).
 *
 * Usage: npm run bench [-- --tracks 80000 --models 300 --repeats 3 --large --no-postgres --src]
 * (measures the built package in dist/, which `npm run bench` builds first; `--src` measures the sources via tsx)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { HostDataWriter, MLRepository } from '../src/storage/repository.js';
import { createTestDatabase } from '../test/setup/postgres.js';
import { machineInfo } from './machine.js';

// The built package, as users run it (worker threads load the bundled workers); `--src` measures the sources via tsx.
const fromSrc = process.argv.includes('--src');
const lib = (await import(fromSrc ? '../src/index.js' : '../dist/index.js')) as typeof import('../src/index.js');
const synthetic = (await import(fromSrc ? '../src/synthetic/index.js' : '../dist/synthetic.js')) as typeof import('../src/synthetic/index.js');
const { MLManager, createPostgresRepository, createReferenceSchema, createSqliteRepository } = lib;
const { writePlant } = synthetic;

const { values } = parseArgs({
  options: {
    tracks: { type: 'string' },
    models: { type: 'string' },
    repeats: { type: 'string' },
    large: { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    src: { type: 'boolean', default: false },
  },
});
const tracks = Number(values.tracks ?? 80_000);
const models = Number(values.models ?? 300);
const repeats = Number(values.repeats ?? 3);
const concurrency = values.concurrency ? Number(values.concurrency) : undefined;

interface Row {
  engine: string;
  tracks: number;
  models: number;
  writeS: number;
  trainS: number[];
  applyS: number[];
  peakRssMiB: number | null;
  trained: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function run(
  engine: string,
  open: () => Promise<MLRepository & HostDataWriter & { close(): Promise<void> }>,
  analyze: () => Promise<void>,
  n: number,
  m: number,
  reps: number,
  seed = 2026,
): Promise<Row> {
  const repo = await open();
  const t0 = performance.now();
  const written = await writePlant(repo, { seed, tracks: n, models: m }, { batchSize: 5000 });
  const writeS = (performance.now() - t0) / 1000;
  // Steady state: a plant database has planner statistics (autovacuum / ANALYZE); a bulk load just now has none.
  await analyze();
  const trainS: number[] = [];
  const applyS: number[] = [];
  let trained = 0;
  peakRss = process.memoryUsage().rss;
  for (let i = 0; i < reps; i++) {
    const ml = new MLManager(repo);
    let t = performance.now();
    const r = await ml.trainAllModels(concurrency ? { concurrency } : {});
    trainS.push((performance.now() - t) / 1000);
    trained = r.trained;
    t = performance.now();
    await ml.applyToDatabase();
    applyS.push((performance.now() - t) / 1000);
  }
  await repo.close();
  return { engine, tracks: written.tracksWritten, models: m, writeS, trainS, applyS, peakRssMiB: Math.round(peakRss / 2 ** 20), trained };
}

function sqliteOpener(): { file: string; open: () => Promise<MLRepository & HostDataWriter & { close(): Promise<void> }>; analyze: () => Promise<void>; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ltml-bench-'));
  const file = join(dir, 'bench.db');
  return {
    file,
    open: async () => {
      const k = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
      await createReferenceSchema(k);
      await k.destroy();
      return createSqliteRepository({ file }, { migrate: true });
    },
    analyze: async () => {
      const h = new Database(file);
      h.exec('ANALYZE');
      h.close();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const rows: Row[] = [];
const s = sqliteOpener();
rows.push(await run('sqlite', s.open, s.analyze, tracks, models, repeats));
s.cleanup();
if (!values['no-postgres']) {
  const server = await createTestDatabase();
  try {
    rows.push(
      await run(
        'postgres',
        async () => {
          const k = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.connectionString, max: 1 }) }) });
          await createReferenceSchema(k);
          await k.destroy();
          return createPostgresRepository({ connectionString: server.connectionString }, { migrate: true });
        },
        async () => {
          const c = new pg.Client({ connectionString: server.connectionString });
          await c.connect();
          await c.query('ANALYZE');
          await c.end();
        },
        tracks,
        models,
        repeats,
      ),
    );
  } finally {
    await server.drop();
  }
}
if (values.large) {
  // 1,000,000 tracks: the plant is written here, then train + apply run in a fresh process (bench/train-apply.mjs)
  // whose peak resident memory (all threads, from getrusage) is the figure reported.
  const l = sqliteOpener();
  const repo = await l.open();
  const t0 = performance.now();
  const written = await writePlant(repo, { seed: 2026, tracks: 1_000_000, models: 600 }, { batchSize: 5000 });
  const writeS = (performance.now() - t0) / 1000;
  await repo.close();
  await l.analyze();
  const child = spawnSync(process.execPath, ['bench/train-apply.mjs', l.file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`bench/train-apply.mjs failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { trainS: number; applyS: number; trained: number; peakRssMiB: number };
  rows.push({ engine: 'sqlite', tracks: written.tracksWritten, models: 600, writeS, trainS: [r.trainS], applyS: [r.applyS], peakRssMiB: r.peakRssMiB, trained: r.trained });
  l.cleanup();
}
clearInterval(sampler);

console.log('\nengine    tracks     models  write s  train s (median)  apply s (median)  train+apply s  peak RSS MiB  trained');
for (const r of rows) {
  const tr = median(r.trainS);
  const ap = median(r.applyS);
  console.log(
    `${r.engine.padEnd(9)} ${String(r.tracks).padStart(9)} ${String(r.models).padStart(7)} ${r.writeS.toFixed(1).padStart(8)} ${tr.toFixed(2).padStart(17)} ${ap.toFixed(2).padStart(17)} ${(tr + ap).toFixed(2).padStart(14)} ${String(r.peakRssMiB).padStart(13)} ${String(r.trained).padStart(8)}`,
  );
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${values.large ? 'e2e-large' : 'e2e'}.json`, `${JSON.stringify({ machine: machineInfo(), code: fromSrc ? 'src (tsx)' : 'dist', concurrency: concurrency ?? 'cores', rows }, null, 2)}\n`);
