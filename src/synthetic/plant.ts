/**
 * The whole plant in memory: convenient for tests, demos and plants up to a few hundred thousand tracks. For a
 * million tracks use {@link generatePlantBatches} (or pass options straight to {@link writePlant}).
 *
 * @module
 */
import { planPlant } from './plan-plant.js';
import { generatePlantBatches, type PlantStreamOptions } from './stream.js';
import type { SyntheticFinalTest, SyntheticModelSpec, SyntheticPlantOptions, SyntheticPlantSummary, SyntheticRun } from './types.js';

/** A generated plant held in memory. */
export interface SyntheticPlant {
  /** Every model's specification (the model-level truth). */
  readonly models: readonly SyntheticModelSpec[];
  /** All trim runs, model by model, dates increasing within a model; each carries its truth. */
  readonly runs: readonly SyntheticRun[];
  /** All Final Test records; `runIndex` indexes {@link SyntheticPlant.runs}. */
  readonly finalTests: readonly SyntheticFinalTest[];
  /** Counts, garbage and drift truth. */
  readonly summary: SyntheticPlantSummary;
}

/**
 * Generates a whole plant in memory (runs, Final Test records, truth).
 *
 * @example
 * ```ts
 * const plant = generatePlant({ seed: 42, tracks: 20_000, models: 80 });
 * plant.summary.tracks;          // ≈ 20,000
 * plant.runs[0]?.truth.tracks[0]; // { ftPass, ftFailProbability, sigmaZ, … }
 * ```
 */
export function generatePlant(options: SyntheticPlantOptions, stream: PlantStreamOptions = {}): SyntheticPlant {
  const plan = planPlant(options);
  const runs: SyntheticRun[] = [];
  const finalTests: SyntheticFinalTest[] = [];
  const it = generatePlantBatches(plan, stream);
  for (;;) {
    const step = it.next();
    if (step.done === true) return { models: plan.models, runs, finalTests, summary: step.value };
    const offset = runs.length;
    for (const r of step.value.runs) runs.push(r);
    for (const f of step.value.finalTests) finalTests.push(f.runIndex === null ? f : { ...f, runIndex: f.runIndex + offset });
  }
}
