/**
 * A/B of train-all and apply against a previous release, in the same run: the same generated plant (this tree's
 * generator, classic scenario, seed 2026) written through each version's own repository into its own SQLite file and
 * PostgreSQL database, then rounds alternating base and new (train-all, then apply), each timed in wall time and in
 * process CPU time (all threads; PostgreSQL's server CPU not included). Prints per-round figures and the median
 * ratios; writes bench/results/ab-e2e.json.
 *
 * The base is a built checkout, e.g.:
 *   git -C /work/main archive ee91338 | tar -x -C /tmp/base-ee9 && ln -s $PWD/node_modules /tmp/base-ee9/ && (cd /tmp/base-ee9 && npx tsup)
 * Usage: npm run build && tsx bench/ab-e2e.ts /tmp/base-ee9 [--rounds 3 --no-postgres --tracks 80000]
 *        [--new-options '{"minPlantBackedSamples":50}']
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '../test/setup/postgres.js';
import { machineInfo } from './machine.js';

type Lib = typeof import('../src/index.js');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string' },
    'no-postgres': { type: 'boolean', default: false },
    tracks: { type: 'string' },
    'new-options': { type: 'string' },
  },
});
const baseDir = resolve(positionals[0] ?? '/tmp/base-ee9');
const rounds = Number(values.rounds ?? 3);
const tracks = Number(values.tracks ?? 80_000);
const newOptions = (values['new-options'] === undefined ? {} : JSON.parse(values['new-options'])) as ConstructorParameters<
  Lib['MLManager']
>[1];
// The built package is imported through computed paths, so that type-checking this script does not need dist/ (a
// fresh checkout, or CI's Node 22 copy, has none); its types are the sources'.
const distOf = (file: string): string => new URL(`../dist/${file}`, import.meta.url).href;
const libs: Record<'base' | 'new', Lib> = {
  base: (await import(join(baseDir, 'dist/index.js'))) as Lib,
  new: (await import(distOf('index.js'))) as Lib,
};
const { writePlant } = (await import(distOf('synthetic.js'))) as typeof import('../src/synthetic/index.js');

type Repo = Awaited<ReturnType<Lib['createSqliteRepository']>>;
interface Timing {
  trainS: number;
  trainCpuS: number;
  applyS: number;
  applyCpuS: number;
}

const cpu = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function timed(repo: Repo, lib: Lib, which: 'base' | 'new'): Promise<Timing> {
  // --new-options: manager options for the new build only (e.g. '{"minPlantBackedSamples":50}' trains the same
  // models as a release without the plant-backed tier, for a like-for-like comparison).
  const ml = new lib.MLManager(repo, which === 'new' ? newOptions : {});
  let t = performance.now();
  let c = process.cpuUsage();
  await ml.trainAllModels();
  const trainS = (performance.now() - t) / 1000;
  const trainCpuS = cpu(process.cpuUsage(c));
  t = performance.now();
  c = process.cpuUsage();
  await ml.applyToDatabase();
  return { trainS, trainCpuS, applyS: (performance.now() - t) / 1000, applyCpuS: cpu(process.cpuUsage(c)) };
}

async function engineAb(engine: string, open: (which: 'base' | 'new') => Promise<Repo>, analyze: (which: 'base' | 'new') => Promise<void>) {
  const repos = {} as Record<'base' | 'new', Repo>;
  for (const which of ['base', 'new'] as const) {
    repos[which] = await open(which);
    await writePlant(repos[which], { seed: 2026, tracks, models: 300 }, { batchSize: 5000 });
    await analyze(which);
  }
  const out: Record<'base' | 'new', Timing[]> = { base: [], new: [] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so that neither always runs on a warmer (or busier) machine.
    const order: ('base' | 'new')[] = i % 2 === 0 ? ['base', 'new'] : ['new', 'base'];
    for (const which of order) {
      const t = await timed(repos[which], libs[which], which);
      out[which].push(t);
      console.log(
        `${engine} round ${i + 1} ${which.padEnd(4)}: train ${t.trainS.toFixed(2)} s (CPU ${t.trainCpuS.toFixed(2)} s), apply ${t.applyS.toFixed(2)} s (CPU ${t.applyCpuS.toFixed(2)} s)`,
      );
    }
  }
  for (const r of Object.values(repos)) await r.close();
  const m = (which: 'base' | 'new', k: keyof Timing) => median(out[which].map((t) => t[k]));
  const ratio = Object.fromEntries((['trainS', 'trainCpuS', 'applyS', 'applyCpuS'] as const).map((k) => [k, m('new', k) / m('base', k)]));
  console.log(
    `${engine} median new/base: train ${ratio['trainS']!.toFixed(3)} (CPU ${ratio['trainCpuS']!.toFixed(3)}), apply ${ratio['applyS']!.toFixed(3)} (CPU ${ratio['applyCpuS']!.toFixed(3)})`,
  );
  return { engine, rounds: out, ratio };
}

const results = [];
const dir = mkdtempSync(join(tmpdir(), 'ltml-ab-'));
try {
  results.push(
    await engineAb(
      'sqlite',
      async (which) => {
        const file = join(dir, `${which}.db`);
        const k = new Kysely({ dialect: new SqliteDialect({ database: new Database(file) }) });
        await libs.new.createReferenceSchema(k);
        await k.destroy();
        return libs[which].createSqliteRepository({ file }, { migrate: true });
      },
      async (which) => {
        const h = new Database(join(dir, `${which}.db`));
        h.exec('ANALYZE');
        h.close();
      },
    ),
  );
  if (!values['no-postgres']) {
    const server = await createTestDatabase();
    try {
      const urls = { base: server.connectionString, new: await server.another() };
      results.push(
        await engineAb(
          'postgres',
          async (which) => {
            const k = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: urls[which], max: 1 }) }) });
            await libs.new.createReferenceSchema(k);
            await k.destroy();
            return libs[which].createPostgresRepository({ connectionString: urls[which] }, { migrate: true });
          },
          async (which) => {
            const c = new pg.Client({ connectionString: urls[which] });
            await c.connect();
            await c.query('ANALYZE');
            await c.end();
          },
        ),
      );
    } finally {
      await server.drop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/ab-e2e.json',
  `${JSON.stringify({ machine: machineInfo(), base: baseDir, tracks, newOptions, results }, null, 2)}\n`,
);
