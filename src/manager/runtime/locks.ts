/**
 * The train/apply locks of a run, and what becomes of a run whose locks cannot be released.
 *
 * @module
 */
import { StorageError } from '../../core/errors.js';
import type { LockHandle, MLRepository } from '../../storage/repository.js';
import { linkSignals } from './signals.js';

/** Both locks of a run, with the signal that stops it. */
export interface RunLocks {
  /** Aborted when the caller aborts or either lock is lost. */
  readonly signal: AbortSignal | undefined;
  release(): Promise<void>;
}

/**
 * Train and apply exclude each other as well as themselves (an apply during a train would mix two trainings'
 * states): both take the `train` lock, then the `apply` lock, always in that order, so two callers never deadlock;
 * the loser gets a `BusyError` naming the holder and what it runs (the owner gets a ` (train)` / ` (apply)` suffix).
 */
export async function lockBoth(
  repository: MLRepository,
  owner: string,
  userSignal: AbortSignal | undefined,
  operation: 'train' | 'apply',
): Promise<RunLocks> {
  const holder = `${owner} (${operation})`;
  const train = await repository.acquireLock('train', holder);
  let apply: LockHandle;
  try {
    apply = await repository.acquireLock('apply', holder);
  } catch (e) {
    await train.release();
    throw e;
  }
  // The run stops at its next batch when the caller aborts or either lock is lost.
  const linked = linkSignals([userSignal, train.lost, apply.lost]);
  return {
    signal: linked.signal,
    release: async () => {
      linked.dispose();
      try {
        await apply.release();
      } finally {
        await train.release();
      }
    },
  };
}

/**
 * Runs `run` under both locks ({@link lockBoth}) and releases them. The run's own error is what the caller needs: a
 * failed release (e.g. on a full disk) never replaces it, and never hides a result ({@link withReleaseError}).
 */
export async function withLocks<R extends { readonly storageError?: StorageError }>(
  repository: MLRepository,
  owner: string,
  operation: 'train' | 'apply',
  userSignal: AbortSignal | undefined,
  run: (signal: AbortSignal | undefined) => Promise<R>,
): Promise<R> {
  const lock = await lockBoth(repository, owner, userSignal, operation);
  let result: R;
  try {
    result = await run(lock.signal);
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
  try {
    await lock.release();
  } catch (error) {
    return withReleaseError(result, error);
  }
  return result;
}

/**
 * A run's result after its locks could not be released: the models are saved (or not) as the result says, and a failed
 * release must not hide that. A {@link StorageError} is reported in `storageError` (joined to the run's own, e.g. a
 * full disk); a lock its dead holder left is taken over by a later run. Any other error (a lost lock) is thrown.
 */
export function withReleaseError<R extends { readonly storageError?: StorageError }>(result: R, error: unknown): R {
  if (!(error instanceof StorageError)) throw error;
  const cause = result.storageError ?? error;
  const storageError = new StorageError(
    `${cause === error ? '' : `${cause.message} `}The train/apply locks could not be released: ${error.message}`,
    {
      cause: error,
      code: cause.code === 'DISK_FULL' ? 'DISK_FULL' : 'STORAGE',
    },
  );
  return { ...result, storageError };
}
