import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ltml-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('laser-trim-ml CLI', () => {
  const db = join(dir, 'demo.db');

  it('demo builds, trains, applies and prints the status table', () => {
    const r = cli('demo', '--db', db, '--tracks', '3000', '--model-count', '20', '--quiet', '--concurrency', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Status: \d+ models trained/);
    expect(r.stdout).toMatch(/Model\s+Samples\s+Threshold\s+Source\s+Accuracy/);
  });

  it('demo replaces its own database but refuses any other file without --force', () => {
    expect(cli('demo', '--db', db, '--tracks', '1500', '--model-count', '10', '--quiet', '--concurrency', '1').code).toBe(0);
    const other = join(dir, 'plant-demo-like-name.db');
    writeFileSync(other, 'not a database of ours');
    const r = cli('demo', '--db', other, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was not created by "laser-trim-ml demo".*--force/);
    expect(readFileSync(other, 'utf8')).toBe('not a database of ours');
    // Rebuild the shared demo database for the next tests.
    expect(cli('demo', '--db', db, '--tracks', '3000', '--model-count', '20', '--quiet', '--concurrency', '1').code).toBe(0);
  });

  it('status --json is machine-readable and insights names a model', () => {
    const s = cli('status', '--db', db, '--json');
    expect(s.code).toBe(0);
    const status = JSON.parse(s.stdout) as { rows: { model: string; status: string }[]; trained: number };
    expect(status.trained).toBeGreaterThan(0);
    const model = status.rows.find((r) => r.status === 'trained' || r.status === 'drifting')!.model;
    const i = cli('insights', model, '--db', db);
    expect(i.code).toBe(0);
    expect(i.stdout).toContain(`Model ${model}:`);
    expect(cli('compare', '--db', db).code).toBe(0);
    expect(cli('drift', '--db', db, '--all').code).toBe(0);
  });

  it('exit codes distinguish usage errors, data errors and unknown models', () => {
    expect(cli('frobnicate').code).toBe(2);
    expect(cli('train', '--min-samples', 'lots').code).toBe(2);
    expect(cli('insights', 'no such model', '--db', db).code).toBe(3);
    const empty = cli('status', '--db', join(dir, 'empty.db'));
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/No SQLite database at .*migrate/);
    expect(cli('--help').stdout).toContain('Usage: laser-trim-ml');
  });
});
