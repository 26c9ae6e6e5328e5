import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaMappingError } from '../../src/core/errors.js';
import type { ProgressEvent } from '../../src/manager/types.js';
import { COMMAND_NAMES, HELP, UsageError, helpFor, parseCli } from '../../src/cli/args.js';
import { checkSchemaMapping, resolveTarget } from '../../src/cli/config.js';
import { RateEstimator, createProgressReporter } from '../../src/cli/progress.js';

const dir = mkdtempSync(join(tmpdir(), 'ltml-cli-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const usage = (argv: string[]): string => {
  try {
    parseCli(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
};

describe('CLI arguments', () => {
  it('each command has its own help listing exactly the options it takes', () => {
    const texts = COMMAND_NAMES.map((c) => helpFor(c));
    expect(new Set([...texts, HELP]).size).toBe(COMMAND_NAMES.length + 1);
    const options = (text: string): string[] => [...text.matchAll(/^ {2}--([a-z-]+)/gmu)].map((m) => m[1]!);
    expect(options(helpFor('train'))).toEqual([
      'db',
      'schema',
      'config',
      'json',
      'quiet',
      'min-samples',
      'min-plant-backed-samples',
      'concurrency',
      'model',
      'models',
      'rebaseline-drift',
      'seed',
      'help',
    ]);
    expect(options(helpFor('drift'))).toEqual(['db', 'schema', 'config', 'json', 'all', 'help']);
    expect(options(helpFor('demo'))).not.toContain('schema');
    expect(helpFor('insights')).toContain('Usage: laser-trim-ml insights <model> [options]');
    expect(HELP).toMatch(/Commands:\n {2}demo/u);
    // Every option a command's help lists is accepted by it, and every other is refused.
    for (const c of COMMAND_NAMES) {
      const takes = new Set(options(helpFor(c)));
      for (const o of ['db', 'schema', 'json', 'all', 'force', 'min-samples', 'tracks']) {
        const value = ['db', 'schema', 'min-samples', 'tracks'].includes(o) ? ['5'] : [];
        const argv = [c, ...(c === 'insights' ? ['m'] : []), `--${o}`, ...value];
        if (takes.has(o)) expect(() => parseCli(argv), argv.join(' ')).not.toThrow();
        else expect(usage(argv)).toBe(`${c} takes no --${o}.`);
      }
    }
    expect(parseCli(['train', '--min-plant-backed-samples', '20'])).toMatchObject({ command: 'train', minPlantBackedSamples: 20 });
    expect(parseCli(['train', '--help'])).toMatchObject({ command: 'train', help: true });
    expect(parseCli(['help', 'apply'])).toMatchObject({ command: 'help', positionals: ['apply'] });
    expect(parseCli(['--version'])).toMatchObject({ version: true, help: false });
    expect(parseCli(['-v'])).toMatchObject({ version: true });
    expect(parseCli([])).toMatchObject({ command: 'help', help: true });
  });

  it('refuses extra or missing positional arguments, naming them', () => {
    expect(usage(['status', 'x'])).toBe('status takes no arguments, got extra "x".');
    expect(usage(['insights'])).toBe('insights takes <model> (missing).');
    expect(usage(['insights', 'a', 'b'])).toBe('insights takes <model>, got extra "b".');
    expect(usage(['frob'])).toMatch(/^unknown command "frob"; the commands are demo, migrate, /u);
    expect(usage(['migrate', '--reference-schema', '--schema', 'm.json'])).toMatch(/cannot be combined with --schema/u);
    expect(parseCli(['insights', 'a,b']).positionals).toEqual(['a,b']);
    expect(parseCli(['train', '--model', 'a,b', '--models', 'c, d']).models).toEqual(['a,b', 'c', 'd']);
  });
});

describe('CLI schema mapping and config file', () => {
  it("checks the mapping with the API's SchemaMappingError messages", () => {
    const bad = (v: unknown): string => {
      try {
        checkSchemaMapping(v, 'm.json');
      } catch (e) {
        expect(e).toBeInstanceOf(SchemaMappingError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ tables: { trim_result: 'x' } })).toMatch(
      /^Schema mapping: unknown table key "trim_result"\. Use one of .* \(in m\.json\)$/u,
    );
    expect(bad({ columns: { track_results: { sigma: 'x' } } })).toMatch(/unknown column key "track_results\.sigma"/u);
    expect(bad({ columns: { trim_results: { model: null } } })).toMatch(/"trim_results\.model" is required and cannot be mapped to null/u);
    expect(bad({ table: {} })).toBe('Schema mapping (m.json): unknown key "table"; use "tables" and "columns".');
    expect(bad({ tables: { trim_results: 5 } })).toMatch(/tables\.trim_results must be a table name/u);
    expect(bad({ columns: { track_results: { track_id: 3 } } })).toMatch(
      /columns\.track_results\.track_id must be a column name \(a string\) or null/u,
    );
    expect(bad([])).toMatch(/must be a JSON object/u);
    expect(
      checkSchemaMapping({ tables: { trim_results: 'runs' }, columns: { final_test_results: { linked_trim_id: null } } }, 'x'),
    ).toBeTruthy();
  });

  it('resolves --db / --schema over the config file over the defaults; config paths are relative to the config file', () => {
    const cwd = join(dir, 'work');
    mkdirSync(join(cwd, 'conf'), { recursive: true });
    writeFileSync(join(cwd, 'conf', 'map.json'), JSON.stringify({ tables: { trim_results: 'runs' } }));
    expect(resolveTarget(parseCli(['status']), './laser-trim.db', { cwd })).toEqual({
      db: './laser-trim.db',
      schema: undefined,
      configFile: undefined,
    });
    writeFileSync(join(cwd, 'laser-trim-ml.config.json'), JSON.stringify({ db: 'conf/plant.db', schema: 'conf/map.json' }));
    expect(resolveTarget(parseCli(['status']), './x.db', { cwd })).toEqual({
      db: join(cwd, 'conf', 'plant.db'),
      schema: { tables: { trim_results: 'runs' } },
      configFile: join(cwd, 'laser-trim-ml.config.json'),
    });
    expect(resolveTarget(parseCli(['status', '--db', 'other.db']), './x.db', { cwd }).db).toBe('other.db');
    expect(resolveTarget(parseCli(['demo']), './demo.db', { cwd, useConfig: false }).db).toBe('./demo.db');
    writeFileSync(
      join(cwd, 'laser-trim-ml.config.json'),
      JSON.stringify({ db: 'postgres://u@h/db', schema: { tables: { trim_results: 'runs' } } }),
    );
    expect(resolveTarget(parseCli(['status']), './x.db', { cwd })).toMatchObject({
      db: 'postgres://u@h/db',
      schema: { tables: { trim_results: 'runs' } },
    });
    writeFileSync(join(cwd, 'laser-trim-ml.config.json'), '{ "db": 1 }');
    expect(() => resolveTarget(parseCli(['status']), './x.db', { cwd })).toThrow(/"db" must be a SQLite file path or a postgres:\/\/ URL/u);
    expect(() => resolveTarget(parseCli(['status', '--config', 'nope.json']), './x.db', { cwd })).toThrow(
      /nope\.json cannot be read \(no such file\)/u,
    );
    writeFileSync(join(cwd, 'laser-trim-ml.config.json'), '{}');
    writeFileSync(join(cwd, 'bad.json'), '{ not json');
    expect(() => resolveTarget(parseCli(['status', '--schema', 'bad.json']), './x.db', { cwd })).toThrow(SchemaMappingError);
  });
});

/** A fake stream recording what is written. */
function sink(isTTY: boolean): { write(t: string): void; isTTY: boolean; columns: number; text: string } {
  return {
    isTTY,
    columns: 100,
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

/** The train events of a run of `models` models over `seconds`, phases alternating training/saving as the manager's do. */
function trainEvents(models: number, seconds: number): ProgressEvent[] {
  const ev: ProgressEvent[] = [];
  const base = { operation: 'train' as const, modelsTotal: models };
  ev.push({ ...base, phase: 'planning', modelsDone: 0, recordsDone: 0, recordsTotal: models * 100, elapsedMs: 0 });
  for (let i = 0; i < models; i++)
    ev.push({ ...base, phase: 'reading', modelsDone: i, recordsDone: i * 100, recordsTotal: models * 100, elapsedMs: 10 + i });
  ev.push({ ...base, phase: 'pooled', modelsDone: models, elapsedMs: 500 });
  const t0 = 1000;
  const dt = (seconds * 1000 - t0) / models;
  for (let i = 0; i < models; i++) {
    const t = t0 + i * dt;
    ev.push({
      ...base,
      phase: 'training',
      model: `m${i}`,
      modelsDone: i,
      recordsDone: i * 100,
      recordsTotal: models * 100,
      elapsedMs: Math.round(t),
    });
    ev.push({
      ...base,
      phase: 'saving',
      model: `m${i}`,
      modelsDone: i,
      recordsDone: i * 100,
      recordsTotal: models * 100,
      elapsedMs: Math.round(t + dt / 2),
    });
    ev.push({
      ...base,
      phase: 'training',
      model: `m${i}`,
      modelsDone: i + 1,
      recordsDone: (i + 1) * 100,
      recordsTotal: models * 100,
      elapsedMs: Math.round(t + dt),
    });
  }
  ev.push({ ...base, phase: 'done', modelsDone: models, recordsDone: models * 100, recordsTotal: models * 100, elapsedMs: seconds * 1000 });
  return ev;
}

describe('CLI progress', () => {
  it('off a terminal: one line per step and at most one per 2 s, however the phases alternate', () => {
    const s = sink(false);
    const p = createProgressReporter(s);
    const events = trainEvents(120, 20);
    expect(events.length).toBeGreaterThan(400);
    for (const e of events) p.update(e);
    p.done();
    const out = s.text.split('\n').filter((l) => l !== '');
    // reading: first + last; pooled: 1; training (19 s): first, one per 2 s (<= 10), last.
    expect(out.length).toBeLessThanOrEqual(2 + 1 + 12);
    expect(out.filter((l) => l.includes('step 2/3, the pooled forest'))).toHaveLength(1);
    expect(out.at(-1)).toBe('train: step 3/3, training each model: 12,000/12,000 rows, 120/120 models (100%, 19s)');
    expect(out[0]).toBe('train: step 1/3, reading the models: 0/12,000 rows, 0/120 models (0%, 0s)');
    // No ETA before 5% and 2 s of a step.
    const early = out.filter((l) => l.includes('step 3/3') && /\((\d)%/u.test(l) && Number(/\((\d+)%/u.exec(l)![1]) < 5);
    for (const l of early) expect(l).not.toContain('ETA');
  });

  it('on a terminal: redraws in place, each step ends with a newline, and so does a failed run', () => {
    const s = sink(true);
    const p = createProgressReporter(s);
    for (const e of trainEvents(10, 3)) p.update(e);
    expect(s.text.endsWith('\n')).toBe(true);
    // Three steps, three lines: nothing written afterwards is glued onto a bar.
    expect(s.text.split('\n').filter((l) => l !== '')).toHaveLength(3);
    const f = sink(true);
    const q = createProgressReporter(f);
    q.update(trainEvents(10, 3)[0]!);
    expect(f.text.endsWith('\n')).toBe(false);
    q.done(); // the run failed: the CLI calls done() before it prints the error
    expect(f.text.endsWith('\n')).toBe(true);
  });

  it('the ETA comes from a smoothed rate and is withheld until 5% and 2 s are done', () => {
    const r = new RateEstimator(0);
    expect(r.etaMs(1000, 50, 100)).toBeNull(); // < 2 s
    expect(r.etaMs(3000, 2, 100)).toBeNull(); // < 5%
    // A steady 10 units/s: the ETA is the remaining units at that rate.
    for (let t = 500; t <= 10_000; t += 500) r.observe(t, t / 100);
    expect(r.etaMs(10_000, 100, 200)).toBeCloseTo(10_000, 6);
    // A burst (0.1 units/ms against 0.01) moves the rate by the EWMA weight only, 1 - exp(-0.5 s / 10 s) = 4.9%.
    r.observe(10_500, 150);
    const w = 1 - Math.exp(-500 / 10_000);
    expect(r.etaMs(10_500, 150, 200)).toBeCloseTo(50 / (w * 0.1 + (1 - w) * 0.01), 6);
  });
});
