/**
 * End-to-end speed and memory (`npm run bench`): generate a plant into a fresh SQLite file and a fresh PostgreSQL
 * database, then time train-all and apply on each. `--large` adds the 1,000,000-track run on SQLite with its peak
 * resident memory. Prints a table and writes bench/results/e2e.json (e2e-large.json with `--large`).
 *
 * Each engine's run also measures the machine's floor for apply right after each apply: a bare read of the apply columns
 * (one query through the driver), a bare forest scoring of those rows (features built beforehand, this thread) and a
 * bare bulk write of the results (the driver's prepared UPDATE / one unnest UPDATE per 5,000 rows), and prints apply
 * as a multiple of their sum (the median of the runs' ratios).
 *
 * The incremental scenario (`--no-pending` skips it): 1,000 new tracks added to a 1,000,000-track SQLite plant that
 * is trained and applied, then `applyToDatabase({ only: 'pending' })` in a fresh process (bench/apply-pending.mjs),
 * median of 3 (each on a fresh copy); the new tracks spread over every model (600: the worst case, every model's
 * forest and drift state loaded and its state written) and over the 50 largest (a day's import). The plant is built once and cached in $TMPDIR/ltml-bench-cache (the host data
 * by seed and size; the trained and applied database by a hash of dist/, so a code change retrains it).
 *
 * Usage: npm run bench [-- --tracks 80000 --models 300 --repeats 3 --large --no-postgres --no-pending --src]
 * (measures the built package in dist/, which `npm run bench` builds first; `--src` measures the sources via tsx)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { TrimTrack } from '../src/core/types.js';
import type { HostDataWriter, MLRepository } from '../src/storage/repository.js';
import { buildApplyPlan, loadOwnPredictor } from '../src/manager/apply/serving.js';
import { loadPooledModel } from '../src/manager/pooled/pooled.js';
import { parseComponents } from '../src/manager/components-state.js';
import { createTestDatabase } from '../test/setup/postgres.js';
import { machineInfo } from './machine.js';

// The built package, as users run it (worker threads load the bundled workers); `--src` measures the sources via tsx.
const fromSrc = process.argv.includes('--src');
const lib = (await import(fromSrc ? '../src/index.js' : '../dist/index.js')) as typeof import('../src/index.js');
const synthetic = (await import(
  fromSrc ? '../src/synthetic/index.js' : '../dist/synthetic.js'
)) as typeof import('../src/synthetic/index.js');
const { MLManager, createPostgresRepository, createReferenceSchema, createSqliteRepository } = lib;
const { writePlant } = synthetic;

const { values } = parseArgs({
  options: {
    tracks: { type: 'string' },
    models: { type: 'string' },
    repeats: { type: 'string' },
    large: { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    'no-pending': { type: 'boolean', default: false },
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
  /** The floor measured right after each apply (interleaved, so that both see the same machine load). */
  floors: Floor[];
}

interface Floor {
  readS: number;
  scoreS: number;
  writeS: number;
}

/** The engine's bare read of the apply columns and bare bulk write, through its driver. */
interface BareIo {
  read(): Promise<number>;
  write(rows: readonly ResultRow[]): Promise<void>;
}

type ResultRow = [id: number, threshold: number | null, pass: number | null, p: number | null, risk: string | null, version: string | null];

const APPLY_COLUMNS = `t.id, t.trim_result_id, r.model, r.serial, r.file_date, t.track_id, t.status, t.sigma_gradient, t.linearity_spec,
  t.linearity_error, t.linearity_fail_points, t.linearity_pass, t.optimal_offset, t.travel_length, t.unit_length,
  t.untrimmed_resistance, t.trimmed_resistance FROM track_results t JOIN trim_results r ON r.id = t.trim_result_id`;
const RESULT_COLUMNS_SQL =
  'SELECT id, sigma_threshold, sigma_pass, failure_probability, risk_category, ml_model_version FROM track_results ORDER BY id';

function sqliteIo(file: string): BareIo & { results(): ResultRow[] } {
  return {
    read: async () => {
      const h = new Database(file, { readonly: true });
      try {
        return h.prepare(`SELECT ${APPLY_COLUMNS}`).raw().all().length;
      } finally {
        h.close();
      }
    },
    write: async (rows) => {
      const h = new Database(file);
      try {
        const st = h.prepare(
          'UPDATE track_results SET sigma_threshold = ?, sigma_pass = ?, failure_probability = ?, risk_category = ?, ml_model_version = ? WHERE id = ?',
        );
        const batch = h.transaction((b: readonly ResultRow[]) => {
          for (const [id, th, pass, p, risk, v] of b) st.run(th, pass, p, risk, v, id);
        });
        for (let i = 0; i < rows.length; i += 5000) batch(rows.slice(i, i + 5000));
      } finally {
        h.close();
      }
    },
    results: () => {
      const h = new Database(file, { readonly: true });
      try {
        return h.prepare(RESULT_COLUMNS_SQL).raw().all() as ResultRow[];
      } finally {
        h.close();
      }
    },
  };
}

function postgresIo(url: string): BareIo & { results(): Promise<ResultRow[]> } {
  const withClient = async <T>(f: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  };
  return {
    read: () => withClient(async (c) => (await c.query({ text: `SELECT ${APPLY_COLUMNS}`, rowMode: 'array' })).rows.length),
    write: (rows) =>
      withClient(async (c) => {
        for (let i = 0; i < rows.length; i += 5000) {
          const b = rows.slice(i, i + 5000);
          const col = (k: number) => b.map((r) => r[k]);
          await c.query(
            `UPDATE track_results t SET sigma_threshold = u.th, sigma_pass = u.pass, failure_probability = u.p, risk_category = u.risk, ml_model_version = u.v
           FROM unnest($1::int[], $2::float8[], $3::bool[], $4::float8[], $5::text[], $6::text[]) AS u(id, th, pass, p, risk, v) WHERE t.id = u.id`,
            [col(0), col(1), b.map((r) => (r[2] === null ? null : r[2] !== 0)), col(3), col(4), col(5)],
          );
        }
      }),
    results: () =>
      withClient(async (c) =>
        (await c.query({ text: RESULT_COLUMNS_SQL, rowMode: 'array' })).rows.map(
          (r: unknown[]) =>
            [
              Number(r[0]),
              r[1] as number | null,
              r[2] === null ? null : r[2] ? 1 : 0,
              r[3] as number | null,
              r[4] as string | null,
              r[5] as string | null,
            ] as ResultRow,
        ),
      ),
  };
}

/**
 * Bare forest scoring of every track: each model's serving forest (own or pooled, as apply chooses) on the feature
 * rows of its tracks, built beforehand; only the prediction is timed.
 */
async function bareScoring(repo: MLRepository): Promise<number> {
  const pooled = await loadPooledModel(repo);
  const states = new Map((await repo.listModelStates()).map((st) => [st.model, st]));
  const jobs: { predict(d: Float64Array): Float64Array; data: Float64Array }[] = [];
  for (const { model } of await repo.listModels()) {
    const plan = await buildApplyPlan(
      model,
      states.get(model) ?? null,
      pooled,
      (m, c) => loadOwnPredictor(repo, m, states.get(m)!.stateVersion, c),
      null,
    );
    if (!plan.scorer) continue;
    const tracks: TrimTrack[] = [];
    for await (const b of repo.readTracksForApply(model)) tracks.push(...b);
    const scorer = plan.scorer;
    jobs.push({ predict: (d) => scorer.predictNow(d), data: scorer.features(tracks).data });
  }
  void parseComponents; // (the plan parses each model's components)
  const t = performance.now();
  for (const j of jobs) j.predict(j.data);
  return (performance.now() - t) / 1000;
}

/** The floor of apply on this database, measured after a timed apply (the bare write rewrites its values under another version; the next round retrains anyway). */
async function measureFloor(repo: MLRepository, io: BareIo, results: () => ResultRow[] | Promise<ResultRow[]>): Promise<Floor> {
  const rows = (await results()).map(([id, th, pass, p, risk, v]) => [id, th, pass, p, risk, `${v ?? ''}~floor`] as ResultRow);
  let t = performance.now();
  await io.read();
  const readS = (performance.now() - t) / 1000;
  const scoreS = await bareScoring(repo);
  t = performance.now();
  await io.write(rows);
  const writeS = (performance.now() - t) / 1000;
  return { readS, scoreS, writeS };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function run(
  engine: string,
  open: () => Promise<MLRepository & HostDataWriter & { close(): Promise<void> }>,
  analyze: () => Promise<void>,
  floorOf: ((repo: MLRepository) => Promise<Floor>) | null,
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
  const floors: Floor[] = [];
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
    if (floorOf) floors.push(await floorOf(repo));
  }
  await repo.close();
  return {
    engine,
    tracks: written.tracksWritten,
    models: m,
    writeS,
    trainS,
    applyS,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    trained,
    floors,
  };
}

function sqliteOpener(): {
  file: string;
  open: () => Promise<MLRepository & HostDataWriter & { close(): Promise<void> }>;
  analyze: () => Promise<void>;
  cleanup: () => void;
} {
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
{
  const io = sqliteIo(s.file);
  rows.push(await run('sqlite', s.open, s.analyze, (repo) => measureFloor(repo, io, () => io.results()), tracks, models, repeats));
}
s.cleanup();
if (!values['no-postgres']) {
  const server = await createTestDatabase();
  try {
    rows.push(
      await run(
        'postgres',
        async () => {
          const k = new Kysely({
            dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.connectionString, max: 1 }) }),
          });
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
        (repo) => {
          const io = postgresIo(server.connectionString);
          return measureFloor(repo, io, () => io.results());
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
  rows.push({
    engine: 'sqlite',
    tracks: written.tracksWritten,
    models: 600,
    writeS,
    trainS: [r.trainS],
    applyS: [r.applyS],
    peakRssMiB: r.peakRssMiB,
    trained: r.trained,
    floors: [],
  });
  l.cleanup();
}
const pending = values['no-pending'] ? null : await pendingScenario();
clearInterval(sampler);

console.log('\nengine    tracks     models  write s  train s (median)  apply s (median)  train+apply s  peak RSS MiB  trained');
for (const r of rows) {
  const tr = median(r.trainS);
  const ap = median(r.applyS);
  console.log(
    `${r.engine.padEnd(9)} ${String(r.tracks).padStart(9)} ${String(r.models).padStart(7)} ${r.writeS.toFixed(1).padStart(8)} ${tr.toFixed(2).padStart(17)} ${ap.toFixed(2).padStart(17)} ${(tr + ap).toFixed(2).padStart(14)} ${String(r.peakRssMiB).padStart(13)} ${String(r.trained).padStart(8)}`,
  );
}
console.log('\nfloor of apply (measured right after each apply): bare read + bare forest scoring + bare bulk write; medians');
console.log('engine    read s  score s  write s  floor s  apply s  apply / floor (median of the runs)');
for (const r of rows) {
  if (r.floors.length === 0) continue;
  const sum = (f: Floor) => f.readS + f.scoreS + f.writeS;
  const ratio = median(r.floors.map((f, i) => r.applyS[i]! / sum(f)));
  const m = (k: keyof Floor) => median(r.floors.map((f) => f[k]));
  console.log(
    `${r.engine.padEnd(9)} ${m('readS').toFixed(3).padStart(6)} ${m('scoreS').toFixed(3).padStart(8)} ${m('writeS').toFixed(3).padStart(8)} ${median(r.floors.map(sum)).toFixed(3).padStart(8)} ${median(r.applyS).toFixed(3).padStart(8)} ${ratio.toFixed(2).padStart(8)}x`,
  );
}
for (const v of pending ?? []) {
  console.log(
    `\nincremental apply: ${v.newTracks} new tracks over ${v.spread === null ? 'every model' : `the ${v.spread} largest models`} of a ${v.plantTracks.toLocaleString('en-US')}-track SQLite plant (fresh process, median of ${v.runs.length})`,
  );
  const med = (k: 'applyS' | 'applyCpuS' | 'totalS' | 'totalCpuS') => median(v.runs.map((x) => x[k]));
  const r0 = v.runs[0]!;
  console.log(
    `  apply --pending: ${med('applyS').toFixed(3)} s wall, ${med('applyCpuS').toFixed(3)} s CPU (target <= 1.0 s); whole job (open + apply + close) ${med('totalS').toFixed(3)} s; ` +
      `${r0.tracks} tracks of ${r0.models} models, ${r0.continued} continued, ${r0.full} in full, ${r0.newDriftAlerts} new alerts`,
  );
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/${values.large ? 'e2e-large' : 'e2e'}.json`,
  `${JSON.stringify({ machine: machineInfo(), code: fromSrc ? 'src (tsx)' : 'dist', concurrency: concurrency ?? 'cores', rows, pending }, null, 2)}\n`,
);

interface PendingRun {
  applyS: number;
  applyCpuS: number;
  totalS: number;
  totalCpuS: number;
  only: string;
  tracks: number;
  models: number;
  continued: number;
  full: number;
  newDriftAlerts: number;
  failedModels: number;
}

/** The incremental scenario (see the module comment). */
async function pendingScenario(): Promise<PendingVariant[]> {
  const cache = join(tmpdir(), 'ltml-bench-cache');
  mkdirSync(cache, { recursive: true });
  const plantFile = join(cache, 'plant-1m-seed2026-600.db');
  if (!existsSync(plantFile)) {
    console.log('building the 1,000,000-track plant (once; cached in', cache, ')');
    const l = sqliteOpener();
    const repo = await l.open();
    await writePlant(repo, { seed: 2026, tracks: 1_000_000, models: 600 }, { batchSize: 5000 });
    await repo.close();
    await l.analyze();
    renameSync(l.file, `${plantFile}.tmp`);
    renameSync(`${plantFile}.tmp`, plantFile);
    l.cleanup();
  }
  // The trained and applied plant, per build of the package (a code change may change states or results).
  const hash = createHash('sha256');
  for (const f of readdirSync('dist').sort()) if (f.endsWith('.js')) hash.update(readFileSync(join('dist', f)));
  const trainedFile = join(cache, `plant-1m-trained-${hash.digest('hex').slice(0, 16)}.db`);
  if (!existsSync(trainedFile)) {
    console.log('training and applying the 1,000,000-track plant (once per build)');
    for (const f of readdirSync(cache)) if (f.startsWith('plant-1m-trained-')) rmSync(join(cache, f), { force: true });
    copyFileSync(plantFile, `${trainedFile}.tmp`);
    const child = spawnSync(process.execPath, ['bench/train-apply.mjs', `${trainedFile}.tmp`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`bench/train-apply.mjs failed: ${child.stderr}`);
    renameSync(`${trainedFile}.tmp`, trainedFile);
  }
  const variants: PendingVariant[] = [];
  for (const spread of [null, 50]) {
    variants.push(await pendingRuns(trainedFile, spread));
  }
  return variants;
}

interface PendingVariant {
  /** The new tracks are spread over every model (`null`) or over this many of the largest. */
  spread: number | null;
  plantTracks: number;
  newTracks: number;
  runs: PendingRun[];
}

async function pendingRuns(trainedFile: string, spread: number | null): Promise<PendingVariant> {
  const runs: PendingRun[] = [];
  let newTracks = 0;
  let plantTracks = 0;
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'ltml-pending-'));
    try {
      const file = join(dir, 'plant.db');
      copyFileSync(trainedFile, file);
      ({ newTracks, plantTracks } = addNewTracks(file, 1000, spread));
      const child = spawnSync(process.execPath, ['bench/apply-pending.mjs', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (child.status !== 0) throw new Error(`bench/apply-pending.mjs failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as PendingRun;
      if (r.only !== 'pending' || r.tracks !== newTracks || r.failedModels !== 0)
        throw new Error(`apply --pending did not do what it should: ${JSON.stringify(r)}`);
      runs.push(r);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { spread, plantTracks, newTracks, runs };
}

/**
 * Adds `n` new tracks as an import would: round-robin over the models (every model, or the `spread` largest), a copy
 * of each model's newest unit dated an hour after it (one or two tracks a unit), until `n` tracks are added.
 */
function addNewTracks(file: string, n: number, spread: number | null): { newTracks: number; plantTracks: number } {
  const h = new Database(file);
  try {
    const plantTracks = (h.prepare('SELECT COUNT(*) AS c FROM track_results').get() as { c: number }).c;
    const newest = (
      h
        .prepare(
          `SELECT r.id, r.model, r.serial, r.file_date, r.system, m.n FROM trim_results r
      JOIN (SELECT model, MAX(file_date) AS d, COUNT(*) AS n FROM trim_results GROUP BY model) m ON m.model = r.model AND m.d = r.file_date
      ORDER BY m.n DESC, r.model`,
        )
        .all() as { id: number; model: string; serial: string; file_date: string; system: string | null }[]
    )
      .filter((u, i, all) => all.findIndex((v) => v.model === u.model) === i)
      .slice(0, spread ?? undefined);
    const cols =
      'track_id, status, sigma_gradient, linearity_spec, linearity_error, linearity_fail_points, linearity_pass, optimal_offset, travel_length, unit_length, untrimmed_resistance, trimmed_resistance';
    const insRun = h.prepare('INSERT INTO trim_results (model, serial, file_date, system) VALUES (?, ?, ?, ?)');
    const insTracks = h.prepare(
      `INSERT INTO track_results (trim_result_id, ${cols}) SELECT ?, ${cols} FROM track_results WHERE trim_result_id = ?`,
    );
    let added = 0;
    h.transaction(() => {
      for (let k = 1; added < n; k++) {
        for (const u of newest) {
          if (added >= n) break;
          const date = new Date(Date.parse(u.file_date) + k * 3_600_000).toISOString();
          const id = Number(insRun.run(u.model, `${u.serial}-new${k}`, date, u.system).lastInsertRowid);
          added += insTracks.run(id, u.id).changes;
        }
      }
    })();
    return { newTracks: added, plantTracks };
  } finally {
    h.close();
  }
}
