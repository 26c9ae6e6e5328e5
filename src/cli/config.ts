/**
 * Where the CLI finds the database and the schema mapping: `--db` / `--schema` on the command line, else the config
 * file (`--config <file>`, or `./laser-trim-ml.config.json` when it exists), else the defaults. The mapping is
 * checked with the API's own validation ({@link resolveSchema}: the same {@link SchemaMappingError}s as
 * `createSqliteRepository(…, { schema })`), before any database is opened.
 *
 * The config file is JSON: `{ "db": "./plant.db", "schema": { "tables": { … }, "columns": { … } } }`, where
 * `schema` may also be the path of a mapping file (relative to the config file). Both keys are optional.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidInputError, SchemaMappingError } from '../core/errors.js';
import { HOST_COLUMNS, type SchemaMapping, resolveSchema } from '../storage/kysely/mapping.js';
import { CONFIG_FILE, type CliArgs } from './args.js';

/** The database and mapping a command works on, and where they came from. */
export interface CliTarget {
  readonly db: string;
  readonly schema: SchemaMapping | undefined;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
}

function readJson(file: string, what: string, fail: (message: string) => Error): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(`${what} ${file} cannot be read (${code === 'ENOENT' ? 'no such file' : (e as Error).message}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw fail(`${what} ${file} is not valid JSON: ${(e as Error).message}.`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that a parsed JSON value has the shape of a {@link SchemaMapping} (objects of names), then resolves it with
 * the API's {@link resolveSchema} (unknown keys, `null` for a required column). Throws {@link SchemaMappingError}.
 */
export function checkSchemaMapping(value: unknown, source: string): SchemaMapping {
  const bad = (msg: string): SchemaMappingError => new SchemaMappingError(`Schema mapping (${source}): ${msg}`);
  if (!isObject(value)) throw bad('must be a JSON object with "tables" and/or "columns".');
  for (const key of Object.keys(value)) {
    if (key !== 'tables' && key !== 'columns') throw bad(`unknown key "${key}"; use "tables" and "columns".`);
  }
  const { tables, columns } = value;
  if (tables !== undefined) {
    if (!isObject(tables)) throw bad('"tables" must be an object of reference table name -> your table name.');
    for (const [k, v] of Object.entries(tables)) if (typeof v !== 'string') throw bad(`tables.${k} must be a table name (a string).`);
  }
  if (columns !== undefined) {
    if (!isObject(columns)) throw bad('"columns" must be an object of reference table name -> { reference column -> your column }.');
    for (const [t, cols] of Object.entries(columns)) {
      if (!(t in HOST_COLUMNS)) throw bad(`unknown table key "columns.${t}". Use one of ${Object.keys(HOST_COLUMNS).join(', ')}.`);
      if (!isObject(cols)) throw bad(`columns.${t} must be an object of reference column -> your column name (or null).`);
      for (const [c, v] of Object.entries(cols)) {
        if (typeof v !== 'string' && v !== null) throw bad(`columns.${t}.${c} must be a column name (a string) or null.`);
      }
    }
  }
  const mapping = value as SchemaMapping;
  try {
    resolveSchema(mapping);
  } catch (e) {
    if (e instanceof SchemaMappingError) throw new SchemaMappingError(`${e.message} (in ${source})`, { cause: e });
    throw e;
  }
  return mapping;
}

/** Reads and checks a mapping file (`--schema`). */
export function readSchemaFile(file: string): SchemaMapping {
  return checkSchemaMapping(
    readJson(file, 'The schema mapping file', (m) => new SchemaMappingError(m)),
    file,
  );
}

/**
 * Resolves the database and mapping of a command. `defaultDb` applies when neither `--db` nor the config file names
 * one. With `useConfig: false` (demo) no config file is read.
 */
export function resolveTarget(args: CliArgs, defaultDb: string, options: { cwd?: string; useConfig?: boolean } = {}): CliTarget {
  const cwd = options.cwd ?? process.cwd();
  let configFile: string | undefined;
  let config: Record<string, unknown> = {};
  if (options.useConfig !== false) {
    const explicit = args.config !== undefined;
    const file = resolve(cwd, args.config ?? CONFIG_FILE);
    if (explicit || existsSync(file)) {
      const value = readJson(file, 'The config file', (m) => new InvalidInputError(m));
      if (!isObject(value)) throw new InvalidInputError(`The config file ${file} must be a JSON object with "db" and/or "schema".`);
      for (const key of Object.keys(value)) {
        if (key !== 'db' && key !== 'schema')
          throw new InvalidInputError(`The config file ${file}: unknown key "${key}"; it takes "db" and "schema".`);
      }
      if (value['db'] !== undefined && (typeof value['db'] !== 'string' || value['db'] === '')) {
        throw new InvalidInputError(`The config file ${file}: "db" must be a SQLite file path or a postgres:// URL.`);
      }
      config = value;
      configFile = file;
    }
  }
  let schema: SchemaMapping | undefined;
  if (args.schema !== undefined) schema = readSchemaFile(resolve(cwd, args.schema));
  else if (typeof config['schema'] === 'string') schema = readSchemaFile(resolve(dirname(configFile!), config['schema']));
  else if (config['schema'] !== undefined) schema = checkSchemaMapping(config['schema'], `"schema" of ${configFile!}`);
  const configDb = config['db'] as string | undefined;
  // A relative SQLite path in the config file is relative to the config file, as its schema path is.
  const db =
    args.db ??
    (configDb !== undefined && !/^postgres(ql)?:\/\//i.test(configDb) ? resolve(dirname(configFile!), configDb) : configDb) ??
    defaultDb;
  return { db, schema, configFile };
}
