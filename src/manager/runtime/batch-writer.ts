/**
 * Apply's write buffer: track results of consecutive models are gathered into batches of `batchSize` and written
 * one transaction per batch. Without it, a plant of 300 models (most of them small) costs 300 write transactions
 * (300 commits and WAL flushes on PostgreSQL) where a dozen suffice.
 *
 * @module
 */
import type { ModelName } from '../../core/types.js';
import type { MLRepository, TrackResultWrite } from '../../storage/repository.js';

/** A failed batch write, naming every model that had rows in the batch (they all count as failed). */
export class BatchWriteError extends Error {
  constructor(
    readonly models: ModelName[],
    cause: unknown,
  ) {
    super(`Writing a batch of track results failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'BatchWriteError';
  }
}

/** Buffers track results and writes them in batches. */
export class BatchWriter {
  private pending: TrackResultWrite[] = [];
  private models = new Set<ModelName>();

  constructor(
    private readonly repository: MLRepository,
    private readonly batchSize: number,
    /** Called after each written batch with its size. */
    private readonly onWritten: (n: number) => void,
    /** Called when rows are queued (their results computed), with the model and their number. */
    private readonly onQueued?: (model: ModelName, n: number) => void,
  ) {}

  /** Queues one model's rows; writes full batches. */
  async add(model: ModelName, rows: readonly TrackResultWrite[]): Promise<void> {
    for (const r of rows) this.pending.push(r);
    if (rows.length > 0) this.onQueued?.(model, rows.length);
    this.models.add(model);
    while (this.pending.length >= this.batchSize) await this.write(this.batchSize);
  }

  /** Writes whatever is queued. */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.write(this.batchSize);
  }

  /** Drops what is queued (after an abort: nothing partial is written). */
  discard(): void {
    this.pending = [];
    this.models.clear();
  }

  private async write(n: number): Promise<void> {
    const batch = this.pending.slice(0, n);
    const models = [...this.models];
    this.pending = this.pending.slice(n);
    // The models still queued after this batch: the model of the last queued row stays (its rows may continue).
    this.models = new Set(this.pending.length > 0 ? [models[models.length - 1]!] : []);
    try {
      await this.repository.writeTrackResults(batch);
    } catch (e) {
      throw new BatchWriteError(models, e);
    }
    this.onWritten(batch.length);
  }
}
