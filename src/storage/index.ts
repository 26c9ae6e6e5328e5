/**
 * Storage: the repository interface, the in-memory repository, the SQLite / PostgreSQL adapters with their
 * reference schema, migrations and schema mapping, Final Test linking and the file artifact store.
 *
 * @module
 */
export * from './repository.js';
export { type FinalTestLinking, DEFAULT_BATCH_SIZE, DEFAULT_GROUP_ROWS, DEFAULT_LOCK_TTL_MS } from './options.js';
export { createMemoryRepository, type MemoryRepository, type MemoryRepositoryOptions } from './memory/memory-repository.js';
export type { StoredTrackResults } from './memory/memory-host-data.js';
export { normalizeSerial } from './linking/serial.js';
export {
  linkFinalTests,
  type FinalTestLink,
  type LinkCounts,
  type LinkMethod,
  type LinkOptions,
  type LinkableFinalTestTrack,
  type LinkableTrimTrack,
} from './linking/link-final-tests.js';
export type { ArtifactStore } from './artifacts/artifact-store.js';
export { createFileArtifactStore, encodeFileName } from './artifacts/file-artifact-store.js';
export {
  HOST_COLUMNS,
  OPTIONAL_COLUMNS,
  RESULT_COLUMNS,
  resolveSchema,
  type HostColumn,
  type HostTable,
  type ResolvedSchema,
  type SchemaMapping,
} from './kysely/mapping.js';
export { type Engine } from './kysely/codec.js';
export { detectEngine } from './kysely/engine.js';
export { LIBRARY_TABLES } from './kysely/library-tables.js';
export { createReferenceSchema } from './kysely/reference-schema.js';
export { MIGRATION_TABLE, migrateDown, migrateToLatest, type MigrationOptions, type MigrationReport } from './kysely/migrations.js';
export { type KyselyRepository, type KyselyRepositoryOptions } from './kysely/kysely-repository.js';
export { createSqliteRepository, type SqliteSource } from './kysely/sqlite.js';
export { createPostgresRepository, type PostgresSource } from './kysely/postgres.js';
