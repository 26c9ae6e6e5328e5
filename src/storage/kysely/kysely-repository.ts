/**
 * The engine-independent part of the SQLite and PostgreSQL adapters: an {@link MLRepository} + {@link HostDataWriter}
 * over any Kysely instance, with the engine-specific bulk write and lock plugged in.
 *
 * @module
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DiskFullError, InvalidInputError, LaserTrimMLError, StorageError, diskFullOf } from '../../core/errors.js';
import type { HostDataWriter, LockHandle, MLRepository } from '../repository.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { DEFAULT_LOCK_TTL_MS, type FinalTestLinking, validateModelState, validateTrackResults } from '../options.js';
import type { Engine } from './codec.js';
import type { PgQuery, RepoContext } from './context.js';
import type { AnyKysely } from './engine.js';
import { transact } from './engine.js';
import {
  listModels,
  listModelsWithUnappliedTracks,
  readManyTrainingRecords,
  readManyTracksForApply,
  readTrainingRecords,
  readTracksForApply,
  readUnappliedTracks,
} from './host-reads.js';
import { insertFinalTests, insertTrimRuns } from './host-writer.js';
import { type LockConnection, PinnedSession, acquirePostgresLock, acquireRowLock } from './locks.js';
import { type SchemaMapping, resolveSchema } from './mapping.js';
import { migrateToLatest } from './migrations.js';
import { type LinkCounts } from '../linking/link-final-tests.js';
import { serialLinking } from './serial-linking.js';
import {
  acknowledge,
  insertAlerts,
  insertAlertsWithState,
  loadArtifact,
  putArtifactRow,
  selectAlerts,
  selectStates,
  updateDriftRows,
  upsertState,
} from './state-store.js';
import { type SchemaFacts, validateSchema } from './validate.js';
import { writeWithStatement, writeWithUnnest, writeWithValues } from './bulk-update.js';

/** Free space below which a failed SQLite commit is read as a full disk. */
const LOW_DISK_BYTES = 1024 * 1024;

/** Free bytes on the file system of `file` (Infinity when it cannot be told). */
async function freeBytes(file: string): Promise<number> {
  try {
    const s = await statfs(dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

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
   * Links one model's Final Test tracks by the configured rule (`linkFinalTests`) and returns the counts (linked by `linked_trim_id`, by
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
  let schema: ReturnType<typeof resolveSchema>;
  try {
    schema = resolveSchema(options.schema, input.engine);
  } catch (e) {
    await input.destroy?.();
    throw e;
  }
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

  /** Where the data lives, for a disk-full message: the SQLite file, or the PostgreSQL database. */
  const place = async (): Promise<string | null> => {
    try {
      if (input.sqliteHandle !== undefined) return input.sqliteHandle.name;
      if (input.engine === 'sqlite') {
        const r = await sql<{ file: string }>`SELECT file FROM pragma_database_list WHERE name = 'main'`.execute(input.db);
        return r.rows[0]?.file || null;
      }
      const r = await sql<{ db: string }>`SELECT current_database() AS db`.execute(input.db);
      return r.rows[0] === undefined ? null : `the PostgreSQL server of database "${r.rows[0].db}"`;
    } catch {
      return null; // the message then says "the database"; the disk-full error itself is what matters
    }
  };
  /** A write whose driver error says the disk is full fails with a {@link DiskFullError} naming the place. */
  const guard =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } catch (e) {
        if (diskFullOf(e, null) === null) {
          // A commit that SQLite rolled back itself leaves only Kysely's failed ROLLBACK: a full file system is then
          // told by its free space.
          if (input.engine === 'sqlite' && /cannot rollback - no transaction is active/u.test((e as Error | null)?.message ?? '')) {
            const file = await place();
            if (file !== null && (await freeBytes(file)) < LOW_DISK_BYTES) throw new DiskFullError(file, { cause: e });
          }
          throw e;
        }
        // ENOSPC comes from the file artifact store (the database reports its own codes).
        const full = diskFullOf(e, null)!;
        throw new DiskFullError(
          (full.cause as { code?: unknown } | undefined)?.code === 'ENOSPC' ? 'the artifact directory' : await place(),
          { cause: e },
        );
      }
    };

  return {
    engine: input.engine,
    listModels: () => listModels(ctx),
    readTrainingRecords: (model, opts) => readTrainingRecords(ctx, model, opts),
    readManyTrainingRecords: (models, opts) => readManyTrainingRecords(ctx, models, opts),
    readTracksForApply: (model, opts) => readTracksForApply(ctx, model, opts),
    readManyTracksForApply: (models, opts) => readManyTracksForApply(ctx, models, opts),
    listModelsWithUnappliedTracks: () => listModelsWithUnappliedTracks(ctx),
    readUnappliedTracks: (models, opts) => readUnappliedTracks(ctx, models, opts),
    writeTrackResults: guard(async (batch) => {
      validateTrackResults(batch);
      if (batch.length === 0) return;
      const handle = input.sqliteHandle;
      if (handle !== undefined) {
        // Hold Kysely's connection mutex so no Kysely transaction interleaves with the raw one.
        await input.db.connection().execute(async () => writeWithStatement(ctx, handle, batch));
        return;
      }
      await transact(input.db, (trx) =>
        input.engine === 'postgres' ? writeWithUnnest(ctx, trx, batch) : writeWithValues(ctx, trx, batch),
      );
    }),
    saveModel: guard(async (state, artifacts) => {
      validateModelState(state.model, state);
      if (store !== undefined) for (const a of artifacts) await store.save(a);
      await transact(input.db, async (trx) => {
        await upsertState(ctx, trx, state);
        if (store === undefined) for (const a of artifacts) await putArtifactRow(trx, a);
      });
    }),
    saveArtifact: guard(async (artifact) => {
      if (store !== undefined) await store.save(artifact);
      else await putArtifactRow(input.db, artifact);
    }),
    updateDriftState: guard((model, drift) => updateDriftRows(ctx, [{ model, drift }])),
    updateDriftStates: guard((updates) => updateDriftRows(ctx, updates)),
    loadModelState: async (model) => (await selectStates(ctx, model))[0] ?? null,
    listModelStates: () => selectStates(ctx),
    loadArtifact: (model, kind, version) => loadArtifact(ctx, store, model, kind, version),
    saveDriftAlerts: guard((alerts) => insertAlerts(ctx, alerts)),
    saveDriftAlertsAndState: guard((alerts, update) => insertAlertsWithState(ctx, alerts, update)),
    listDriftAlerts: (filter) => selectAlerts(ctx, filter),
    acknowledgeDriftAlert: (id) => acknowledge(ctx, id),
    acquireLock: guard(async (name, owner): Promise<LockHandle> => {
      const lock =
        input.engine === 'postgres'
          ? await acquirePostgresLock(
              ctx,
              name,
              owner,
              input.openLockConnection ? { open: input.openLockConnection } : { session: (pinned ??= new PinnedSession(input.db)) },
            )
          : await acquireRowLock(ctx, name, owner, ttl, options.onLockTakeover);
      held.add(lock);
      return {
        ...(lock.lost === undefined ? {} : { lost: lock.lost }),
        release: guard(async () => {
          held.delete(lock);
          await lock.release();
        }),
      };
    }),
    insertTrimRuns: guard((runs) => insertTrimRuns(ctx, runs)),
    insertFinalTests: guard((tests) => insertFinalTests(ctx, tests)),
    finalTestLinkCounts: async (model) => (await serialLinking(ctx, model)).counts,
    async close() {
      // Locks still held are released first (a pinned PostgreSQL connection would otherwise keep the pool open).
      for (const lock of [...held]) await lock.release().catch(() => undefined);
      held.clear();
      await input.destroy?.();
    },
  };
}
