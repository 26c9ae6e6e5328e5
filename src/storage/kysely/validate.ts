/**
 * Checks a database against the mapping before the repository is used, so a wrong name fails at construction with a
 * message naming it, not in the middle of a training run.
 *
 * @module
 */
import { SchemaMappingError, SchemaMissingError } from '../../core/errors.js';
import { type AnyKysely, allTables } from './engine.js';
import { LIBRARY_TABLES } from './library-tables.js';
import { HOST_COLUMNS, type HostTable, RESULT_COLUMNS, type ResolvedSchema } from './mapping.js';

const MIGRATE_HINT = 'Run the migrations first: `npx laser-trim-ml migrate` or `await migrateToLatest(db, { schema })`.';

/** What validation learnt about the host's columns. */
export interface SchemaFacts {
  /** The data type of the trim runs' date column, as the engine names it (`timestamptz`, `timestamp`, `text`, …). */
  readonly fileDateType: string | null;
}

/**
 * Throws {@link SchemaMappingError} for a missing host table or column (naming it and the mapping key), then
 * {@link SchemaMissingError} when the library's tables or the result columns are absent.
 */
export async function validateSchema(db: AnyKysely, schema: ResolvedSchema): Promise<SchemaFacts> {
  const tables = await allTables(db);
  const results: readonly string[] = RESULT_COLUMNS;
  for (const table of Object.keys(HOST_COLUMNS) as HostTable[]) {
    const name = schema.tables[table];
    const cols = tables.get(name);
    if (cols === undefined) {
      throw new SchemaMappingError(
        `Table "${name}" (for ${table}) does not exist. Map your table with schema.tables.${table} (the CLI: ` +
          '--schema mapping.json), or create the reference tables for a new database (createReferenceSchema(db); ' +
          'the CLI: laser-trim-ml migrate --reference-schema).',
      );
    }
    for (const [ref, actual] of Object.entries<string | null>(schema.columns[table])) {
      if (actual === null || (table === 'track_results' && results.includes(ref))) continue;
      if (!cols.has(actual)) {
        throw new SchemaMappingError(
          `Column "${name}.${actual}" (for ${table}.${ref}) does not exist. Map it with schema.columns.${table}.${ref}` +
            ` to one of: ${[...cols.keys()].join(', ')}.`,
        );
      }
    }
  }
  const missing = LIBRARY_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw new SchemaMissingError(`The library's tables are missing (${missing.join(', ')}). ${MIGRATE_HINT}`);
  }
  const trackCols = tables.get(schema.tables.track_results) ?? new Map<string, string>();
  const absent = RESULT_COLUMNS.map((c) => schema.columns.track_results[c]).filter((c): c is string => c !== null && !trackCols.has(c));
  if (absent.length > 0) {
    throw new SchemaMissingError(
      `The result columns ${absent.join(', ')} are missing on "${schema.tables.track_results}". ${MIGRATE_HINT}`,
    );
  }
  const fileDate = schema.columns.trim_results.file_date;
  return { fileDateType: fileDate === null ? null : (tables.get(schema.tables.trim_results)?.get(fileDate) ?? null) };
}
