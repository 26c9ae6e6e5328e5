/**
 * The reference host schema: the four tables a trim-analysis app keeps, for demos, tests and new users. Existing
 * hosts keep their own tables and describe them with a {@link SchemaMapping} instead.
 *
 * @module
 */
import { type Kysely, sql } from 'kysely';
import { ddlTypes, detectEngine, untyped } from './engine.js';

/**
 * Creates the reference host tables (if absent) with their indexes: `trim_results`, `track_results` (including the
 * result columns apply writes), `final_test_results`, `final_test_tracks`. Run the migrations afterwards for the
 * library's own tables.
 *
 * @example
 * ```ts
 * const db = new Kysely({ dialect: new SqliteDialect({ database: new Database('plant.db') }) });
 * await createReferenceSchema(db);
 * await migrateToLatest(db);
 * ```
 */
export async function createReferenceSchema<DB>(host: Kysely<DB>): Promise<void> {
  const db = untyped(host);
  const t = ddlTypes(detectEngine(host));
  await db.schema
    .createTable('trim_results')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('model', t.text, (c) => c.notNull())
    .addColumn('serial', t.text, (c) => c.notNull())
    .addColumn('file_date', t.date, (c) => c.notNull())
    .addColumn('system', sql`varchar(10)`)
    .execute();
  await db.schema
    .createTable('track_results')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('trim_result_id', t.int, (c) => c.notNull().references('trim_results.id').onDelete('cascade'))
    .addColumn('track_id', t.text, (c) => c.notNull())
    .addColumn('status', sql`varchar(20)`)
    .addColumn('sigma_gradient', t.float)
    .addColumn('linearity_spec', t.float)
    .addColumn('linearity_error', t.float)
    .addColumn('linearity_fail_points', t.int)
    .addColumn('linearity_pass', t.bool)
    .addColumn('optimal_offset', t.float)
    .addColumn('travel_length', t.float)
    .addColumn('unit_length', t.float)
    .addColumn('untrimmed_resistance', t.float)
    .addColumn('trimmed_resistance', t.float)
    .addColumn('sigma_threshold', t.float)
    .addColumn('sigma_pass', t.bool)
    .addColumn('failure_probability', t.float)
    .addColumn('risk_category', sql`varchar(10)`)
    .addColumn('ml_model_version', t.text)
    .execute();
  await db.schema
    .createTable('final_test_results')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('model', t.text, (c) => c.notNull())
    .addColumn('serial', t.text, (c) => c.notNull())
    .addColumn('test_date', t.date, (c) => c.notNull())
    .addColumn('linked_trim_id', t.int, (c) => c.references('trim_results.id').onDelete('set null'))
    .execute();
  await db.schema
    .createTable('final_test_tracks')
    .ifNotExists()
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('final_test_id', t.int, (c) => c.notNull().references('final_test_results.id').onDelete('cascade'))
    .addColumn('track_id', t.text, (c) => c.notNull())
    .addColumn('linearity_pass', t.bool)
    .addColumn('fail_points', t.int)
    .addColumn('linearity_error', t.float)
    .execute();
  // The access paths of the library's reads: per model by date, tracks by run, FT by linked trim / by serial.
  const indexes: [string, string, string[]][] = [
    ['trim_results_model_date_idx', 'trim_results', ['model', 'file_date', 'id']],
    ['track_results_trim_idx', 'track_results', ['trim_result_id']],
    ['final_test_results_linked_idx', 'final_test_results', ['linked_trim_id']],
    ['final_test_results_model_serial_idx', 'final_test_results', ['model', 'serial']],
    ['final_test_tracks_test_idx', 'final_test_tracks', ['final_test_id']],
  ];
  for (const [name, table, cols] of indexes) {
    await db.schema.createIndex(name).ifNotExists().on(table).columns(cols).execute();
  }
  if (detectEngine(host) === 'postgres') {
    // Apply rewrites the result columns of every track: free space on each page lets PostgreSQL update them in place
    // (HOT updates, no new index entries): faster writes at fillfactor 70 (docs/benchmarks.md).
    await sql`ALTER TABLE ${sql.table('track_results')} SET (fillfactor = 70)`.execute(db);
  }
}
