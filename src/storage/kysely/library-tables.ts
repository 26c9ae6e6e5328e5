/**
 * DDL of the library's own tables (created by the migrations, never by hand).
 *
 * - `model_ml_state`: every column of the design's table, plus `label_source`, `state_version`, `components_json`,
 *   `last_error`.
 * - `ml_artifacts`: larger objects of a model (the forest JSON), one row per (model, kind).
 * - `drift_alerts`: one row per drift episode, unique per (model, direction, onset_date).
 * - `ml_locks`: the holder of the train / apply lock (PostgreSQL: for the error message; SQLite: the lock itself).
 * - `ml_schema_changes`: result columns the migration added to the host's track table (so `down` removes only those).
 *
 * @module
 */
import { sql } from 'kysely';
import type { Engine } from './codec.js';
import { type AnyKysely, ddlTypes } from './engine.js';

/** The library's tables, in creation order. */
export const LIBRARY_TABLES = ['model_ml_state', 'ml_artifacts', 'drift_alerts', 'ml_locks', 'ml_schema_changes'] as const;

/** Creates the library's tables (if absent). */
export async function createLibraryTables(db: AnyKysely, engine: Engine): Promise<void> {
  const t = ddlTypes(engine);
  await db.schema
    .createTable('model_ml_state')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('model', t.text, (c) => c.notNull().unique())
    .addColumn('is_trained', t.bool, (c) => c.notNull().defaultTo(engine === 'postgres' ? sql`false` : 0))
    .addColumn('training_date', t.date)
    .addColumn('training_samples', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('trim_samples', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('final_test_samples', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('sigma_threshold', t.float)
    .addColumn('threshold_confidence', t.float)
    .addColumn('predictor_accuracy', t.float)
    .addColumn('predictor_precision', t.float)
    .addColumn('predictor_recall', t.float)
    .addColumn('predictor_f1', t.float)
    .addColumn('predictor_auc', t.float)
    .addColumn('feature_importance', t.text)
    .addColumn('sigma_mean', t.float)
    .addColumn('sigma_std', t.float)
    .addColumn('sigma_p5', t.float)
    .addColumn('sigma_p50', t.float)
    .addColumn('sigma_p95', t.float)
    .addColumn('error_mean', t.float)
    .addColumn('error_std', t.float)
    .addColumn('pass_rate', t.float)
    .addColumn('fail_rate', t.float)
    .addColumn('avg_fail_points', t.float)
    .addColumn('track_correlation', t.float)
    .addColumn('spec_margin', t.float)
    .addColumn('difficulty_score', t.float)
    .addColumn('drift_baseline_mean', t.float)
    .addColumn('drift_baseline_std', t.float)
    .addColumn('drift_baseline_p95', t.float)
    .addColumn('cusum_pos', t.float, (c) => c.notNull().defaultTo(0))
    .addColumn('cusum_neg', t.float, (c) => c.notNull().defaultTo(0))
    .addColumn('ewma_value', t.float)
    .addColumn('is_drifting', t.bool, (c) => c.notNull().defaultTo(engine === 'postgres' ? sql`false` : 0))
    .addColumn('drift_direction', sql`varchar(10)`)
    .addColumn('label_source', sql`varchar(20)`)
    .addColumn('state_version', t.text, (c) => c.notNull())
    .addColumn('components_json', t.text, (c) => c.notNull())
    .addColumn('last_error', t.text)
    .addColumn('created_date', t.date, (c) => c.notNull())
    .addColumn('updated_date', t.date, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ml_artifacts')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('model', t.text, (c) => c.notNull())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('version', t.text, (c) => c.notNull())
    .addColumn('content', t.text, (c) => c.notNull())
    .addColumn('created_date', t.date, (c) => c.notNull())
    .addUniqueConstraint('ml_artifacts_model_kind_unique', ['model', 'kind'])
    .execute();

  await db.schema
    .createTable('drift_alerts')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('model', t.text, (c) => c.notNull())
    .addColumn('direction', sql`varchar(10)`, (c) => c.notNull())
    .addColumn('onset_date', t.date, (c) => c.notNull())
    .addColumn('detected_date', t.date, (c) => c.notNull())
    .addColumn('size_sigma', t.float, (c) => c.notNull())
    .addColumn('statistic', sql`varchar(10)`, (c) => c.notNull())
    .addColumn('acknowledged', t.bool, (c) => c.notNull().defaultTo(engine === 'postgres' ? sql`false` : 0))
    .addColumn('created_date', t.date, (c) => c.notNull())
    .addUniqueConstraint('drift_alerts_episode_unique', ['model', 'direction', 'onset_date'])
    .execute();

  await db.schema
    .createTable('ml_locks')
    .ifNotExists()
    .addColumn('name', t.text, (c) => c.primaryKey())
    .addColumn('holder', t.text, (c) => c.notNull())
    .addColumn('token', t.text, (c) => c.notNull())
    .addColumn('acquired_at', t.bigint, (c) => c.notNull())
    .addColumn('expires_at', t.bigint, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ml_schema_changes')
    .ifNotExists()
    .addColumn('table_name', t.text, (c) => c.notNull())
    .addColumn('column_name', t.text, (c) => c.notNull())
    .addPrimaryKeyConstraint('ml_schema_changes_pk', ['table_name', 'column_name'])
    .execute();
}

/** Drops the library's tables (if present), in reverse order. */
export async function dropLibraryTables(db: AnyKysely): Promise<void> {
  for (const table of [...LIBRARY_TABLES].reverse()) await db.schema.dropTable(table).ifExists().execute();
}
