/** Helpers for the SQL engine tests: raw reads of the result columns, fresh SQLite files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { StoredTrackResults } from '../../src/storage/memory/memory-host-data.js';
import type { RiskCategory } from '../../src/storage/repository.js';

type Raw = Record<string, unknown>;

function toStored(row: Raw | undefined): StoredTrackResults | undefined {
  if (row === undefined || row['ml_model_version'] === null) return undefined;
  const pass = row['sigma_pass'];
  return {
    sigmaThreshold: Number(row['sigma_threshold']),
    sigmaPass: pass === null ? null : pass === true || pass === 1,
    failureProbability: row['failure_probability'] === null ? null : Number(row['failure_probability']),
    riskCategory: row['risk_category'] as RiskCategory | null,
    mlModelVersion: String(row['ml_model_version']),
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
