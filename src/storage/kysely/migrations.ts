/**
 * The library's migrations, as code (they ship in the bundle): run through Kysely's `Migrator` with an in-code
 * provider, recorded in their own table `laser_trim_ml_migration` so they never mix with the host's migrations.
 * They create only the library's tables, add the result columns to the host's track table where absent and (SQLite)
 * one partial index on it (`laser_trim_ml_unapplied`, the tracks without a result); host data is never touched
 * otherwise.
 *
 * @module
 */
import * as kysely from 'kysely';
import { type Kysely, sql } from 'kysely';
import { SchemaMappingError, StorageError } from '../../core/errors.js';
import type { Engine } from './codec.js';
import { type AnyKysely, ddlTypes, detectEngine, tableColumns, untyped, transact } from './engine.js';
import { createLibraryTables, dropLibraryTables } from './library-tables.js';
import { RESULT_COLUMNS, type ResolvedSchema, type SchemaMapping, resolveSchema } from './mapping.js';

/** Options of {@link migrateToLatest} / {@link migrateDown}. */
export interface MigrationOptions {
  /** The host's table/column names (the result columns are added to the mapped track table). */
  readonly schema?: SchemaMapping;
}

/** What a migration run did. */
export interface MigrationReport {
  /** Names of the migrations run in this call (empty when already up to date). */
  readonly applied: string[];
}

/** Name of the table where Kysely records the library's migrations. */
export const MIGRATION_TABLE = 'laser_trim_ml_migration';

function resultColumnTypes(engine: Engine): Record<(typeof RESULT_COLUMNS)[number], ReturnType<typeof sql>> {
  const t = ddlTypes(engine);
  return {
    sigma_threshold: t.float,
    sigma_pass: t.bool,
    failure_probability: t.float,
    risk_category: sql`varchar(10)`,
    ml_model_version: t.text,
  };
}

/** One migration step, as Kysely's `Migrator` takes it (the shape of its `Migration` type). */
interface Migration {
  up(db: AnyKysely): Promise<void>;
  down?(db: AnyKysely): Promise<void>;
}

/** What the library uses of Kysely's `Migrator` (the same in kysely 0.28 and 0.29). */
interface MigratorLike {
  migrateToLatest(): Promise<MigrationResultSet>;
  migrateTo(target: unknown): Promise<MigrationResultSet>;
}
interface MigrationResultSet {
  readonly error?: unknown;
  readonly results?: readonly { migrationName: string; status: string }[];
}
interface MigrationModule {
  readonly Migrator: new (props: {
    db: AnyKysely;
    provider: { getMigrations(): Promise<Record<string, Migration>> };
    migrationTableName: string;
    migrationLockTableName: string;
  }) => MigratorLike;
  readonly NO_MIGRATIONS: unknown;
}

let migrationModule: Promise<MigrationModule> | undefined;

/**
 * Kysely's `Migrator`, from where the installed Kysely keeps it: the root entry up to 0.28, `kysely/migration` from
 * 0.29 on (whose root entry no longer exports it at run time). The subpath is imported by a computed name so that the
 * type check against 0.28, which has no such subpath, still passes; both versions are tested (CI's Node 22 run).
 */
function loadMigrationModule(): Promise<MigrationModule> {
  migrationModule ??= (async () => {
    const root = kysely as unknown as Partial<MigrationModule>;
    if (typeof root.Migrator === 'function' && root.NO_MIGRATIONS !== undefined) return root as MigrationModule;
    const subpath: string = 'kysely/migration';
    const mod = (await import(subpath)) as Partial<MigrationModule>;
    if (typeof mod.Migrator !== 'function' || mod.NO_MIGRATIONS === undefined) {
      throw new StorageError(
        'The installed kysely has no Migrator (neither in "kysely" nor in "kysely/migration"); install kysely >=0.28.19 <0.30.',
      );
    }
    return mod as MigrationModule;
  })();
  return migrationModule;
}

function migrations(schema: ResolvedSchema, engine: Engine): Record<string, Migration> {
  const trackTable = schema.tables.track_results;
  return {
    '0001_library_tables': {
      up: (db: AnyKysely) =>
        atomically(engine, db, async (db) => {
          const existing = await tableColumns(db, trackTable);
          if (existing === null) {
            throw new SchemaMappingError(
              `The track table "${trackTable}" does not exist. Map your own with schema.tables.track_results (the CLI: ` +
                '--schema mapping.json), or create the host tables first for a new database (createReferenceSchema(db); ' +
                'the CLI: laser-trim-ml migrate --reference-schema).',
            );
          }
          await createLibraryTables(db, engine);
          const types = resultColumnTypes(engine);
          for (const ref of RESULT_COLUMNS) {
            const col = schema.columns.track_results[ref];
            if (col === null || existing.includes(col)) continue;
            await db.schema.alterTable(trackTable).addColumn(col, types[ref]).execute();
            await db.insertInto('ml_schema_changes').values({ table_name: trackTable, column_name: col }).execute();
          }
        }),
      down: (db: AnyKysely) =>
        atomically(engine, db, async (db) => {
          // Remove only the columns this migration added, then the library's own tables.
          const added = await db.selectFrom('ml_schema_changes').select(['table_name', 'column_name']).execute();
          for (const row of added as { table_name: string; column_name: string }[]) {
            if ((await tableColumns(db, row.table_name))?.includes(row.column_name)) {
              await db.schema.alterTable(row.table_name).dropColumn(row.column_name).execute();
            }
          }
          await dropLibraryTables(db);
        }),
    },
    // Incremental apply (`applyToDatabase({ only: 'pending' })`) looks up the tracks with no result yet. On SQLite a
    // partial index holds just those (empty after an apply), so the lookup costs the new tracks, not the table. Not on
    // PostgreSQL: a column in an index predicate makes every update that changes it (each apply after a retrain
    // writes a new ml_model_version to every track) a non-HOT update of every index; there the lookup is a (parallel)
    // sequential scan.
    '0002_unapplied_index': {
      up: async (db: AnyKysely) => {
        if (engine !== 'sqlite') return;
        const id = schema.columns.track_results.id ?? 'id';
        const version = schema.columns.track_results.ml_model_version ?? 'ml_model_version';
        await sql`CREATE INDEX IF NOT EXISTS ${sql.id(UNAPPLIED_INDEX)} ON ${sql.table(trackTable)} (${sql.id(id)}) WHERE ${sql.id(version)} IS NULL`.execute(
          db,
        );
      },
      down: async (db: AnyKysely) => {
        if (engine !== 'sqlite') return;
        await sql`DROP INDEX IF EXISTS ${sql.id(UNAPPLIED_INDEX)}`.execute(db);
      },
    },
  };
}

/** The SQLite partial index of the tracks apply has not written (migration `0002_unapplied_index`). */
export const UNAPPLIED_INDEX = 'laser_trim_ml_unapplied';

/**
 * Runs a migration step in one transaction. Kysely's `Migrator` wraps each migration in one on PostgreSQL but not on
 * SQLite (its adapter declares no transactional DDL, yet SQLite has it), where a crash between adding a result
 * column and recording it would leave a column that `down` never removes: there the step opens its own.
 */
function atomically(engine: Engine, db: AnyKysely, step: (db: AnyKysely) => Promise<void>): Promise<void> {
  return engine === 'sqlite' ? transact(db, step) : step(db);
}

async function migrator(db: AnyKysely, options: MigrationOptions): Promise<{ m: MigratorLike; none: unknown }> {
  const engine = detectEngine(db);
  const list = migrations(resolveSchema(options.schema, engine), engine);
  const { Migrator, NO_MIGRATIONS } = await loadMigrationModule();
  const provider = { getMigrations: async () => list };
  const m = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
  });
  return { m, none: NO_MIGRATIONS };
}

async function run(what: string, go: () => Promise<MigrationResultSet>): Promise<MigrationReport> {
  const { error, results } = await go();
  if (error !== undefined) {
    if (error instanceof SchemaMappingError) throw error;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a thrown non-Error: its text is all there is
    const msg = error instanceof Error ? error.message : String(error);
    throw new StorageError(
      `laser-trim-ml ${what} failed: ${msg}. Nothing of the failed migration was kept (it runs in one transaction); fix the cause and run it again.`,
      {
        cause: error,
      },
    );
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Brings the library's tables up to date. Idempotent: a second call applies nothing. Same as `laser-trim-ml migrate`.
 *
 * @example
 * ```ts
 * await migrateToLatest(db);                                                   // reference names
 * await migrateToLatest(db, { schema: { tables: { track_results: 'tracks' } } }); // a host's own track table
 * ```
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, options: MigrationOptions = {}): Promise<MigrationReport> {
  const { m } = await migrator(untyped(db), options);
  return run('migrate', () => m.migrateToLatest());
}

/**
 * Reverts the library's migrations: drops its tables and the result columns it added (not ones the host already had).
 *
 * @example
 * ```ts
 * await migrateDown(db); // back to the host's schema as it was
 * ```
 */
export async function migrateDown<DB>(db: Kysely<DB>, options: MigrationOptions = {}): Promise<MigrationReport> {
  const { m, none } = await migrator(untyped(db), options);
  return run('migrate down', () => m.migrateTo(none));
}
