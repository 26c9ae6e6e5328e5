/**
 * The manager's one concurrency primitive: run a task per item with at most `concurrency` in flight, in item order,
 * stopping to start new ones once `stop()` says so. Training runs each model's read → train → save through it, so
 * the worker pool under it never has more tasks than workers.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';

/**
 * Runs `task` for each item, at most `concurrency` at a time, started in order. Resolves once every started task has
 * settled; a task that rejects rejects the whole run after the others have settled (tasks report their own failures
 * where they should not stop the run). `stop` is checked before each start.
 */
export async function runLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidInputError(`concurrency must be a positive integer, got ${concurrency}.`);
  }
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (next < items.length && failure === null && !stop()) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
