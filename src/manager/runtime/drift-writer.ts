/**
 * Apply's drift column updates, written in batches of models: one transaction per batch (`updateDriftStatesOf`)
 * instead of a round trip and a commit per model (figures: docs/benchmarks.md, "Measurements behind design choices").
 *
 * @module
 */
import type { ModelName } from '../../core/types.js';
import { validateModelState } from '../../storage/options.js';
import type { DriftStateColumns, DriftStateUpdate, MLRepository } from '../../storage/repository.js';
import { updateDriftStatesOf } from '../../storage/repository-helpers.js';

interface Queued {
  readonly update: DriftStateUpdate;
  resolve(): void;
  reject(error: unknown): void;
}

/** Collects drift updates and writes them in the background, `batchSize` models per transaction. */
export class DriftStateWriter {
  private queue: Queued[] = [];

  constructor(
    private readonly repository: MLRepository,
    private readonly batchSize = 100,
  ) {}

  /**
   * Queues one model's update; the promise settles when it is written, or rejects with this model's own error: an
   * invalid update at once, and where a batch fails, each of its models is written on its own so that only the
   * model at fault fails.
   */
  add(model: ModelName, drift: DriftStateColumns): Promise<void> {
    let settle: Pick<Queued, 'resolve' | 'reject'> = { resolve: () => undefined, reject: () => undefined };
    const promise = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    promise.catch(() => undefined); // observed by whoever awaits the model's update; never an unhandled rejection
    try {
      validateModelState(model, drift);
    } catch (error) {
      settle.reject(error);
      return promise;
    }
    this.queue.push({ update: { model, drift }, ...settle });
    if (this.queue.length >= this.batchSize) this.flush();
    return promise;
  }

  /** Starts writing what is queued. */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    void this.write(batch);
  }

  /**
   * Drops what is queued, unwritten (after an abort: the run fails, and a rerun recomputes every drift state from its
   * baseline); its promises resolve so that nothing waits on them.
   */
  discard(): void {
    for (const q of this.queue.splice(0)) q.resolve();
  }

  private async write(batch: readonly Queued[]): Promise<void> {
    try {
      await updateDriftStatesOf(
        this.repository,
        batch.map((q) => q.update),
      );
      for (const q of batch) q.resolve();
    } catch {
      // The batch was all or nothing: write its models one by one, so each gets its own outcome.
      for (const q of batch) {
        try {
          await this.repository.updateDriftState(q.update.model, q.update.drift);
          q.resolve();
        } catch (error) {
          q.reject(error);
        }
      }
    }
  }
}
