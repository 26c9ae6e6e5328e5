/**
 * Storage benchmark: 80,000 tracks over 300 models (skewed sizes, ~34% of units with a linked Final Test).
 * Measures, on SQLite (temp file, own better-sqlite3 handle) and PostgreSQL (fresh database, see test/setup):
 * - writing apply's results for all 80,000 tracks (`writeTrackResults` in batches of 5,000);
 * - reading every model's training records as train-all does (`listModels` + `readTrainingRecordsOfModels`: the
 *   repository's bulk `readManyTrainingRecords`), and, for reference, model by model (`readTrainingRecords`).
 * Reads are measured on the database as apply leaves it (results written), in steady state (after VACUUM ANALYZE on
 * PostgreSQL, which autovacuum does on a plant's server), and once right after the rewrites, before any vacuum.
 * Reports the median of 5 repetitions; writes bench/results/storage.json with machine info.
 *
 * Run: `npm run bench:storage`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { createRng } from '../src/core/rng.js';
import { createPostgresRepository } from '../src/storage/kysely/postgres.js';
import { createReferenceSchema } from '../src/storage/kysely/reference-schema.js';
import { createSqliteRepository } from '../src/storage/kysely/sqlite.js';
import type { KyselyRepository } from '../src/storage/kysely/kysely-repository.js';
import type { HostFinalTestInput, HostTrimRunInput, TrackResultWrite } from '../src/storage/repository.js';
import { readTrainingRecordsOfModels } from '../src/storage/repository-helpers.js';
import { createTestDatabase } from '../test/setup/postgres.js';

const TRACKS = 80_000;
const MODELS = 300;
const REPS = 5;

function dataset(): { runs: HostTrimRunInput[]; ft: (ids: number[]) => HostFinalTestInput[] } {
  const rng = createRng(42);
  // Skewed model sizes: weight ∝ 1 / rank.
  const weights = Array.from({ length: MODELS }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const runs: HostTrimRunInput[] = [];
  let tracks = 0;
  let m = 0;
  let quota = 0;
  const start = Date.UTC(2023, 0, 1);
  while (tracks < TRACKS) {
    if (quota <= 0) {
      quota = Math.max(2, Math.round((weights[m % MODELS]! / total) * TRACKS));
      m++;
    }
    const model = `M${String((m - 1) % MODELS).padStart(4, '0')}`;
    const dual = (m - 1) % 14 === 0;
    const trackIds = dual ? ['TRK1', 'TRK2'] : ['default'];
    const fail = rng.next() < 0.35;
    runs.push({
      model,
      serial: `SN${String(runs.length).padStart(6, '0')}`,
      fileDate: new Date(start + rng.next() * 365 * 86_400_000),
      system: dual ? 'A' : 'B',
      tracks: trackIds.map((trackId) => ({
        trackId,
        status: fail ? 'FAIL' : 'PASS',
        sigmaGradient: Math.exp(-8 + rng.next()),
        linearitySpec: 0.01,
        linearityError: fail ? 0.02 : 0.005,
        linearityFailPoints: fail ? 6 : 0,
        linearityPass: !fail,
        optimalOffset: rng.next() * 0.002 - 0.001,
        travelLength: 300,
        unitLength: rng.next() < 0.1 ? null : 300,
        untrimmedResistance: 10_000,
        trimmedResistance: 10_500,
      })),
    });
    tracks += trackIds.length;
    quota -= trackIds.length;
  }
  const ft = (ids: number[]): HostFinalTestInput[] =>
    runs.flatMap((r, i) =>
      rng.next() < 0.34
        ? [
            {
              model: r.model,
              serial: r.serial,
              testDate: new Date(r.fileDate.getTime() + 7 * 86_400_000),
              linkedTrimId: ids[i] ?? null,
              tracks: r.tracks.map((t) => ({ trackId: t.trackId, linearityPass: rng.next() < 0.6, failPoints: 0, linearityError: 0.006 })),
            },
          ]
        : [],
    );
  return { runs, ft };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ReadResult {
  readonly seconds: number;
  readonly records: number;
  readonly linked: number;
}

/** Every model's training records as train-all reads them (listModels + the bulk read). */
async function readAll(repo: KyselyRepository): Promise<ReadResult> {
  const t = performance.now();
  let records = 0;
  let linked = 0;
  for await (const b of readTrainingRecordsOfModels(repo, await repo.listModels())) {
    records += b.records.length;
    for (const r of b.records) if (r.finalTest !== null) linked++;
  }
  return { seconds: (performance.now() - t) / 1000, records, linked };
}

async function measure(
  name: string,
  analyze: () => Promise<void>,
  steadyState: () => Promise<void>,
  repo: KyselyRepository,
  runs: HostTrimRunInput[],
  ft: (ids: number[]) => HostFinalTestInput[],
) {
  const t0 = performance.now();
  const ids: number[] = [];
  for (let i = 0; i < runs.length; i += 5000) ids.push(...(await repo.insertTrimRuns(runs.slice(i, i + 5000))));
  const tests = ft(ids);
  for (let i = 0; i < tests.length; i += 5000) await repo.insertFinalTests(tests.slice(i, i + 5000));
  const loadS = (performance.now() - t0) / 1000;
  // A plant database has planner statistics (autovacuum / a periodic ANALYZE); a freshly bulk-loaded one does not,
  // and PostgreSQL then picks sequential scans. Measured after ANALYZE.
  if (process.env.BENCH_NO_ANALYZE !== '1') await analyze();
  console.error(`${name}: loaded in ${loadS.toFixed(1)} s`);

  // Writes: apply's results for every track, REPS times.
  const trackIds: number[] = [];
  for (const m of await repo.listModels())
    for await (const b of repo.readTracksForApply(m.model)) trackIds.push(...b.map((t) => t.trackResultId));
  const writes: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const batch: TrackResultWrite[] = trackIds.map((id, k) => ({
      trackResultId: id,
      sigmaThreshold: 0.0004 + rep * 1e-6,
      sigmaPass: k % 3 !== 0,
      failureProbability: (k % 100) / 100,
      riskCategory: k % 3 === 0 ? 'high' : 'low',
      mlModelVersion: `bench-${rep}`,
    }));
    const t = performance.now();
    for (let i = 0; i < batch.length; i += 5000) await repo.writeTrackResults(batch.slice(i, i + 5000));
    writes.push((performance.now() - t) / 1000);
  }

  // Reads on the database as apply leaves it (every track's result columns written). First right after the REPS
  // rewrites, before any vacuum (on PostgreSQL every row then has REPS dead versions); then in the steady state a
  // plant database is in: PostgreSQL's autovacuum has run (this server may have it off, so VACUUM ANALYZE here).
  const afterWrites = await readAll(repo);
  await steadyState();
  const reads: number[] = [];
  const perModelReads: number[] = [];
  let last: ReadResult = afterWrites;
  for (let rep = 0; rep < REPS; rep++) {
    last = await readAll(repo);
    reads.push(last.seconds);
    const t = performance.now();
    let perModelCount = 0;
    for (const m of await repo.listModels()) for await (const b of repo.readTrainingRecords(m.model)) perModelCount += b.length;
    perModelReads.push((performance.now() - t) / 1000);
    if (perModelCount !== last.records) throw new Error(`bulk read ${last.records} records, per-model read ${perModelCount}`);
  }
  return {
    engine: name,
    tracks: trackIds.length,
    models: (await repo.listModels()).length,
    recordsRead: last.records,
    linked: last.linked,
    loadS,
    writeS: median(writes),
    readS: median(reads),
    perModelReadS: median(perModelReads),
    readAfterRewritesS: afterWrites.seconds,
    writeRuns: writes,
    readRuns: reads,
    perModelReadRuns: perModelReads,
  };
}

async function main() {
  const { runs, ft } = dataset();
  const results = [];

  const dir = mkdtempSync(join(tmpdir(), 'ltml-bench-'));
  const file = join(dir, 'bench.db');
  const setup = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
  await createReferenceSchema(setup);
  await setup.destroy();
  const sqliteRepo = await createSqliteRepository({ file }, { migrate: true });
  const sqliteHandle = new Database(file);
  const sqliteAnalyze = async () => void sqliteHandle.exec('ANALYZE');
  results.push(await measure('sqlite', sqliteAnalyze, sqliteAnalyze, sqliteRepo, runs, ft));
  sqliteHandle.close();
  await sqliteRepo.close();
  const sqliteVersion = (new Database(':memory:').prepare('select sqlite_version() v').get() as { v: string }).v;
  rmSync(dir, { recursive: true, force: true });

  const pgdb = await createTestDatabase();
  let pgVersion: string;
  try {
    const db = new Kysely<Record<string, never>>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgdb.connectionString }) }),
    });
    await createReferenceSchema(db);
    pgVersion = (await sql<{ server_version: string }>`SHOW server_version`.execute(db)).rows[0]?.server_version ?? '';
    const pgRepo = await createPostgresRepository({ connectionString: pgdb.connectionString }, { migrate: true });
    results.push(
      await measure(
        'postgres',
        async () => void (await sql`ANALYZE`.execute(db)),
        async () => void (await sql`VACUUM ANALYZE`.execute(db)),
        pgRepo,
        runs,
        ft,
      ),
    );
    await db.destroy();
    await pgRepo.close();
  } finally {
    await pgdb.drop();
  }

  const limits = { sqlite: { writeS: 0.3, readS: 0.5 }, postgres: { writeS: 0.6, readS: 0.5 } } as const;
  console.log(`\n${TRACKS} tracks, ${MODELS} models, median of ${REPS}\n`);
  console.log('engine    write 80k (s)  limit   read all (s)  limit   per model (s)  after rewrites (s)  records  linked  load (s)');
  for (const r of results) {
    const l = limits[r.engine as keyof typeof limits];
    console.log(
      `${r.engine.padEnd(9)} ${r.writeS.toFixed(3).padStart(13)}  ${l.writeS.toFixed(1).padStart(5)}  ${r.readS.toFixed(3).padStart(12)}  ${l.readS.toFixed(1).padStart(5)}  ${r.perModelReadS.toFixed(3).padStart(13)}  ${r.readAfterRewritesS.toFixed(3).padStart(18)}  ${String(r.recordsRead).padStart(7)}  ${String(r.linked).padStart(6)}  ${r.loadS.toFixed(2).padStart(8)}`,
    );
  }
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    sqlite: sqliteVersion,
    postgres: pgVersion,
    analyzed: process.env.BENCH_NO_ANALYZE !== '1',
    date: new Date().toISOString(),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/storage.json',
    `${JSON.stringify({ machine, tracks: TRACKS, models: MODELS, repetitions: REPS, limits, results }, null, 2)}\n`,
  );
  console.log('\nwrote bench/results/storage.json');
}

await main();
