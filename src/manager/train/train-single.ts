/**
 * Training one model ({@link MLManager.trainModel}): the train-all workflow on that model alone, with the stored
 * pooled forest, the last plant-wide threshold and difficulty ranked against the other models' stored profiles.
 *
 * @module
 */
import { InsufficientDataError } from '../../core/errors.js';
import type { ModelName } from '../../core/types.js';
import { ModelProfiler } from '../../profiler/index.js';
import type { MLRepository } from '../../storage/repository.js';
import type { PlantThresholdPrior } from '../../threshold/index.js';
import { parseComponents, storedThresholdResult, type ServingMetrics } from '../components-state.js';
import type { ResolvedManagerOptions } from '../options.js';
import type { PooledModel } from '../pooled/pooled.js';
import type { TrainingResult } from '../types.js';
import { trainAll } from './train-all.js';

/** Trains and saves one model, reusing the stored pooled forest and ranking difficulty against the stored profiles. */
export async function trainSingleModel(
  repo: MLRepository,
  o: ResolvedManagerOptions,
  model: ModelName,
  pooled: PooledModel | null,
  opts: { signal?: AbortSignal; minSamples?: number; minPlantBackedSamples?: number },
): Promise<TrainingResult> {
  const otherProfiles: ModelProfiler[] = [];
  let pooledMetrics: ServingMetrics | null = null;
  let thresholdPrior: PlantThresholdPrior | null = null;
  for (const state of await repo.listModelStates()) {
    if (thresholdPrior === null) {
      try {
        thresholdPrior = storedThresholdResult(parseComponents(state.componentsJson, state.model))?.prior ?? null;
      } catch {
        // A state from another version has no plant-wide threshold.
      }
    }
    if (state.model === model) {
      try {
        const p = parseComponents(state.componentsJson, state.model).predictor;
        pooledMetrics = p.kind === 'pooled' ? p.metrics : p.kind === 'own' ? p.alternativeMetrics : null;
      } catch {
        // A state from another version carries no usable comparison; the own forest is judged alone.
      }
      continue;
    }
    if (!state.isTrained) continue;
    try {
      const c = parseComponents(state.componentsJson, state.model);
      const p = c.profile ? ModelProfiler.fromState(c.profile) : null;
      if (p?.isBuilt) otherProfiles.push(p);
    } catch {
      // A state from another version cannot be ranked against; it is replaced at its next training.
    }
  }
  const result = await trainAll(
    repo,
    o,
    { ...opts, models: [model], concurrency: 1 },
    { pooled, otherProfiles, pooledMetrics, thresholdPrior },
  );
  const r = result.results[0];
  if (!r) throw new InsufficientDataError(`Model ${JSON.stringify(model)} has no records in the repository.`);
  return r;
}
