/**
 * `laser-trim-ml/synthetic`: a seeded synthetic plant (trim runs, tracks and linked Final Test outcomes) that looks
 * like a real one (`shared/domain.md`), with its ground truth (true FT outcome and probability of every unit, drift
 * onsets, injected garbage), streamed model by model and written through any `HostDataWriter`.
 *
 * @example
 * ```ts
 * import { generatePlant, writePlant } from 'laser-trim-ml/synthetic';
 * const plant = generatePlant({ seed: 42 });          // 80,000 tracks, 300 models
 * await writePlant(repository, { seed: 42, tracks: 1_000_000 }, { batchSize: 5000 });
 * ```
 *
 * @module
 */
export * from './types.js';
export { createRng, type Rng } from '../core/rng.js';
export { SPEC_VALUES, PLANT_MEDIAN_SIGMA, type PlantPlan, type ResolvedPlantOptions } from './plan.js';
export { planPlant } from './plan-plant.js';
export { REALISTIC_DEFAULTS, inControlSd, logUniform } from './realistic-plan.js';
export { generatePlantBatches, type PlantStreamOptions } from './stream.js';
export { generatePlant, type SyntheticPlant } from './plant.js';
export { writePlant, type WritePlantOptions, type WritePlantProgress, type WritePlantResult } from './write.js';
export { FT_COEFFICIENTS, FT_FAIL_POINT_KNOTS, finalTestLogOdds, drawFinalTest, type FinalTestDraw } from './final-test.js';
export { TRIM_FAIL_POINT_KNOTS, TRIM_LATENT_SD, TRIM_SIGMA_WEIGHT, drawTrimTrack, drawUnitLatents, type TrimTrackDraw } from './unit.js';
export { GARBAGE_KINDS, GARBAGE_WEIGHTS, applyGarbage, emptyGarbageCounts, pickGarbageKind } from './garbage.js';
