import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { generatePlant } from '../../src/synthetic/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ltml-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const MAIN = resolve('src/cli/main.ts');
const NODE_ARGS = ['--import', pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href, MAIN];

/** Runs the CLI in this process (the code path of the command, without a process start per call). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = {
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  };
  const stderr = {
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  };
  const code = await runCli(args, { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the real command in a child process (exit status, stderr as a user sees them). */
function spawnCli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return spawnCliIn(process.cwd(), ...args);
}

function spawnCliIn(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const s = spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
  return { code: s.status, stdout: s.stdout, stderr: s.stderr };
}

/** Non-empty lines. */
const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

describe('laser-trim-ml CLI', () => {
  const db = join(dir, 'demo.db');

  it('demo builds, trains, applies and prints the status table', async () => {
    const r = await cli('demo', '--db', db, '--tracks', '3000', '--model-count', '20', '--quiet', '--concurrency', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Status: \d+ of 20 models trained/);
    expect(r.stdout).toMatch(/Model\s+Samples\s+Threshold\s+Thr BalAcc\s+Formula BalAcc\s+Thr source\s+Predictor\s+Pred AUC\s+Pred acc/);
  });

  it('demo replaces its own database but refuses any other file without --force', async () => {
    expect((await cli('demo', '--db', db, '--tracks', '1500', '--model-count', '10', '--quiet', '--concurrency', '1')).code).toBe(0);
    const other = join(dir, 'plant-demo-like-name.db');
    writeFileSync(other, 'not a database of ours');
    const r = await cli('demo', '--db', other, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was not created by "laser-trim-ml demo".*--force/);
    expect(readFileSync(other, 'utf8')).toBe('not a database of ours');
    // Rebuild the shared demo database for the next tests.
    expect((await cli('demo', '--db', db, '--tracks', '3000', '--model-count', '20', '--quiet', '--concurrency', '1')).code).toBe(0);
  });

  it('status --json is machine-readable and insights names a model', async () => {
    const s = await cli('status', '--db', db, '--json');
    expect(s.code).toBe(0);
    const status = JSON.parse(s.stdout) as { rows: { model: string; status: string }[]; trained: number };
    expect(status.trained).toBeGreaterThan(0);
    const model = status.rows.find((r) => r.status === 'trained' || r.status === 'drifting')!.model;
    const i = await cli('insights', model, '--db', db);
    expect(i.code).toBe(0);
    expect(i.stdout).toContain(`Model ${model}:`);
    expect((await cli('compare', '--db', db)).code).toBe(0);
    expect((await cli('drift', '--db', db, '--all')).code).toBe(0);
  });

  it('apply --pending writes only the new tracks', async () => {
    const none = await cli('apply', '--db', db, '--pending', '--json', '--quiet', '--concurrency', '1');
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ only: 'pending', tracks: 0, models: [] });
    // A new unit of one model (a copy of its newest, a day later), as a plant's import would add it.
    const h = new Database(db);
    const last = h.prepare('SELECT id, model, file_date FROM trim_results ORDER BY file_date DESC, id DESC LIMIT 1').get() as {
      id: number;
      model: string;
      file_date: string;
    };
    const runId = Number(
      h
        .prepare("INSERT INTO trim_results (model, serial, file_date, system) VALUES (?, 'NEW-1', ?, 'B')")
        .run(last.model, new Date(Date.parse(last.file_date) + 86_400_000).toISOString()).lastInsertRowid,
    );
    const cols =
      'track_id, status, sigma_gradient, linearity_spec, linearity_error, linearity_fail_points, linearity_pass, optimal_offset, travel_length, unit_length, untrimmed_resistance, trimmed_resistance';
    h.prepare(`INSERT INTO track_results (trim_result_id, ${cols}) SELECT ?, ${cols} FROM track_results WHERE trim_result_id = ?`).run(
      runId,
      last.id,
    );
    const added = (h.prepare('SELECT COUNT(*) AS n FROM track_results WHERE trim_result_id = ?').get(runId) as { n: number }).n;
    h.close();
    const r = await cli('apply', '--db', db, '--pending', '--quiet', '--concurrency', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Applied to ${added} new tracks of 1 models in `, 'u'));
    const check = new Database(db, { readonly: true });
    expect((check.prepare('SELECT COUNT(*) AS n FROM track_results WHERE ml_model_version IS NULL').get() as { n: number }).n).toBe(0);
    check.close();
  });

  it('report writes one HTML file with a section per model (only the named ones with --model)', async () => {
    const file = join(dir, 'plant-report.html');
    const r = await cli('report', '--db', db, '--out', file, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Wrote .*plant-report\.html: \d+ models, \d+ charts/);
    const status = JSON.parse((await cli('status', '--db', db, '--json')).stdout) as { rows: { model: string }[] };
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<section class="model"/g)).toHaveLength(status.rows.length);
    const one = await cli('report', '--db', db, '--out', file, '--model', status.rows[0]!.model, '--quiet');
    expect(one.code).toBe(0);
    expect(readFileSync(file, 'utf8').match(/<section class="model"/g)).toHaveLength(1);
    expect((await cli('report', '--db', db, '--out', file, '--model', 'no such model')).code).toBe(3);
  });

  it('exit codes distinguish usage errors, data errors and unknown models', async () => {
    // The real process: exit status and stderr as cron sees them.
    const frob = spawnCli('frobnicate');
    expect(frob.code).toBe(2);
    expect(frob.stderr).toBe(
      'laser-trim-ml: unknown command "frobnicate"; the commands are demo, migrate, train, apply, status, insights, compare, drift, report (see laser-trim-ml --help)\n',
    );
    expect((await cli('train', '--min-samples', 'lots')).code).toBe(2);
    expect((await cli('insights', 'no such model', '--db', db)).code).toBe(3);
    const empty = await cli('status', '--db', join(dir, 'empty.db'));
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/No SQLite database at .*migrate/);
    expect(existsSync(join(dir, 'empty.db'))).toBe(false);
    expect(spawnCli('--help').stdout).toContain('Usage: laser-trim-ml');
  });

  it('an unknown --model exits 3 with one line naming it, and nothing is trained or applied', async () => {
    const before = readFileSync(db);
    for (const args of [
      ['train', '--model', 'NOPE'],
      ['apply', '--model', 'NOPE'],
      ['train', '--models', 'nope,NOPE2'],
    ]) {
      const r = await cli(...args, '--db', db, '--quiet');
      expect(r.code).toBe(3);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^laser-trim-ml: no model "(NOPE|nope)"/u);
      expect(r.stdout).toBe('');
    }
    expect((await cli('train', '--models', 'nope,NOPE2', '--db', db)).stderr).toContain('"nope", "NOPE2"');
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('<command> --help prints the options of that command; an extra argument exits 2 in one line', async () => {
    const train = await cli('train', '--help');
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/^laser-trim-ml train: /u);
    expect(train.stdout).toContain('--min-samples');
    expect(train.stdout).not.toContain('--tracks');
    const r = await cli('status', 'extra', '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('laser-trim-ml: status takes no arguments, got extra "extra" (see laser-trim-ml status --help)\n');
  });

  it('--db that is not a SQLite database, a directory, or a new file for migrate: one line, exit 3, nothing left behind', async () => {
    const text = join(dir, 'notadb.txt');
    writeFileSync(text, 'hello, this is not a database\n');
    for (const cmd of ['train', 'migrate']) {
      const r = await cli(cmd, '--db', text);
      expect(r.code, cmd).toBe(3);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/is not a SQLite database.*point --db at your app's SQLite file/u);
      expect(r.stderr).not.toMatch(/SqliteError|\n\s+at /u);
    }
    const real = spawnCli('status', '--db', text);
    expect(real.code).toBe(3);
    expect(lines(real.stderr)).toHaveLength(1);
    expect(readFileSync(text, 'utf8')).toBe('hello, this is not a database\n');
    const d = join(dir, 'a-directory');
    mkdirSync(d);
    expect((await cli('status', '--db', d)).stderr).toMatch(/is a directory/u);

    const fresh = join(dir, 'new-plant.db');
    const m = await cli('migrate', '--db', fresh);
    expect(m.code).toBe(3);
    expect(lines(m.stderr)).toHaveLength(1);
    expect(m.stderr).toContain('--reference-schema');
    expect(m.stderr).not.toMatch(/createReferenceSchema|migrateToLatest|\(\)/u);
    expect(existsSync(fresh)).toBe(false);
    // A file that exists but has no host tables: the hint names the CLI's flags.
    const bare = join(dir, 'bare.db');
    new Database(bare).exec('CREATE TABLE other (x)');
    const b = await cli('migrate', '--db', bare);
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/--schema mapping\.json.*laser-trim-ml migrate --reference-schema/u);
    expect(b.stderr).not.toMatch(/Check the connection \/ file/u);
    const ok = await cli('migrate', '--db', fresh, '--reference-schema');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Migrated .* \(with the reference host tables\)/u);
  });

  it('figures agree: drifting now / unacknowledged alerts with drift; the threshold figures with insights', async () => {
    const status = JSON.parse((await cli('status', '--db', db, '--json')).stdout) as {
      rows: { model: string; status: string }[];
      drifting: number;
    };
    const alerts = JSON.parse((await cli('drift', '--db', db, '--json')).stdout) as { model: string }[];
    const text = (await cli('status', '--db', db)).stdout;
    expect(text).toContain(`; ${status.drifting} drifting now; ${alerts.length} unacknowledged drift alert`);
    const drift = (await cli('drift', '--db', db)).stdout;
    const driftingNow = new Set(status.rows.filter((r) => r.status === 'drifting').map((r) => r.model));
    // The drift table marks exactly the models the status table counts as drifting now.
    const marked = new Set(
      lines(drift)
        .filter((l) => / drifting (up|down)$/u.test(l))
        .map((l) => l.split(/\s+/u)[0]!),
    );
    for (const m of driftingNow) expect(marked.has(m) || !alerts.some((a) => a.model === m)).toBe(true);
    for (const m of marked) expect(driftingNow.has(m)).toBe(true);
    if (alerts.length > 0) expect(drift).toContain(`${alerts.length} alert`);
    // Thr BalAcc / Formula BalAcc are the insights' held-out figures of the threshold.
    let checked = 0;
    for (const row of lines(text).slice(5)) {
      const cells = row.split(/\s{2,}/u);
      const model = cells[0]!;
      if (!/^\d+%$/u.test(cells[3] ?? '') || checked >= 3) continue;
      const ins = (await cli('insights', model, '--db', db)).stdout;
      const m = /the learned threshold's balanced accuracy is ([\d.]+)% against ([\d.]+)% for the formula/u.exec(ins);
      expect(m, model).not.toBeNull();
      expect(`${Math.round(Number(m![1]))}%`).toBe(cells[3]);
      expect(`${Math.round(Number(m![2]))}%`).toBe(cells[4]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('progress off a terminal: a line per step and at most one per 2 s, the pooled forest its own step', async () => {
    const r = await cli('train', '--db', db, '--concurrency', '1');
    expect(r.code).toBe(0);
    const progress = lines(r.stderr);
    const seconds = Number(/in ([\d.]+) s/u.exec(r.stdout)![1]);
    // 3 steps, each with its first and last line, plus one line per 2 s at most.
    expect(progress.length).toBeLessThanOrEqual(6 + Math.ceil(seconds / 2));
    expect(progress.some((l) => l.includes('step 2/3, the pooled forest'))).toBe(true);
    expect(progress.at(-1)).toMatch(/step 3\/3, training each model: ([\d,]+)\/\1 rows, (\d+)\/\2 models \(100%/u);
  });
});

describe('CLI with a host schema of other names (--schema, the config file)', () => {
  const host = join(dir, 'host.db');
  const mappingFile = join(dir, 'mapping.json');
  const mapping = {
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

  it('migrate, train, apply and status run on the host tables with --schema', async () => {
    // The host schema of examples/existing-schema.ts, filled from the synthetic generator.
    const h = new Database(host);
    h.exec(`CREATE TABLE analysis_results (id INTEGER PRIMARY KEY, model_number TEXT NOT NULL, serial_number TEXT NOT NULL,
        analysis_date TEXT NOT NULL, system_type TEXT);
      CREATE TABLE track_data (id INTEGER PRIMARY KEY, analysis_id INTEGER NOT NULL REFERENCES analysis_results(id),
        track_name TEXT NOT NULL, status TEXT, sigma_gradient REAL, linearity_spec REAL, final_linearity_error_shifted REAL,
        fail_points INTEGER, linearity_pass INTEGER, optimal_offset REAL, travel_length REAL, untrimmed_resistance REAL,
        trimmed_resistance REAL);
      CREATE TABLE ft_results (id INTEGER PRIMARY KEY, model_number TEXT NOT NULL, serial_number TEXT NOT NULL, test_date TEXT NOT NULL);
      CREATE TABLE ft_tracks (id INTEGER PRIMARY KEY, ft_id INTEGER NOT NULL REFERENCES ft_results(id), track_name TEXT NOT NULL,
        passed INTEGER, fail_count INTEGER, max_error REAL);`);
    const plant = generatePlant({ seed: 5, tracks: 900, models: 4, specialModels: false });
    const date = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');
    const bit = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);
    const run = h.prepare('INSERT INTO analysis_results (model_number, serial_number, analysis_date, system_type) VALUES (?, ?, ?, ?)');
    const track = h.prepare(`INSERT INTO track_data (analysis_id, track_name, status, sigma_gradient, linearity_spec,
      final_linearity_error_shifted, fail_points, linearity_pass, optimal_offset, travel_length, untrimmed_resistance,
      trimmed_resistance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const ft = h.prepare('INSERT INTO ft_results (model_number, serial_number, test_date) VALUES (?, ?, ?)');
    const ftTrack = h.prepare('INSERT INTO ft_tracks (ft_id, track_name, passed, fail_count, max_error) VALUES (?, ?, ?, ?, ?)');
    let tracks = 0;
    h.transaction(() => {
      for (const { input: r } of plant.runs) {
        const id = run.run(r.model, r.serial, date(r.fileDate), r.system).lastInsertRowid;
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
        const id = ft.run(f.model, f.serial, date(f.testDate)).lastInsertRowid;
        for (const t of f.tracks) ftTrack.run(id, t.trackId, bit(t.linearityPass), t.failPoints, t.linearityError);
      }
    })();
    h.close();
    writeFileSync(mappingFile, JSON.stringify(mapping, null, 2));

    // Without the mapping: one line naming the missing table and the flag.
    const without = await cli('migrate', '--db', host);
    expect(without.code).toBe(3);
    expect(without.stderr).toMatch(/track table "track_results" does not exist.*--schema mapping\.json/u);

    expect((await cli('migrate', '--db', host, '--schema', mappingFile)).code).toBe(0);
    const train = await cli('train', '--db', host, '--schema', mappingFile, '--quiet', '--concurrency', '1', '--json');
    expect(train.code).toBe(0);
    expect((JSON.parse(train.stdout) as { trained: number }).trained).toBeGreaterThan(0);
    const apply = await cli('apply', '--db', host, '--schema', mappingFile, '--quiet', '--json', '--concurrency', '1');
    expect(apply.code).toBe(0);
    expect((JSON.parse(apply.stdout) as { tracks: number }).tracks).toBe(tracks);
    const filled = new Database(host, { readonly: true });
    expect((filled.prepare('SELECT COUNT(*) AS n FROM track_data WHERE sigma_threshold IS NOT NULL').get() as { n: number }).n).toBe(
      tracks,
    );
    expect(filled.prepare("SELECT name FROM sqlite_master WHERE name = 'trim_results'").get()).toBeUndefined();
    filled.close();
    expect((await cli('status', '--db', host, '--schema', mappingFile)).stdout).toMatch(/Status: \d+ of 4 models trained/u);
    expect((await cli('status', '--db', host)).code).toBe(3);
  });

  it('finds ./laser-trim-ml.config.json (db and schema, relative to it), and --config names another', async () => {
    const cwd = join(dir, 'plant-dir');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'laser-trim-ml.config.json'), JSON.stringify({ db: '../host.db', schema: '../mapping.json' }));
    const s = spawnCliIn(cwd, 'status', '--json');
    expect(s.stderr).toBe('');
    expect((JSON.parse(s.stdout) as { trained: number }).trained).toBeGreaterThan(0);
    // The mapping inline, in a config file named with --config.
    const other = join(dir, 'other-config.json');
    writeFileSync(other, JSON.stringify({ db: host, schema: mapping }));
    expect((await cli('status', '--config', other)).code).toBe(0);
    writeFileSync(other, JSON.stringify({ db: host, schema: mapping, extra: 1 }));
    const bad = await cli('status', '--config', other);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown key "extra"/u);
  });

  it("a wrong mapping fails with the API's SchemaMappingError messages, in one line, exit 3", async () => {
    const cases: [unknown, RegExp][] = [
      [{ tables: { trim_result: 'analysis_results' } }, /Schema mapping: unknown table key "trim_result"\. Use one of trim_results, /u],
      [
        { ...mapping, columns: { ...mapping.columns, track_results: { ...mapping.columns.track_results, sigma_gradient: 'sigma_grad' } } },
        /Column "track_data\.sigma_grad" \(for track_results\.sigma_gradient\) does not exist/u,
      ],
    ];
    const file = join(dir, 'bad-mapping.json');
    for (const [value, pattern] of cases) {
      writeFileSync(file, JSON.stringify(value));
      const r = await cli('status', '--db', host, '--schema', file);
      expect(r.code, JSON.stringify(value)).toBe(3);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  });
});

describe('CLI after a kill -9 (SQLite)', () => {
  /** Starts a child (`train`, or the lock holder of the storage tests) and resolves once its output has `marker`. */
  async function start(args: string[], marker: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    await new Promise<void>((res, rej) => {
      const seen = (d: Buffer): void => void (d.toString().includes(marker) && res());
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.on('exit', (code) => rej(new Error(`child exited with ${code} before "${marker}"`)));
    });
    return child;
  }
  const kill9 = (child: ChildProcess): Promise<NodeJS.Signals | null> =>
    new Promise((res) => {
      child.on('exit', (_code, signal) => res(signal));
      child.kill('SIGKILL');
    });
  const file = join(dir, 'kill.db');
  const tookOver = [
    expect.stringMatching(
      /^laser-trim-ml: Took over the train lock from ".+ \(train\)" \(pid \d+ on this host is no longer running; it held the lock since .+Z\)\.$/u,
    ),
    expect.stringMatching(/^laser-trim-ml: Took over the apply lock from /u),
  ];

  it('a live holder: apply exits 4 with one line naming the lock, the holder (running train) and the lease; after its kill -9 the rerun takes over', async () => {
    expect((await cli('demo', '--db', file, '--tracks', '6000', '--model-count', '30', '--quiet', '--concurrency', '1')).code).toBe(0);
    const holder = await start([...NODE_ARGS.slice(0, 2), resolve('test/storage/lock-holder.child.ts'), file], 'held');
    const busy = await cli('apply', '--db', file, '--quiet');
    expect(busy.code).toBe(4);
    expect(lines(busy.stderr)).toHaveLength(1);
    expect(busy.stderr.trimEnd()).toMatch(
      new RegExp(
        `^laser-trim-ml: A train or apply is already running \\(they exclude each other\\): the train lock is held by "child pid ${holder.pid} \\(train\\)" since .+Z \\(its lease runs to .+Z, in \\d+ s, renewed while it runs\\)\\. Wait for it to finish and try again\\.$`,
        'u',
      ),
    );
    expect(await kill9(holder)).toBe('SIGKILL');
    const rerun = await cli('apply', '--db', file, '--quiet');
    expect(rerun.code).toBe(0);
    expect(lines(rerun.stderr)).toEqual(tookOver);
  });

  it('kill -9 of a running train: the immediate rerun takes the locks over within 2 s and trains', async () => {
    const train = await start([...NODE_ARGS, 'train', '--db', file, '--concurrency', '1'], 'train: step');
    expect(await kill9(train)).toBe('SIGKILL');
    const t0 = Date.now();
    let tookOverAt = 0;
    const stdout = {
      text: '',
      write(t: string) {
        this.text += t;
        return true;
      },
    };
    const stderr = {
      text: '',
      write(t: string) {
        tookOverAt ||= Date.now();
        this.text += t;
        return true;
      },
    };
    const code = await runCli(['train', '--db', file, '--quiet', '--concurrency', '1'], {
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(lines(stderr.text)).toEqual(tookOver);
    expect(stdout.text).toMatch(/^Trained \d+ models/u);
    // From the kill to the run holding both locks (the 60 s lease it would have waited for before).
    expect(tookOverAt - t0).toBeLessThan(2000);
  });
});
