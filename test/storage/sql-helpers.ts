/** Helpers for the SQL engine tests: raw reads of the result columns, fresh SQLite files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { StoredTrackResults } from '../../src/storage/memory/memory-host-data.js';
import { expect } from 'vitest';
import type { TrainingRecord } from '../../src/core/types.js';
import type { HostDataWriter, MLRepository, RiskCategory, TrackResultWrite } from '../../src/storage/repository.js';
import { readTrainingRecordsOfModels } from '../../src/storage/repository-helpers.js';
import { full } from './fixture.js';

type Raw = Record<string, unknown>;

function toStored(row: Raw | undefined): StoredTrackResults | undefined {
  if (row === undefined || row['ml_model_version'] === null) return undefined;
  const pass = row['sigma_pass'];
  return {
    sigmaThreshold: Number(row['sigma_threshold']),
    sigmaPass: pass === null ? null : pass === true || pass === 1,
    failureProbability: row['failure_probability'] === null ? null : Number(row['failure_probability']),
    riskCategory: row['risk_category'] as RiskCategory | null,
    mlModelVersion: row['ml_model_version'] as string,
  };
}

/** A temp directory with a fresh SQLite file path; `cleanup` removes it. */
export function tempSqliteFile(name = 'test.db'): { file: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ltml-sqlite-'));
  return { file: join(dir, name), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads the result columns straight from a SQLite file (a second connection; WAL lets it read). */
export function sqliteResultReader(file: string, table = 'track_results') {
  return async (id: number): Promise<StoredTrackResults | undefined> => {
    const db = new Database(file, { readonly: true });
    try {
      return toStored(db.prepare(`SELECT * FROM "${table}" WHERE id = ?`).get(id) as Raw | undefined);
    } finally {
      db.close();
    }
  };
}

/** Reads the result columns straight from PostgreSQL. */
export function postgresResultReader(connectionString: string, table = 'track_results') {
  return async (id: number): Promise<StoredTrackResults | undefined> => {
    const c = new pg.Client({ connectionString });
    await c.connect();
    try {
      return toStored((await c.query(`SELECT * FROM "${table}" WHERE id = $1`, [id])).rows[0] as Raw | undefined);
    } finally {
      await c.end();
    }
  };
}

/**
 * Writes one batch larger than the adapter's statement chunk (`chunk` rows per statement): a batch whose last row
 * names a missing track writes nothing, not even the chunks before it; a valid batch writes every row, on both sides
 * of each chunk boundary.
 */
export async function checkChunkedWrites(
  repo: MLRepository & HostDataWriter,
  readResult: (id: number) => Promise<StoredTrackResults | undefined>,
  chunk: number,
): Promise<void> {
  const n = 2 * chunk + 3;
  const start = Date.UTC(2024, 0, 1);
  const runs = Array.from({ length: n }, (_, i) => ({
    model: 'chunked',
    serial: `C${i}`,
    fileDate: new Date(start + i * 60_000),
    system: 'B',
    tracks: [{ ...full('default', 0.0004) }],
  }));
  for (let i = 0; i < n; i += 5_000) await repo.insertTrimRuns(runs.slice(i, i + 5_000));
  const ids: number[] = [];
  for await (const b of repo.readTracksForApply('chunked', { batchSize: 50_000 })) ids.push(...b.map((t) => t.trackResultId));
  expect(ids).toHaveLength(n);
  const row = (id: number, k: number): TrackResultWrite => ({
    trackResultId: id,
    sigmaThreshold: 0.0005 + k * 1e-9,
    sigmaPass: k % 2 === 0,
    failureProbability: (k % 100) / 100,
    riskCategory: k % 3 === 0 ? 'high' : 'low',
    mlModelVersion: 'chunked',
  });
  const probes = [0, chunk - 1, chunk, chunk + 1, 2 * chunk, n - 1];
  const broken = ids.map((id, k) => row(k === n - 1 ? 2_000_000_000 : id, k));
  await expect(repo.writeTrackResults(broken)).rejects.toThrow(/nothing of this batch was written/u);
  for (const k of probes) expect(await readResult(ids[k]!), `row ${k}`).toBeUndefined();
  await repo.writeTrackResults(ids.map((id, k) => row(id, k)));
  for (const k of probes) {
    expect(await readResult(ids[k]!), `row ${k}`).toEqual({
      sigmaThreshold: 0.0005 + k * 1e-9,
      sigmaPass: k % 2 === 0,
      failureProbability: (k % 100) / 100,
      riskCategory: k % 3 === 0 ? 'high' : 'low',
      mlModelVersion: 'chunked',
    });
  }
}

/**
 * Inserts one single-track run per sigma (models `a` for even, `b` for odd positions, serial `S<i>` unless
 * `serialOf` says otherwise, one day apart, NULLs in several columns) and a failed Final Test linked to run 1; for
 * the tests that compare the grouped JSON reads with row reads.
 */
export async function insertExtremeRuns(
  repo: HostDataWriter,
  sigmas: readonly number[],
  [a, b]: readonly [string, string],
  serialOf: (i: number) => string = (i) => `S${i}`,
): Promise<number[]> {
  const ids = await repo.insertTrimRuns(
    sigmas.map((sigma, i) => ({
      model: i % 2 === 0 ? a : b,
      serial: serialOf(i),
      fileDate: new Date(Date.UTC(2024, 0, 1 + i, 8, 0, 0, 123)),
      system: 'B',
      tracks: [
        {
          trackId: 'default',
          status: i === 1 ? null : 'PASS',
          sigmaGradient: sigma,
          linearitySpec: 0.01,
          linearityError: 0.004,
          linearityFailPoints: i,
          linearityPass: i % 3 === 0 ? null : i % 2 === 0,
          optimalOffset: null,
          travelLength: 300,
          unitLength: null,
          untrimmedResistance: 10_000,
          trimmedResistance: 10_500,
        },
      ],
    })),
  );
  await repo.insertFinalTests([
    {
      model: b,
      serial: serialOf(1),
      testDate: new Date(Date.UTC(2024, 1, 1)),
      linkedTrimId: ids[1]!,
      tracks: [{ trackId: 'default', linearityPass: false, failPoints: 4, linearityError: 0.02 }],
    },
  ]);
  return ids;
}

/** Every model's training records read both ways: the bulk read (grouped) and model by model. */
export async function readBothWays(repo: MLRepository): Promise<{ bulk: TrainingRecord[]; perModel: TrainingRecord[] }> {
  const models = await repo.listModels();
  const bulk: TrainingRecord[] = [];
  for await (const b of readTrainingRecordsOfModels(repo, models)) bulk.push(...b.records);
  const perModel: TrainingRecord[] = [];
  for (const m of models) for await (const b of repo.readTrainingRecords(m.model)) perModel.push(...b);
  return { bulk, perModel };
}
