/**
 * Internal: one model's record batches as {@link ModelRecordsBatch}es, shared by the per-model fallback of
 * `readTrainingRecordsOfModels` and the SQL adapters' paged reads of large models.
 *
 * @module
 */
import type { ModelName } from '../core/types.js';

/**
 * Yields the model's non-empty batches, as `{ model, records, last }`, with `last` on the final one (one batch of
 * look-ahead); a model without records yields one empty batch marked `last`. A read that fails ends the model with
 * an empty last batch carrying the `error` (what was delivered before it is incomplete), so that a reader of many
 * models goes on with the next one.
 */
export async function* asModelBatches<T>(
  model: ModelName,
  batches: AsyncIterable<T[]>,
): AsyncIterable<{ model: ModelName; records: T[]; last: boolean; error?: Error }> {
  let pending: T[] | null = null;
  try {
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      if (pending !== null) yield { model, records: pending, last: false };
      pending = batch;
    }
  } catch (e) {
    if (pending !== null) yield { model, records: pending, last: false };
    yield { model, records: [], last: true, error: e instanceof Error ? e : new Error(String(e)) };
    return;
  }
  yield { model, records: pending ?? [], last: true };
}
