/**
 * The engine-independent part of the SQLite and PostgreSQL adapters: an {@link MLRepository} + {@link HostDataWriter}
 * over any Kysely instance, with the engine-specific bulk write and lock plugged in.
 *
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import { InvalidInputError, LaserTrimMLError, StorageError } from '../../core/errors.js';
import type { HostDataWriter, LockHandle, MLRepository } from '../repository.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { DEFAULT_LOCK_TTL_MS, type FinalTestLinking, validateModelState, validateTrackResults } from '../options.js';
import type { Engine } from './codec.js';
import type { PgQuery, RepoContext } from './context.js';
import type { AnyKysely } from './engine.js';
import { listModels, readManyTrainingRecords, readManyTracksForApply, readTrainingRecords, readTracksForApply } from './host-reads.js';
import { insertFinalTests, insertTrimRuns } from './host-writer.js';
import { type LockConnection, PinnedSession, acquirePostgresLock, acquireRowLock } from './locks.js';
import { type SchemaMapping, resolveSchema } from './mapping.js';
import { migrateToLatest } from './migrations.js';
import { type LinkCounts } from '../linking/link-final-tests.js';
import { serialLinking } from './serial-linking.js';
import { acknowledge, insertAlerts, loadArtifact, putArtifactRow, selectAlerts, selectStates, updateDriftRows, upsertState } from './state-store.js';
import { type SchemaFacts, validateSchema } from './validate.js';
import { writeWithStatement, writeWithUnnest, writeWithValues } from './bulk-update.js';

/** Options shared by {@link createSqliteRepository} and {@link createPostgresRepository}. */
export interface KyselyRepositoryOptions {
  /** The host's table / column names where they differ from the reference schema. */
  readonly schema?: SchemaMapping;
  /**
   * How Final Test tracks find their trim track. Default: `linkedTrimId` when the host has that column, `serial`
   * when it is mapped to `null`.
   */
  readonly finalTestLinking?: FinalTestLinking;
  /** Keep artifacts here instead of the `ml_artifacts` table (e.g. {@link createFileArtifactStore}). */
  readonly artifacts?: ArtifactStore;
  /** Run the migrations when opening (convenient for demos and new databases). Default `false`. */
  readonly migrate?: boolean;
  /** SQLite lock row lifetime, renewed by a heartbeat every third of it. Default 60,000 ms. */
  readonly lockTtlMs?: number;
  /**
   * SQLite: called with one line when a train/apply lock is taken over from a holder on this host whose process is
   * gone (killed or crashed), instead of waiting for its lease to expire. Default: nothing is printed.
   */
  readonly onLockTakeover?: (message: string) => void;
}

/** A Kysely-backed repository: both interfaces, plus Final Test linking counts. */
export interface KyselyRepository extends MLRepository, HostDataWriter {
  /** The engine behind it. */
  readonly engine: Engine;
  /**
   * Links one model's Final Test tracks by the configured rule ({@link linkFinalTests}) and returns the counts (linked by `linked_trim_id`, by
   * serial, unmatched). Read-only: links are computed on the fly, never written to host tables.
   */
  finalTestLinkCounts(model: string): Promise<LinkCounts>;
}

/** Internal: what a factory hands to {@link openKyselyRepository}. */
export interface KyselyOpenInput {
  readonly db: AnyKysely;
  readonly engine: Engine;
  /** The repository's own better-sqlite3 handle (SQLite, `{ file }` only): enables the prepared-statement bulk path. */
  readonly sqliteHandle?: BetterSqlite3.Database;
  /** The repository's own pg pool (PostgreSQL, `{ connectionString }` only): named prepared statements, array rows. */
  readonly pgQuery?: PgQuery;
  /** Opens a dedicated connection for the PostgreSQL advisory lock (own-pool case). */
  readonly openLockConnection?: () => Promise<LockConnection>;
  /** Destroys what the factory opened; `undefined` for a host-provided instance (close() leaves it open). */
  readonly destroy?: () => Promise<void>;
}

/** Internal: validates (after migrating if asked) and returns the repository. */
export async function openKyselyRepository(input: KyselyOpenInput, options: KyselyRepositoryOptions): Promise<KyselyRepository> {
  const schema = resolveSchema(options.schema);
  const hasLink = schema.columns.final_test_results.linked_trim_id !== null;
  const linking = options.finalTestLinking ?? (hasLink ? 'linkedTrimId' : 'serial');
  if (linking === 'linkedTrimId' && !hasLink) {
    throw new InvalidInputError('finalTestLinking "linkedTrimId" needs final_test_results.linked_trim_id; use "serial" linking.');
  }
  const store = options.artifacts;
  const ttl = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  const held = new Set<LockHandle>();
  // PostgreSQL through a host's pool: the connection the advisory locks share while any is held.
  let pinned: PinnedSession | undefined;
  let facts: SchemaFacts;
  try {
    if (options.migrate === true) await migrateToLatest(input.db, { schema: options.schema ?? {} });
    facts = await validateSchema(input.db, schema);
  } catch (e) {
    await input.destroy?.();
    if (e instanceof LaserTrimMLError) throw e;
    throw new StorageError(
      `Could not open the ${input.engine} database: ${(e as Error).message}. ` +
        (input.engine === 'postgres'
          ? 'Check the connection string (host, port, database, user, password) and that the server is running.'
          : "Check that the file is the app's SQLite database and that it is readable and writable."),
      { cause: e },
    );
  }
  const ctx: RepoContext = {
    db: input.db,
    engine: input.engine,
    schema,
    linking,
    ...(input.sqliteHandle ? { sqliteHandle: input.sqliteHandle } : {}),
    ...(input.pgQuery ? { pgQuery: input.pgQuery } : {}),
    ...(input.engine === 'postgres' || input.sqliteHandle !== undefined ? { jsonGroups: true } : {}),
    nativeFileDates: input.engine === 'postgres' && ['timestamptz', 'timestamp', 'date'].includes(facts.fileDateType ?? ''),
  };

  return {
    engine: input.engine,
    listModels: () => listModels(ctx),
    readTrainingRecords: (model, opts) => readTrainingRecords(ctx, model, opts),
    readManyTrainingRecords: (models, opts) => readManyTrainingRecords(ctx, models, opts),
    readTracksForApply: (model, opts) => readTracksForApply(ctx, model, opts),
    readManyTracksForApply: (models, opts) => readManyTracksForApply(ctx, models, opts),
    async writeTrackResults(batch) {
      validateTrackResults(batch);
      if (batch.length === 0) return;
      const handle = input.sqliteHandle;
      if (handle !== undefined) {
        // Hold Kysely's connection mutex so no Kysely transaction interleaves with the raw one.
        await input.db.connection().execute(async () => writeWithStatement(ctx, handle, batch));
        return;
      }
      await input.db.transaction().execute((trx) =>
        input.engine === 'postgres' ? writeWithUnnest(ctx, trx, batch) : writeWithValues(ctx, trx, batch),
      );
    },
    async saveModel(state, artifacts) {
      validateModelState(state.model, state);
      if (store !== undefined) for (const a of artifacts) await store.save(a);
      await input.db.transaction().execute(async (trx) => {
        await upsertState(ctx, trx, state);
        if (store === undefined) for (const a of artifacts) await putArtifactRow(trx, a);
      });
    },
    async saveArtifact(artifact) {
      if (store !== undefined) await store.save(artifact);
      else await putArtifactRow(input.db, artifact);
    },
    updateDriftState: (model, drift) => updateDriftRows(ctx, [{ model, drift }]),
    updateDriftStates: (updates) => updateDriftRows(ctx, updates),
    loadModelState: async (model) => (await selectStates(ctx, model))[0] ?? null,
    listModelStates: () => selectStates(ctx),
    loadArtifact: (model, kind, version) => loadArtifact(ctx, store, model, kind, version),
    saveDriftAlerts: (alerts) => insertAlerts(ctx, alerts),
    listDriftAlerts: (filter) => selectAlerts(ctx, filter),
    acknowledgeDriftAlert: (id) => acknowledge(ctx, id),
    async acquireLock(name, owner): Promise<LockHandle> {
      const lock =
        input.engine === 'postgres'
          ? await acquirePostgresLock(ctx, name, owner, input.openLockConnection ? { open: input.openLockConnection } : { session: (pinned ??= new PinnedSession(input.db)) })
          : await acquireRowLock(ctx, name, owner, ttl, options.onLockTakeover);
      held.add(lock);
      return {
        ...(lock.lost === undefined ? {} : { lost: lock.lost }),
        release: async () => {
          held.delete(lock);
          await lock.release();
        },
      };
    },
    insertTrimRuns: (runs) => insertTrimRuns(ctx, runs),
    insertFinalTests: (tests) => insertFinalTests(ctx, tests),
    finalTestLinkCounts: async (model) => (await serialLinking(ctx, model)).counts,
    async close() {
      // Locks still held are released first (a pinned PostgreSQL connection would otherwise keep the pool open).
      for (const lock of [...held]) await lock.release().catch(() => undefined);
      held.clear();
      await input.destroy?.();
    },
  };
}
