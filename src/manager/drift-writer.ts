/**
 * Apply's drift column updates, written in batches of models: one transaction per batch (`updateDriftStatesOf`)
 * instead of a round trip and a commit per model (measured on 80,000 tracks of 300 models: ~200 updates took about
 * 0.4 s on SQLite and overlapped most of PostgreSQL's apply).
 *
 * @module
 */
import type { ModelName } from '../core/types.js';
import { type DriftStateColumns, type DriftStateUpdate, type MLRepository, updateDriftStatesOf } from '../storage/repository.js';

interface Pending {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function pending(): Pending {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // observed by whoever awaits the model's update; never an unhandled rejection
  return { promise, resolve, reject };
}

/** Collects drift updates and writes them in the background, `batchSize` models per transaction. */
export class DriftStateWriter {
  private queue: DriftStateUpdate[] = [];
  private batch: Pending | null = null;

  constructor(
    private readonly repository: MLRepository,
    private readonly batchSize = 100,
  ) {}

  /** Queues one model's update; the promise settles when its batch is written (rejecting with the batch's error). */
  add(model: ModelName, drift: DriftStateColumns): Promise<void> {
    this.queue.push({ model, drift });
    const batch = (this.batch ??= pending());
    if (this.queue.length >= this.batchSize) this.flush();
    return batch.promise;
  }

  /** Starts writing what is queued. */
  flush(): void {
    const batch = this.batch;
    if (batch === null) return;
    const updates = this.queue;
    this.queue = [];
    this.batch = null;
    updateDriftStatesOf(this.repository, updates).then(batch.resolve, batch.reject);
  }

  /**
   * Drops what is queued, unwritten (after an abort: the run fails, and a rerun recomputes every drift state from its
   * baseline); its promises resolve so that nothing waits on them.
   */
  discard(): void {
    const batch = this.batch;
    this.queue = [];
    this.batch = null;
    batch?.resolve();
  }
}
