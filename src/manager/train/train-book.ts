/**
 * The books of one train-all run ({@link TrainBook}): one {@link TrainingResult} per model, the failures recorded where
 * they happen (in the model's stored state, unless the disk is full), and the run's summary.
 *
 * @module
 */
import { type DiskFullError, InsufficientDataError, diskFullOf } from '../../core/errors.js';
import type { MLRepository } from '../../storage/repository.js';
import { parseComponents } from '../components-state.js';
import type { TrainAllResult, TrainingResult } from '../types.js';
import type { PooledSummary } from '../types.js';
import { untrainedState } from './model-state.js';
import type { Survey } from './survey.js';

/** What a failure's untrained state records of the run. */
export interface FailureContext {
  readonly minSamples: number;
  readonly minPlantBacked: number;
  readonly trainingDate: Date;
  readonly version: string;
}

/** The results of a train-all run, and the disk-full state that stops its saves. */
export class TrainBook {
  readonly #results: TrainingResult[] = [];
  /** Set once a write finds the disk full: no later model can be saved, so none is trained; each is reported failed. */
  diskFull: DiskFullError | null = null;

  constructor(
    private readonly repo: MLRepository,
    private readonly failure: FailureContext,
  ) {}

  /** A model trained, or saved untrained (`skipped`). */
  add(result: TrainingResult): void {
    this.#results.push(result);
  }

  /**
   * A model failed with `err`. One model's failure never stops the others. With the disk full nothing more can be
   * saved: this model and every later one fail with the disk-full error, unsaved (a model trained before keeps serving
   * its last good state); recording each failure would only hit the disk again. Otherwise the failure is recorded in
   * the model's state: a model trained before keeps serving its last good state (with the error recorded); a new one
   * is saved as untrained with the error.
   */
  async failed(s: Survey, err: Error, durationMs: number): Promise<void> {
    const full = diskFullOf(err, null);
    if (full !== null) {
      this.diskFull ??= full;
      this.#results.push(failedResult(s, this.diskFull, durationMs));
      return;
    }
    let note = '';
    try {
      await recordFailure(this.repo, s, err, this.failure);
    } catch (e2) {
      note = ` (recording the failure in the model's state failed too: ${e2 instanceof Error ? e2.message : String(e2)})`;
    }
    this.#results.push(failedResult(s, err, durationMs, note));
  }

  /** The run's summary, results in model order. */
  summary(pooled: PooledSummary | null, durationMs: number): TrainAllResult {
    const results = [...this.#results].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
    return {
      results,
      trained: results.filter((r) => r.status === 'trained').length,
      plantBacked: results.filter((r) => r.tier === 'plant-backed').length,
      skipped: results.filter((r) => r.status === 'skipped').length,
      failed: results.filter((r) => r.status === 'failed').length,
      pooled,
      ...(this.diskFull !== null ? { storageError: this.diskFull } : {}),
      durationMs,
    };
  }
}

async function recordFailure(repo: MLRepository, s: Survey, err: Error, a: FailureContext): Promise<void> {
  const previous = await repo.loadModelState(s.model);
  if (previous?.isTrained) {
    const c = parseComponents(previous.componentsJson, s.model);
    const kind = c.predictor.artifactKind;
    const artifact = kind ? await repo.loadArtifact(s.model, kind, previous.stateVersion) : null;
    await repo.saveModel(
      { ...previous, lastError: err.message, updatedDate: new Date() },
      artifact ? [{ model: artifact.model, kind: artifact.kind, version: artifact.version, content: artifact.content }] : [],
    );
    return;
  }
  const out = untrainedState({
    model: s.model,
    rowsRead: s.rowsRead,
    samples: s.cleanSamples,
    finalTestSamples: s.finalTestSamples,
    minSamples: a.minSamples,
    minPlantBackedSamples: a.minPlantBacked,
    context: s.context,
    profileState: s.profiler?.toState() ?? null,
    trainingDate: a.trainingDate,
    stateVersion: a.version,
    message: `Training failed: ${err.message}`,
    error: err instanceof InsufficientDataError ? null : err.message,
    excluded: s.excluded,
  });
  await repo.saveModel(out.state, []);
}

function failedResult(s: Survey, error: Error, durationMs: number, note = ''): TrainingResult {
  return {
    model: s.model,
    status: 'failed',
    tier: null,
    message: error.message + note,
    error,
    rowsRead: s.rowsRead,
    samples: s.cleanSamples,
    excluded: s.excluded,
    label: null,
    sigmaThreshold: null,
    thresholdConfidence: null,
    predictorKind: 'none',
    predictorAuc: null,
    driftBaselineSamples: 0,
    durationMs,
  };
}
