/**
 * Table and column names of the host database: the reference names by default, or the host's own names through a
 * {@link SchemaMapping}.
 *
 * @module
 */
import { SchemaMappingError } from '../../core/errors.js';

/** Reference column names of each host table (the keys a mapping renames). */
export const HOST_COLUMNS = {
  trim_results: ['id', 'model', 'serial', 'file_date', 'system'],
  track_results: [
    'id',
    'trim_result_id',
    'track_id',
    'status',
    'sigma_gradient',
    'linearity_spec',
    'linearity_error',
    'linearity_fail_points',
    'linearity_pass',
    'optimal_offset',
    'travel_length',
    'unit_length',
    'untrimmed_resistance',
    'trimmed_resistance',
    // Result columns written by apply (added by the migrations where absent).
    'sigma_threshold',
    'sigma_pass',
    'failure_probability',
    'risk_category',
    'ml_model_version',
  ],
  final_test_results: ['id', 'model', 'serial', 'test_date', 'linked_trim_id'],
  final_test_tracks: ['id', 'final_test_id', 'track_id', 'linearity_pass', 'fail_points', 'linearity_error'],
} as const;

/** A host table, by its reference name. */
export type HostTable = keyof typeof HOST_COLUMNS;
/** A column of a host table, by its reference name. */
export type HostColumn<T extends HostTable> = (typeof HOST_COLUMNS)[T][number];

/** The result columns apply writes to the track table. */
export const RESULT_COLUMNS = [
  'sigma_threshold',
  'sigma_pass',
  'failure_probability',
  'risk_category',
  'ml_model_version',
] as const satisfies readonly HostColumn<'track_results'>[];

/**
 * Columns a host may lack (map them to `null`): measurements are then read as NULL, and a missing
 * `final_test_results.linked_trim_id` switches Final Test linking to serial matching.
 */
export const OPTIONAL_COLUMNS: { readonly [T in HostTable]: readonly HostColumn<T>[] } = {
  trim_results: ['system'],
  track_results: [
    'status',
    'linearity_spec',
    'linearity_error',
    'linearity_fail_points',
    'linearity_pass',
    'optimal_offset',
    'travel_length',
    'unit_length',
    'untrimmed_resistance',
    'trimmed_resistance',
  ],
  final_test_results: ['linked_trim_id'],
  final_test_tracks: ['linearity_pass', 'fail_points', 'linearity_error'],
};

/**
 * Renames for a host whose schema differs from the reference schema. Keys are the reference names; values are the
 * host's names (`null` = the host has no such column; allowed for the `OPTIONAL_COLUMNS`).
 *
 * @example
 * ```ts
 * const schema: SchemaMapping = {
 *   tables: { trim_results: 'analysis_results' },
 *   columns: { track_results: { linearity_error: 'final_linearity_error_shifted' } },
 * };
 * ```
 */
export interface SchemaMapping {
  readonly tables?: { readonly [T in HostTable]?: string };
  readonly columns?: { readonly [T in HostTable]?: { readonly [C in HostColumn<T>]?: string | null } };
}

/** A mapping with every name resolved. */
export interface ResolvedSchema {
  readonly tables: { readonly [T in HostTable]: string };
  readonly columns: { readonly [T in HostTable]: { readonly [C in HostColumn<T>]: string | null } };
}

/** PostgreSQL's identifier limit (NAMEDATALEN − 1 bytes); a longer name is silently cut by the server. */
const PG_MAX_IDENTIFIER_BYTES = 63;

/**
 * Why `name` cannot be a table (or column) name on the engine, or `null` when it can. Every name is quoted in SQL, so
 * any characters are allowed but these: NUL and other control characters (no engine keeps them), blanks at either
 * end (a copy-paste slip that would name another table), and a dot where the engine cannot read it: a table name is
 * read as `schema.table` (Kysely's table references split at the dot), which PostgreSQL supports on purpose and
 * SQLite does not (its `a.b` names an attached database `a`); a column name never has one. PostgreSQL also cuts names
 * longer than 63 bytes.
 */
function identifierProblem(name: string, kind: 'table' | 'column', engine: 'sqlite' | 'postgres' | undefined): string | null {
  if (name.trim() === '') return 'it is empty';
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f]/u.test(name)) return 'it holds a control character (such as NUL or a line break)';
  if (name.trim() !== name) return 'it starts or ends with a blank';
  if (kind === 'column' && name.includes('.')) return 'a column name cannot contain a dot (rename the column, or map a view)';
  const parts = kind === 'table' ? name.split('.') : [name];
  if (kind === 'table' && parts.length > 1) {
    if (engine === 'sqlite')
      return 'SQLite table names cannot contain a dot here (`a.b` would name table b of an attached database a): rename the table, or map a view without a dot';
    if (parts.length > 2 || parts.some((p) => p === '' || p.trim() !== p)) return 'a qualified name must be exactly `schema.table`';
  }
  if (engine === 'postgres') {
    for (const p of parts) {
      if (Buffer.byteLength(p, 'utf8') > PG_MAX_IDENTIFIER_BYTES)
        return `PostgreSQL cuts identifiers at ${PG_MAX_IDENTIFIER_BYTES} bytes ("${p}" is longer)`;
    }
  }
  return null;
}

/**
 * Resolves a mapping against the reference names, rejecting unknown keys, `null` for a required column and names the
 * engine cannot use (a dot in a SQLite table name or in any column name, a control character, blanks at either end,
 * a PostgreSQL name over 63 bytes) with {@link SchemaMappingError}, at construction rather than mid-run (checks against
 * the live database happen in the adapters' validation). Without `engine`, the checks common to both engines.
 *
 * @example
 * ```ts
 * resolveSchema({ tables: { trim_results: 'analysis_results' } }).tables.trim_results; // 'analysis_results'
 * resolveSchema({ tables: { trim_results: 'plant.trim_results' } }, 'postgres');      // schema-qualified: allowed
 * resolveSchema({ tables: { trim_results: 'plant.trim_results' } }, 'sqlite');        // throws SchemaMappingError
 * ```
 */
export function resolveSchema(mapping: SchemaMapping = {}, engine?: 'sqlite' | 'postgres'): ResolvedSchema {
  const tables = {} as Record<HostTable, string>;
  const columns = {} as Record<HostTable, Record<string, string | null>>;
  for (const key of Object.keys(mapping.tables ?? {})) {
    if (!(key in HOST_COLUMNS)) {
      throw new SchemaMappingError(`Schema mapping: unknown table key "${key}". Use one of ${Object.keys(HOST_COLUMNS).join(', ')}.`);
    }
  }
  for (const table of Object.keys(HOST_COLUMNS) as HostTable[]) {
    const name = mapping.tables?.[table] ?? table;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new SchemaMappingError(`Schema mapping: table "${table}" must map to a non-empty table name.`);
    }
    const tableProblem = identifierProblem(name, 'table', engine);
    if (tableProblem !== null) {
      throw new SchemaMappingError(
        `Schema mapping: table "${table}" maps to ${JSON.stringify(name)}, which cannot be used: ${tableProblem}.`,
      );
    }
    tables[table] = name;
    const given = (mapping.columns?.[table] ?? {}) as Record<string, string | null | undefined>;
    const known: readonly string[] = HOST_COLUMNS[table];
    for (const key of Object.keys(given)) {
      if (!known.includes(key)) {
        throw new SchemaMappingError(`Schema mapping: unknown column key "${table}.${key}". Use one of ${known.join(', ')}.`);
      }
    }
    const optional: readonly string[] = OPTIONAL_COLUMNS[table];
    const resolved: Record<string, string | null> = {};
    for (const col of known) {
      const v = given[col];
      if (v === null && !optional.includes(col)) {
        throw new SchemaMappingError(
          `Schema mapping: column "${table}.${col}" is required and cannot be mapped to null; map it to the host's column name.`,
        );
      }
      if (v !== undefined && v !== null) {
        const problem = typeof v !== 'string' ? 'it is not a string' : identifierProblem(v, 'column', engine);
        if (problem !== null) {
          throw new SchemaMappingError(
            `Schema mapping: column "${table}.${col}" maps to ${JSON.stringify(v)}, which cannot be used: ${problem}.`,
          );
        }
      }
      resolved[col] = v === undefined ? col : v;
    }
    columns[table] = resolved;
  }
  return { tables, columns } as ResolvedSchema;
}
