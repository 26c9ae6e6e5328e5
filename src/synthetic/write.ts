/**
 * Writes a synthetic plant through any {@link HostDataWriter}: trim runs first (the writer returns their ids), then
 * the Final Test records of those runs, `linkedTrimId` filled from the returned ids for records generated with
 * `link: 'trim_id'` and left `null` for serial-only and orphan records (for the storage's serial linking).
 *
 * @module
 */
import { InvalidInputError, throwIfAborted } from '../core/errors.js';
import type { HostDataWriter, HostFinalTestInput } from '../storage/repository.js';
import type { SyntheticPlant } from './plant.js';
import type { PlantPlan } from './plan.js';
import { generatePlantBatches } from './stream.js';
import type { SyntheticBatch, SyntheticFinalTest, SyntheticPlantOptions, SyntheticPlantSummary, SyntheticRun } from './types.js';

/** Progress of {@link writePlant}, reported after every flushed batch. */
export interface WritePlantProgress {
  readonly runsWritten: number;
  readonly tracksWritten: number;
  readonly finalTestsWritten: number;
  /** Models whose every run has been written. */
  readonly modelsDone: number;
  readonly modelsTotal: number;
}

/** Options of {@link writePlant}. */
export interface WritePlantOptions {
  /** Runs (and separately FT records) per writer call, i.e. per transaction. Default 2,000. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: WritePlantProgress) => void;
  /** Called with each written slice of runs and the ids the writer returned (to keep id → truth, for evaluation). */
  readonly onRunsWritten?: (runs: readonly SyntheticRun[], ids: readonly number[]) => void;
  /** Stops between batches with `AbortedError` (what was written stays written). */
  readonly signal?: AbortSignal;
}

/** What {@link writePlant} wrote. */
export interface WritePlantResult {
  readonly summary: SyntheticPlantSummary;
  readonly runsWritten: number;
  readonly tracksWritten: number;
  readonly finalTestsWritten: number;
}

function isPlant(x: SyntheticPlant | PlantPlan | SyntheticPlantOptions): x is SyntheticPlant {
  return 'runs' in x && Array.isArray(x.runs);
}

/**
 * Writes a plant (generated in memory, or generated here as a stream from a plan or options) through `writer`.
 *
 * @example
 * ```ts
 * const result = await writePlant(repository, { seed: 42, tracks: 1_000_000 }, {
 *   batchSize: 5000,
 *   onProgress: (p) => console.log(`${p.runsWritten} runs`),
 * });
 * result.summary.drifts; // the drift truth
 * ```
 */
export async function writePlant(
  writer: HostDataWriter,
  source: SyntheticPlant | PlantPlan | SyntheticPlantOptions,
  options: WritePlantOptions = {},
): Promise<WritePlantResult> {
  const batchSize = options.batchSize ?? 2000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidInputError(`writePlant: batchSize must be a positive integer, got ${batchSize}.`);
  }
  let modelsTotal: number;
  let batches: Iterator<SyntheticBatch, SyntheticPlantSummary | undefined>;
  let fixedSummary: SyntheticPlantSummary | null = null;
  if (isPlant(source)) {
    modelsTotal = source.models.length;
    fixedSummary = source.summary;
    const model = source.models[source.models.length - 1];
    if (model === undefined) throw new InvalidInputError('writePlant: the plant has no models.');
    // One batch: runIndex of a materialised plant indexes the whole run list.
    const whole: SyntheticBatch = { model, runs: [...source.runs], finalTests: [...source.finalTests], lastOfModel: true };
    batches = [whole][Symbol.iterator]();
  } else {
    const gen = generatePlantBatches(source);
    modelsTotal =
      'models' in source && Array.isArray(source.models) ? source.models.length : ((source as SyntheticPlantOptions).models ?? 300);
    batches = gen;
  }

  let runsWritten = 0;
  let tracksWritten = 0;
  let finalTestsWritten = 0;
  let modelsDone = 0;
  let pendingRuns: SyntheticRun[] = [];
  let pendingFts: SyntheticFinalTest[] = [];

  const flush = async (): Promise<void> => {
    throwIfAborted(options.signal);
    const ids: number[] = [];
    for (let i = 0; i < pendingRuns.length; i += batchSize) {
      const slice = pendingRuns.slice(i, i + batchSize);
      const got = await writer.insertTrimRuns(slice.map((r) => r.input));
      if (got.length !== slice.length) {
        throw new InvalidInputError(
          `writePlant: the writer returned ${got.length} ids for ${slice.length} runs; insertTrimRuns must return one id per run in input order.`,
        );
      }
      for (const id of got) ids.push(id);
      options.onRunsWritten?.(slice, got);
      runsWritten += slice.length;
      for (const r of slice) tracksWritten += r.input.tracks.length;
    }
    const fts: HostFinalTestInput[] = pendingFts.map((f) =>
      f.link === 'trim_id' && f.runIndex !== null ? { ...f.input, linkedTrimId: ids[f.runIndex] ?? null } : f.input,
    );
    for (let i = 0; i < fts.length; i += batchSize) {
      const slice = fts.slice(i, i + batchSize);
      await writer.insertFinalTests(slice);
      finalTestsWritten += slice.length;
    }
    pendingRuns = [];
    pendingFts = [];
    options.onProgress?.({ runsWritten, tracksWritten, finalTestsWritten, modelsDone, modelsTotal });
  };

  for (;;) {
    const step = batches.next();
    if (step.done === true) {
      if (pendingRuns.length > 0 || pendingFts.length > 0) await flush();
      const summary = fixedSummary ?? step.value;
      if (summary === undefined) throw new InvalidInputError('writePlant: the generator ended without a summary.');
      return { summary, runsWritten, tracksWritten, finalTestsWritten };
    }
    const b = step.value;
    const offset = pendingRuns.length;
    for (const r of b.runs) pendingRuns.push(r);
    for (const f of b.finalTests) pendingFts.push(f.runIndex === null ? f : { ...f, runIndex: f.runIndex + offset });
    if (b.lastOfModel) modelsDone += isPlant(source) ? modelsTotal : 1;
    if (pendingRuns.length >= batchSize) await flush();
  }
}
