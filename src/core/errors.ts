/**
 * Typed errors. Every error the library throws on purpose is a {@link LaserTrimMLError} with a stable `code`, and
 * its message says what to do about it.
 *
 * @module
 */

/** Stable machine-readable error codes. */
export type LaserTrimMLErrorCode =
  | 'INVALID_INPUT'
  | 'INSUFFICIENT_DATA'
  | 'NOT_TRAINED'
  | 'STATE_VERSION'
  | 'SCHEMA_MISSING'
  | 'SCHEMA_MAPPING'
  | 'BUSY'
  | 'ABORTED'
  | 'STORAGE'
  | 'DISK_FULL'
  | 'MISSING_DEPENDENCY';

/**
 * Base class of every error the library throws on purpose.
 *
 * @example
 * ```ts
 * try {
 *   await ml.trainAllModels();
 * } catch (e) {
 *   if (e instanceof LaserTrimMLError) console.error(e.code, e.message); // the message says what to do
 *   else throw e;
 * }
 * ```
 */
export class LaserTrimMLError extends Error {
  readonly code: LaserTrimMLErrorCode;
  constructor(code: LaserTrimMLErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Bad arguments or data passed to an API (empty arrays, NaN, mismatched lengths, unknown options).
 *
 * @example
 * ```ts
 * new MLManager(repo, { trees: 0 }); // throws InvalidInputError: trees must be a positive integer
 * ```
 */
export class InvalidInputError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/**
 * Not enough usable data to learn something; the caller falls back (e.g. to the formula threshold).
 *
 * @example
 * ```ts
 * try {
 *   buildTrainingSet(records); // every row excluded (placeholder sigmas, say)
 * } catch (e) {
 *   if (e instanceof InsufficientDataError) console.log(e.message); // lists the exclusions by reason
 * }
 * ```
 */
export class InsufficientDataError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INSUFFICIENT_DATA', message, options);
  }
}

/**
 * A learner or model was used before it was trained or loaded.
 *
 * @example
 * ```ts
 * new RandomForestClassifier().predictProba([[1, 2]]); // throws NotTrainedError: call fit() or fromJSON() first
 * ```
 */
export class NotTrainedError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_TRAINED', message, options);
  }
}

/**
 * A persisted JSON state has an unknown kind or version.
 *
 * @example
 * ```ts
 * try {
 *   ModelDriftDetector.fromState(savedJson);
 * } catch (e) {
 *   if (e instanceof StateVersionError) await ml.trainModel(model); // retrain to get a current state
 * }
 * ```
 */
export class StateVersionError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE_VERSION', message, options);
  }
}

/**
 * The operation was cancelled through its `AbortSignal`. Nothing half-done was saved.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 10_000);
 * try {
 *   await ml.applyToDatabase({ signal: controller.signal });
 * } catch (e) {
 *   if (e instanceof AbortedError) console.log('stopped; run apply again to complete');
 * }
 * ```
 */
export class AbortedError extends LaserTrimMLError {
  constructor(message = 'Operation aborted by its AbortSignal; nothing partial was saved. Run it again to complete.') {
    super('ABORTED', message);
  }
}

/**
 * The error an aborted signal stands for: its reason where that is one of the library's errors (a lost lock aborts
 * the run with a {@link BusyError}), else {@link AbortedError}.
 */
export function abortError(signal: AbortSignal): LaserTrimMLError {
  return signal.reason instanceof LaserTrimMLError ? signal.reason : new AbortedError();
}

/** Throws {@link abortError} of the signal when it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Another process holds the train or apply lock of this database.
 *
 * @example
 * ```ts
 * try {
 *   await ml.trainAllModels();
 * } catch (e) {
 *   if (e instanceof BusyError) console.log(`busy: ${e.holder}`); // try again when that run has finished
 * }
 * ```
 */
export class BusyError extends LaserTrimMLError {
  /** Who holds the lock, as they identified themselves. */
  readonly holder: string;
  constructor(message: string, holder: string) {
    super('BUSY', message);
    this.holder = holder;
  }
}

/**
 * The library's tables are missing: run the migrations (`laser-trim-ml migrate` or `migrateToLatest()`).
 *
 * @example
 * ```ts
 * // Opening without `migrate: true` a database whose library tables were never created:
 * await createSqliteRepository({ file: './plant.db' }); // throws SchemaMissingError
 * await createSqliteRepository({ file: './plant.db' }, { migrate: true }); // creates them
 * ```
 */
export class SchemaMissingError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SCHEMA_MISSING', message, options);
  }
}

/**
 * A schema mapping names a table or column the database does not have.
 *
 * @example
 * ```ts
 * await createSqliteRepository({ file: './plant.db' }, { schema: { tables: { trim_results: 'no_such_table' } } });
 * // throws SchemaMappingError naming "no_such_table"
 * ```
 */
export class SchemaMappingError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SCHEMA_MAPPING', message, options);
  }
}

/**
 * A database operation failed; `cause` holds the driver's error.
 *
 * @example
 * ```ts
 * try {
 *   await ml.applyToDatabase();
 * } catch (e) {
 *   if (e instanceof StorageError) console.error(e.message, e.cause); // the driver's own error is the cause
 * }
 * ```
 */
export class StorageError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown; code?: 'STORAGE' | 'DISK_FULL' }) {
    super(options?.code ?? 'STORAGE', message, options);
  }
}

/**
 * The database's (or the artifact directory's) disk is full (SQLite `SQLITE_FULL`, PostgreSQL `53100`, `ENOSPC`):
 * the write that hit it was not saved (each write is one transaction), the writes before it were. Code `DISK_FULL`.
 *
 * @example
 * ```ts
 * const result = await ml.trainAllModels(); // a full disk ends training without throwing:
 * if (result.storageError) console.error(result.storageError); // one line; result.results says what was saved
 * ```
 */
export class DiskFullError extends StorageError {
  /** The file (or directory) whose disk is full, where the adapter knows it. */
  readonly file: string | null;
  constructor(file: string | null, options?: { cause?: unknown }) {
    super(
      `The disk is full at ${file ?? 'the database'}: the write was not saved. Free space (or raise the database's size ` +
        'limit) and run again; what was saved before stays saved.',
      { ...options, code: 'DISK_FULL' },
    );
    this.file = file;
  }
}

/**
 * The driver's error as a {@link DiskFullError} when it says the disk is full, else `null`.
 *
 * @example
 * ```ts
 * diskFullOf(sqliteError, '/data/plant.db'); // DiskFullError for SQLITE_FULL, null otherwise
 * ```
 */
export function diskFullOf(error: unknown, file: string | null): DiskFullError | null {
  if (error instanceof DiskFullError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC') return new DiskFullError(file, { cause: error });
  if (error instanceof LaserTrimMLError) {
    const inner = error.cause;
    return inner === undefined || inner === error ? null : diskFullOf(inner, file);
  }
  return null;
}

/**
 * An optional peer dependency a feature needs is not installed (the HTML report draws its charts with `vega` and
 * `vega-lite`, which the core library does not need). The message names the `npm install` command.
 *
 * @example
 * ```ts
 * try {
 *   await writePlantReport(ml, 'plant-report.html');
 * } catch (e) {
 *   if (e instanceof MissingDependencyError) console.error(e.message); // "... npm install vega vega-lite"
 * }
 * ```
 */
export class MissingDependencyError extends LaserTrimMLError {
  /** The packages to install. */
  readonly packages: readonly string[];
  constructor(packages: readonly string[], feature: string, options?: { cause?: unknown }) {
    super(
      'MISSING_DEPENDENCY',
      `${feature} needs the optional peer ${packages.length === 1 ? 'dependency' : 'dependencies'} ${packages.join(' and ')}, which ${packages.length === 1 ? 'is' : 'are'} not installed: run \`npm install ${packages.join(' ')}\` in your project.`,
      options,
    );
    this.packages = [...packages];
  }
}
