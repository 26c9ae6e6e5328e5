/**
 * The apply room's workflow ({@link MLManager.applyToDatabase} without the locks): choose the models and their scope
 * (all tracks, or the pending ones of an incremental apply), mark them in the apply journal, run the pipeline
 * (pipeline.ts) with the batch writer and the scoring worker, and keep the books ({@link ApplyBook}): one result per
 * model, a failure replacing an earlier success of the same model (a write batch holds several models' rows).
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { throwIfAborted } from '../../core/errors.js';
import { emptyExclusionCounts, type ExclusionCounts, type ExclusionReason } from '../../core/features.js';
import type { ModelName } from '../../core/types.js';
import type { MLRepository, ModelMLState, ModelReadRequest } from '../../storage/repository.js';
import type { ComponentsState } from '../components-state.js';
import type { ResolvedManagerOptions } from '../options.js';
import type { PooledModel } from '../pooled/pooled.js';
import { BatchWriteError, BatchWriter } from '../runtime/batch-writer.js';
import { createRemoteScorer, type RemoteScorer } from '../runtime/score-pool.js';
import type { ApplyModelResult, ApplyOptions, ApplyResult } from '../types.js';
import {
  applyVersionOf,
  incrementalScope,
  loadApplyJournal,
  saveApplyJournal,
  type ApplyJournal,
  type IncrementalScope,
} from './incremental.js';
import { applyPipeline } from './pipeline.js';
import type { ApplyPlan } from './plan.js';
import { buildApplyPlan, type LoadedPredictor } from './serving.js';
import { incrementalTrackSource, trackSource } from './track-source.js';

/** Apply scores in the worker thread only from this many tracks on (see {@link applyAll}). */
const REMOTE_SCORING_MIN_TRACKS = 10_000;

/** What apply needs of the manager: its repository, options, the states and the forests (cached by the manager). */
export interface ApplyDeps {
  readonly repository: MLRepository;
  readonly options: ResolvedManagerOptions;
  /** Every model's state, read afresh. */
  loadStates(): Promise<Map<ModelName, ModelMLState>>;
  getPooled(): Promise<PooledModel | null>;
  getOwnPredictor(model: ModelName, components: ComponentsState): Promise<LoadedPredictor | null>;
}

/** The models of one run, in order, and (incremental apply) the scope of each. */
interface ApplyScope {
  readonly models: ModelReadRequest[];
  readonly scopes: Map<ModelName, IncrementalScope>;
  readonly incremental: boolean;
}

/** The models to apply: every wanted model; incrementally, those with new tracks and those applied in full. */
async function scopeOf(
  repo: MLRepository,
  states: Map<ModelName, ModelMLState>,
  journal: ApplyJournal,
  options: ApplyOptions,
): Promise<ApplyScope> {
  const wanted = options.models ? new Set(options.models) : null;
  const incremental =
    options.only === 'pending' && repo.listModelsWithUnappliedTracks !== undefined && repo.readUnappliedTracks !== undefined;
  const scopes = new Map<ModelName, IncrementalScope>();
  if (!incremental) return { models: (await repo.listModels()).filter((s) => !wanted || wanted.has(s.model)), scopes, incremental };
  const unapplied = new Map((await repo.listModelsWithUnappliedTracks!()).map((m) => [m.model, m.trimTracks]));
  const names = [...new Set([...unapplied.keys(), ...states.keys()])]
    .filter((m) => !wanted || wanted.has(m))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const models: ModelReadRequest[] = [];
  for (const model of names) {
    const state = states.get(model) ?? null;
    const scope = incrementalScope(model, state, journal);
    const fresh = unapplied.get(model) ?? 0;
    if (scope.scope === 'pending' && fresh === 0) continue; // nothing new
    scopes.set(model, scope);
    models.push({ model, trimTracks: scope.scope === 'pending' ? fresh : Math.max(fresh, state?.trimSamples ?? 0) });
  }
  return { models, scopes, incremental };
}

/**
 * The apply plans of the run's models, in order, each with its scope (a model whose plan cannot be built yields its
 * error, which fails that model alone).
 */
async function* plansOf(
  models: readonly ModelReadRequest[],
  scopes: ReadonlyMap<ModelName, IncrementalScope>,
  states: ReadonlyMap<ModelName, ModelMLState>,
  pooled: PooledModel | null,
  deps: ApplyDeps,
  remote: RemoteScorer | null,
): AsyncGenerator<ApplyPlan | { model: ModelName; error: unknown }> {
  for (const summary of models) {
    try {
      const scope = scopes.get(summary.model);
      const parsed = scope?.scope === 'pending' ? scope.components : undefined;
      const plan = await buildApplyPlan(
        summary.model,
        states.get(summary.model) ?? null,
        pooled,
        (m, c) => deps.getOwnPredictor(m, c),
        remote,
        parsed,
      );
      if (scope === undefined) yield plan;
      else if (scope.scope === 'all') yield { ...plan, fullReason: scope.reason };
      else yield { ...plan, scope: 'pending', driftFrom: plan.driftReplay ? scope.driftFrom : null };
    } catch (error) {
      yield { model: summary.model, error };
    }
  }
}

/**
 * The books of one apply run: one result per model, in the order the models finished. A failure replaces the model's
 * earlier result: a write batch holds rows of several models, and its failure fails every one of them, also those
 * already finished.
 */
export class ApplyBook {
  readonly #results = new Map<ModelName, ApplyModelResult>();

  /** Models with a result so far. */
  get size(): number {
    return this.#results.size;
  }

  applied(result: ApplyModelResult): void {
    this.#results.set(result.model, result);
  }

  failed(model: ModelName, error: unknown): void {
    this.#results.set(model, failedApply(model, error));
  }

  /** A failed write batch fails every model with rows in it. */
  failedBatch(error: BatchWriteError): void {
    for (const model of error.models) this.failed(model, error);
  }

  /** Each model applied without error is complete at its state version (the journal is saved by the caller). */
  closeJournal(journal: ApplyJournal, states: Map<ModelName, ModelMLState>): void {
    for (const r of this.#results.values()) {
      if (r.error !== undefined) continue;
      journal.dirty.delete(r.model);
      journal.applied.set(r.model, applyVersionOf(states.get(r.model) ?? null));
    }
  }

  /** The run's summary. */
  summary(only: 'all' | 'pending', durationMs: number): ApplyResult {
    const models = [...this.#results.values()];
    return {
      models,
      tracks: sum(models, (r) => r.tracks),
      learnedThresholdTracks: sum(models, (r) => r.learnedThresholdTracks),
      formulaThresholdTracks: sum(models, (r) => r.formulaThresholdTracks),
      probabilityTracks: sum(models, (r) => r.probabilityTracks),
      excluded: sumExclusions(models.map((r) => r.excluded)),
      newDriftAlerts: sum(models, (r) => r.newDriftAlerts),
      failedModels: models.filter((r) => r.error !== undefined).length,
      only,
      durationMs,
    };
  }
}

/**
 * Applies every model (see {@link MLManager.applyToDatabase}); the caller holds the locks and passes their signal.
 * `started` is when the caller's operation started (progress and duration count from it).
 */
export async function applyAll(
  deps: ApplyDeps,
  options: ApplyOptions,
  batchSize: number,
  signal: AbortSignal | undefined,
  started: number,
): Promise<ApplyResult> {
  const repo = deps.repository;
  const states = await deps.loadStates();
  const journal = await loadApplyJournal(repo);
  const { models, scopes, incremental } = await scopeOf(repo, states, journal, options);
  const recordsTotal = models.reduce((s, m) => s + m.trimTracks, 0);
  const pooled = models.length > 0 ? await deps.getPooled() : null;
  // Every model of this run is marked dirty before anything is written, and cleared once all of it is (below).
  for (const m of models) journal.dirty.add(m.model);
  if (models.length > 0) await saveApplyJournal(repo, journal);
  const book = new ApplyBook();
  let recordsDone = 0;
  const emit = (phase: 'applying' | 'done', model?: ModelName): void =>
    options.onProgress?.({
      operation: 'apply',
      phase,
      ...(model !== undefined ? { model } : {}),
      modelsDone: book.size,
      modelsTotal: models.length,
      recordsDone,
      recordsTotal,
      elapsedMs: Date.now() - started,
    });
  // Forest prediction runs in a scoring worker beside the database work (in this thread with concurrency 1).
  // Not for a small run (an incremental apply of a few new units): there sending each model's forest to the worker
  // costs more than scoring its few tracks here (docs/benchmarks.md).
  const remote =
    (options.concurrency ?? availableParallelism()) > 1 && recordsTotal >= REMOTE_SCORING_MIN_TRACKS ? createRemoteScorer() : null;
  // Progress counts tracks as their results are computed (one event per model's read batch), not as the write
  // batches (of batchSize tracks, across models) commit: small models would otherwise show no progress at all.
  const writer = new BatchWriter(
    repo,
    batchSize,
    () => undefined,
    (model, n) => {
      recordsDone += n;
      emit('applying', model);
    },
  );
  try {
    const tracks = incremental
      ? incrementalTrackSource(
          repo as MLRepository & Required<Pick<MLRepository, 'readUnappliedTracks'>>,
          models,
          (m) => scopes.get(m)?.scope === 'pending',
          batchSize,
        )
      : trackSource(repo, models, batchSize);
    const context = {
      repository: repo,
      formula: deps.options.formulaThreshold,
      riskCutoffs: deps.options.riskCutoffs,
      batchSize,
      signal,
      writer,
      tracks,
    };
    await applyPipeline(plansOf(models, scopes, states, pooled, deps, remote), context, (model, r) => {
      if (!('error' in r)) {
        const { driftUpdate, ...modelResult } = r;
        const state = states.get(model);
        if (driftUpdate && state) states.set(model, { ...state, ...driftUpdate });
        book.applied(modelResult);
      } else if (r.error instanceof BatchWriteError) book.failedBatch(r.error);
      else book.failed(model, r.error);
    }).catch((error: unknown) => {
      // A batch failure surfacing outside a model's own stage (e.g. while draining) fails the models in it.
      if (error instanceof BatchWriteError) book.failedBatch(error);
      else throw error;
    });
    throwIfAborted(signal);
    await writer.flush().catch((error: unknown) => {
      if (!(error instanceof BatchWriteError)) throw error;
      book.failedBatch(error);
    });
  } catch (error) {
    // Aborted (or a failure outside any model): the queued rows are dropped, the written batches are whole.
    writer.discard();
    throw error;
  } finally {
    await remote?.close();
  }
  book.closeJournal(journal, states);
  if (models.length > 0) await saveApplyJournal(repo, journal);
  emit('done');
  return book.summary(incremental ? 'pending' : 'all', Date.now() - started);
}

function failedApply(model: ModelName, error: unknown): ApplyModelResult {
  return {
    model,
    tracks: 0,
    learnedThresholdTracks: 0,
    formulaThresholdTracks: 0,
    probabilityTracks: 0,
    excluded: emptyExclusionCounts(),
    predictorKind: 'none',
    newDriftAlerts: 0,
    isDrifting: false,
    driftDirection: null,
    scope: 'all',
    drift: 'none',
    fullReason: null,
    error: error instanceof Error ? error : new Error(String(error)),
  };
}

/** Counts by reason, summed. */
function sumExclusions(counts: readonly ExclusionCounts[]): ExclusionCounts {
  const total = emptyExclusionCounts();
  for (const c of counts) for (const k of Object.keys(total) as ExclusionReason[]) total[k] += c[k];
  return total;
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}
