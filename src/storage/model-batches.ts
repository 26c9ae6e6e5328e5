/**
 * Internal: one model's record batches as {@link ModelRecordsBatch}es, shared by the per-model fallback of
 * `readTrainingRecordsOfModels` and the SQL adapters' paged reads of large models.
 *
 * @module
 */
import type { ModelName } from '../core/types.js';

/**
 * Yields the model's non-empty batches, as `{ model, records, last }`, with `last` on the final one (one batch of look-ahead); a model without
 * records yields one empty batch marked `last`.
 */
export async function* asModelBatches<T>(model: ModelName, batches: AsyncIterable<T[]>): AsyncIterable<{ model: ModelName; records: T[]; last: boolean }> {
  let pending: T[] | null = null;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    if (pending !== null) yield { model, records: pending, last: false };
    pending = batch;
  }
  yield { model, records: pending ?? [], last: true };
}
