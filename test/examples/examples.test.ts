/**
 * Smoke test of the worked examples: each runs as a child process (`node --import tsx examples/<file>.ts`, cwd = the
 * repository root, so the tsconfig `paths` that map `laser-trim-ml` to the sources are honoured), must exit 0, print
 * its key lines, and leave nothing behind (temp dirs, the PostgreSQL scratch database).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../setup/postgres.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one example to completion (never rejects: the exit code and output are asserted by the caller). */
function runExample(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('examples', file), ...args],
      { cwd: root, env: { ...process.env, TMPDIR: exampleTmp, ...env }, timeout: 50_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Fails with the example's own output, so a broken example explains itself. */
function expectSuccess(run: Run): void {
  if (run.code !== 0) throw new Error(`exit code ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
}

/** Number captured by `re` in `text` (the test fails when the line is missing). */
function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  expect(m, `no line matching ${re} in:\n${text}`).not.toBeNull();
  return Number(m![1]);
}

/**
 * The examples' temp directory: a private one (their TMPDIR), so that other processes on the machine making
 * directories of the same name (another test run, say) cannot make "left nothing behind" fail.
 */
const exampleTmp = mkdtempSync(join(tmpdir(), 'ltml-examples-tmp-'));
const exampleTempDirs = (): string[] => readdirSync(exampleTmp).filter((d) => d.startsWith('laser-trim-example-'));

describe('examples', () => {
  let before: Set<string>;
  let pgdb: TestDatabase;
  beforeAll(async () => {
    before = new Set(exampleTempDirs());
    pgdb = await createTestDatabase();
  });
  afterAll(async () => {
    await pgdb?.drop();
    rmSync(exampleTmp, { recursive: true, force: true });
  });

  it('train-all.ts trains a synthetic plant into the given SQLite file and prints the status table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ltml-examples-test-'));
    try {
      const file = join(dir, 'plant.db');
      const run = await runExample('train-all.ts', [file]);
      expectSuccess(run);
      const trained = num(run.stdout, /Trained (\d+) models, \d+ need more data, 0 failed/);
      expect(trained).toBeGreaterThan(0);
      expect(run.stdout).toMatch(/Pooled forest: \d+ Final Test units, out-of-bag AUC 0\.\d+/);
      expect(num(run.stdout, /Status: (\d+) trained/)).toBe(trained);
      expect(run.stdout).toMatch(/training: \d+\/\d+ models/);
      // The file given on the command line is kept and holds one trained state per trained model.
      const db = new Database(file, { readonly: true });
      const row = db.prepare('SELECT COUNT(*) AS n FROM model_ml_state WHERE is_trained = 1').get() as { n: number };
      db.close();
      expect(row.n).toBe(trained);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply-to-db.ts applies to every track and prints alerts, insights and one probability', async () => {
    const run = await runExample('apply-to-db.ts');
    expectSuccess(run);
    const tracks = num(run.stdout, /Applied to (\d+) tracks/);
    expect(run.stdout).toContain(`${tracks}/${tracks} records`);
    expect(run.stdout).toMatch(/, 0 failed models\./);
    expect(num(run.stdout, /(\d+) with a failure probability/)).toBeGreaterThan(tracks / 2);
    expect(run.stdout).toMatch(/Drift alerts:\n {2}\S.* (up|down) \d+\.\d σ since \d{4}-\d\d-\d\d/);
    expect(run.stdout).toMatch(/Insights for \S+: \d+ samples/);
    const m = /failure probability (0\.\d+|1\.000) \(stored by apply: (0\.\d+|1\.000)\)/.exec(run.stdout);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(m![2]);
  });

  it('postgres.ts runs the workflow in its own scratch database and drops it', async () => {
    const run = await runExample('postgres.ts', [], { DATABASE_URL: pgdb.connectionString });
    expectSuccess(run);
    const name = /Created scratch database (\S+)/.exec(run.stdout)?.[1];
    expect(name).toMatch(/^laser_trim_ml_example_/);
    expect(run.stdout).toContain(`Dropped ${name}`);
    expect(num(run.stdout, /Trained (\d+) models, \d+ need more data, 0 failed/)).toBeGreaterThan(0);
    const tracks = num(run.stdout, /Applied to (\d+) tracks/);
    expect(run.stdout).toContain(`apply done: ${tracks}/${tracks} records`);
    expect(run.stdout).toMatch(/track_results by risk category:\n\s+(low|medium|high)\s+\d+ tracks, mean p 0\.\d+/);
    const client = new pg.Client({ connectionString: pgdb.connectionString });
    await client.connect();
    const left = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    await client.end();
    expect(left.rowCount).toBe(0);
  });

  it('existing-schema.ts maps a host schema with other names and writes results into its own table', async () => {
    const run = await runExample('existing-schema.ts');
    expectSuccess(run);
    expect(run.stdout).toMatch(/Final Test linked by serial [1-9]\d*/);
    expect(num(run.stdout, /Trained (\d+) of \d+ models/)).toBeGreaterThan(0);
    const m = /(\d+) of (\d+) rows of track_data have results/.exec(run.stdout);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(run.stdout).toContain('ml_risk');
    expect(run.stdout).toMatch(/tables now: .*model_ml_state.*track_data/);
    // The host's own tables kept their names: no reference-named table was created.
    expect(run.stdout).not.toMatch(/tables now: .*\btrim_results\b/);
  });

  it('custom-repository.ts trains and applies on a JSON-file MLRepository and reloads it', async () => {
    const run = await runExample('custom-repository.ts');
    expectSuccess(run);
    const trained = num(run.stdout, /JSON-file repository: \d+ tracks; trained (\d+) models/);
    expect(trained).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/-> threshold \d\.\d+(e-\d+)?, pass (true|false), p\(fail\) \d\.\d{3} \((low|medium|high)\)/);
    expect(num(run.stdout, /Reopened plant\.json: (\d+) trained/)).toBe(trained);
  });

  it('left no temp dirs behind', () => {
    expect(exampleTempDirs().filter((d) => !before.has(d))).toEqual([]);
  });
});
