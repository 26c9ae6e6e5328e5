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
  | 'DISK_FULL';

/** Base class of every error the library throws on purpose. */
export class LaserTrimMLError extends Error {
  readonly code: LaserTrimMLErrorCode;
  constructor(code: LaserTrimMLErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad arguments or data passed to an API (empty arrays, NaN, mismatched lengths, unknown options). */
export class InvalidInputError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/** Not enough usable data to learn something; the caller falls back (e.g. to the formula threshold). */
export class InsufficientDataError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INSUFFICIENT_DATA', message, options);
  }
}

/** A learner or model was used before it was trained or loaded. */
export class NotTrainedError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_TRAINED', message, options);
  }
}

/** A persisted JSON state has an unknown kind or version. */
export class StateVersionError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE_VERSION', message, options);
  }
}

/** The operation was cancelled through its `AbortSignal`. Nothing half-done was saved. */
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

/** Another process holds the train or apply lock of this database. */
export class BusyError extends LaserTrimMLError {
  /** Who holds the lock, as they identified themselves. */
  readonly holder: string;
  constructor(message: string, holder: string) {
    super('BUSY', message);
    this.holder = holder;
  }
}

/** The library's tables are missing: run the migrations (`laser-trim-ml migrate` or `migrateToLatest()`). */
export class SchemaMissingError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SCHEMA_MISSING', message, options);
  }
}

/** A schema mapping names a table or column the database does not have. */
export class SchemaMappingError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SCHEMA_MAPPING', message, options);
  }
}

/** A database operation failed; `cause` holds the driver's error. */
export class StorageError extends LaserTrimMLError {
  constructor(message: string, options?: { cause?: unknown; code?: 'STORAGE' | 'DISK_FULL' }) {
    super(options?.code ?? 'STORAGE', message, options);
  }
}

/**
 * The database's (or the artifact directory's) disk is full (SQLite `SQLITE_FULL`, PostgreSQL `53100`, `ENOSPC`):
 * the write that hit it was not saved (each write is one transaction), the writes before it were. Code `DISK_FULL`.
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
