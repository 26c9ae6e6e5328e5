/**
 * Helpers over any {@link MLRepository}: they use a repository's optional bulk methods where it has them and fall
 * back to the required ones, validating first. Kept out of `repository.ts` so that the seam itself is types only
 * and the validation (`options.ts`) can use its types without an import cycle.
 *
 * @module
 */
import { asModelBatches } from './model-batches.js';
import { batchSizeOf, groupRowsOf, validateDriftAlerts, validateModelState } from './options.js';
import type {
  DriftAlert,
  DriftStateUpdate,
  ManyTrainingReadOptions,
  MLRepository,
  ModelReadRequest,
  ModelRecordsBatch,
} from './repository.js';

/**
 * Reads the training records of many models: with the repository's {@link MLRepository.readManyTrainingRecords}
 * where it has one, else model by model with {@link MLRepository.readTrainingRecords}; either way the batches
 * follow {@link MLRepository.readManyTrainingRecords}' contract.
 *
 * @example
 * ```ts
 * const models = await repo.listModels();
 * for await (const { model, records, last } of readTrainingRecordsOfModels(repo, models)) {
 *   // records: the next batch of `model`, in date order; `last` when the model is complete.
 * }
 * ```
 */
export async function* readTrainingRecordsOfModels(
  repo: MLRepository,
  models: readonly ModelReadRequest[],
  options: ManyTrainingReadOptions = {},
): AsyncIterable<ModelRecordsBatch> {
  batchSizeOf(options.batchSize);
  groupRowsOf(options.groupRows);
  if (repo.readManyTrainingRecords !== undefined) {
    yield* repo.readManyTrainingRecords(models, options);
    return;
  }
  for (const { model } of models) {
    yield* asModelBatches(model, repo.readTrainingRecords(model, options.batchSize === undefined ? {} : { batchSize: options.batchSize }));
  }
}

/**
 * Stores a model's alerts and its drift columns: in one transaction with the repository's
 * {@link MLRepository.saveDriftAlertsAndState} where it has one, else alerts then state (both validated before
 * anything is written, so that an invalid state never follows stored alerts). Returns how many alerts were new.
 *
 * @example
 * ```ts
 * const added = await saveDriftAlertsWithState(repo, alerts, { model: '8340-1', drift });
 * ```
 */
export async function saveDriftAlertsWithState(
  repo: MLRepository,
  alerts: readonly Omit<DriftAlert, 'id' | 'createdDate'>[],
  update: DriftStateUpdate,
): Promise<number> {
  validateDriftAlerts(alerts);
  validateModelState(update.model, update.drift);
  if (repo.saveDriftAlertsAndState !== undefined) return repo.saveDriftAlertsAndState(alerts, update);
  const added = alerts.length > 0 ? await repo.saveDriftAlerts(alerts) : 0;
  await repo.updateDriftState(update.model, update.drift);
  return added;
}

/**
 * Updates several models' drift columns: with the repository's {@link MLRepository.updateDriftStates} where it has
 * one (one transaction), else model by model with {@link MLRepository.updateDriftState}.
 *
 * @example
 * ```ts
 * await updateDriftStatesOf(repo, [{ model: '8340-1', drift: { cusumPos: 0, cusumNeg: 1.2, ewmaValue: -7.9,
 *   isDrifting: false, driftDirection: null, componentsJson: state.componentsJson } }]);
 * ```
 */
export async function updateDriftStatesOf(repo: MLRepository, updates: readonly DriftStateUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  if (repo.updateDriftStates !== undefined) return repo.updateDriftStates(updates);
  for (const { model, drift } of updates) await repo.updateDriftState(model, drift);
}
