/**
 * Apply: writes thresholds, `sigma_pass`, failure probabilities and risk categories to every track in batches, and
 * replays drift detection over each model's records after its baseline. Every batch is one transaction, so an
 * interrupted apply leaves whole batches and a rerun completes the job.
 *
 * The work is a pipeline across models: while the scoring worker predicts batch k, the main thread reads and builds
 * the features of batch k + 1 (of the same or the next model) and writes batch k − 1. Most models are small (one
 * batch), so a per-model pipeline would leave the worker and the main thread waiting on each other.
 *
 * @module
 */
import { AbortedError, throwIfAborted } from '../core/errors.js';
import { emptyExclusionCounts, exclusionReason } from '../core/features.js';
import type { FormulaThresholdFn } from '../core/formula.js';
import type { ModelName, TrimTrack } from '../core/types.js';
import type { DriftAlert, DriftDirection, DriftStateColumns, MLRepository, ModelMLState, TrackResultWrite } from '../storage/repository.js';
import { saveDriftAlertsWithState } from '../storage/repository-helpers.js';
import { DriftStateWriter } from './drift-writer.js';
import type { TrackSource } from './track-source.js';
import { unitSeries, type DriftPoint } from './drift-series.js';
import { BatchWriteError, type BatchWriter } from './batch-writer.js';
import { riskCategoryOf, type ApplyModelResult, type PredictorKind } from './types.js';

/**
 * Scores tracks in two steps, so that prediction can run in a worker while the main thread reads and writes:
 * `features` builds the row-major matrix (and marks the rows that can be scored), `predict` turns it into failure
 * probabilities (in this thread, or in the scoring worker).
 */
export interface TrackScorer {
  features(tracks: readonly TrimTrack[]): { data: Float64Array; ok: Uint8Array };
  predict(data: Float64Array): Float64Array | Promise<Float64Array>;
  /** The same in this thread (for single lookups). */
  predictNow(data: Float64Array): Float64Array;
}

/** Probabilities of tracks now, in this thread (NaN where a track cannot be scored). */
export function scoreNow(scorer: TrackScorer, tracks: readonly TrimTrack[]): Float64Array {
  const { data, ok } = scorer.features(tracks);
  const p = scorer.predictNow(data);
  for (let i = 0; i < tracks.length; i++) if (!ok[i]) p[i] = Number.NaN;
  return p;
}

/** Replays drift over a model's post-baseline series; returns the alerts and the final running state. */
export type DriftReplay = (series: { dates: Date[]; sigma: Float64Array }) => {
  alerts: Omit<DriftAlert, 'id' | 'createdDate'>[];
  isDrifting: boolean;
  direction: DriftDirection | null;
  cusumPos: number;
  cusumNeg: number;
  ewmaValue: number | null;
  stateJson: unknown;
};

/** What apply needs to know of one model. */
export interface ApplyPlan {
  readonly model: ModelName;
  readonly state: ModelMLState | null;
  readonly learnedThreshold: number | null;
  readonly scorer: TrackScorer | null;
  readonly predictorKind: PredictorKind;
  /** Records strictly after this (date, id) feed drift detection; `null`: no drift for this model. */
  readonly driftAfter: { readonly date: Date; readonly trackResultId: number } | null;
  readonly driftReplay: DriftReplay | null;
  readonly version: string;
}

/** Context of one apply run. */
export interface ApplyContext {
  readonly repository: MLRepository;
  readonly formula: FormulaThresholdFn;
  readonly riskCutoffs: { readonly medium: number; readonly high: number };
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  /** Where the track results go (batched across models, one transaction per batch). */
  readonly writer: BatchWriter;
  /** Where each model's tracks come from (opened in plan order). */
  readonly tracks: TrackSource;
}

/** One model's progress through the pipeline. */
class ModelRun {
  tracks = 0;
  learned = 0;
  formula = 0;
  withProbability = 0;
  /** Tracks hygiene excludes, by reason (they get the threshold, but no sigma_pass, probability or drift point). */
  excluded = emptyExclusionCounts();
  driftPoints: DriftPoint[] = [];
  error: unknown = null;
  constructor(readonly plan: ApplyPlan) {}
}

/** One read batch on its way through the pipeline (or the end-of-model marker). */
interface Stage {
  readonly run: ModelRun;
  readonly batch: TrimTrack[] | null;
  readonly ok: Uint8Array | null;
  readonly scoring: Promise<Float64Array> | null;
}

/** Read batches kept in flight (read and scored ahead of the write). */
const PIPELINE_DEPTH = 4;

/** The result of one model, with the drift columns it updated. */
export type AppliedModel = ApplyModelResult & { driftUpdate: DriftStateColumns | null };

/**
 * Runs apply over the plans in order. `onModel` receives each model's result (or error) as soon as its last batch is
 * queued for writing and its drift is replayed. Throws on abort (the batches written so far are complete).
 */
export async function applyPipeline(
  plans: AsyncIterable<ApplyPlan | { readonly model: ModelName; readonly error: unknown }>,
  ctx: ApplyContext,
  onModel: (model: ModelName, result: AppliedModel | { error: unknown }) => void,
): Promise<void> {
  const inflight: Stage[] = [];
  const driftUpdates: { model: ModelName; update: Promise<void> }[] = [];
  const driftWriter = new DriftStateWriter(ctx.repository);
  const consume = async (stage: Stage): Promise<void> => {
    const { run } = stage;
    if (stage.batch === null) {
      // End of the model.
      if (run.error !== null) return onModel(run.plan.model, { error: run.error });
      try {
        onModel(run.plan.model, await finishModel(run, ctx, driftWriter, driftUpdates));
      } catch (error) {
        // Aborted (by the caller, or by a lost lock): stop the run, not just this model.
        throwIfAborted(ctx.signal);
        if (error instanceof AbortedError) throw error;
        onModel(run.plan.model, { error });
      }
      return;
    }
    let probabilities: Float64Array | null = null;
    try {
      probabilities = stage.scoring ? await stage.scoring : null;
    } catch (error) {
      run.error ??= error;
    }
    if (run.error !== null) return;
    try {
      await ctx.writer.add(run.plan.model, resultsOf(run, stage.batch, probabilities, stage.ok, ctx));
    } catch (error) {
      if (!(error instanceof BatchWriteError)) throw error;
      // The batch's models fail (reported now; again at this model's end, which the caller treats as the same).
      run.error = error;
      onModel(run.plan.model, { error });
    }
  };
  // Keep a few stages in flight: the worker scores them while this thread reads the next batches and writes older
  // ones (depth 1 left the worker idle while this thread wrote; measured on the 80k-track plant).
  const drain = async (keep: number): Promise<void> => {
    while (inflight.length > keep) await consume(inflight.shift()!);
  };
  // Look one model ahead: its plan is built and its first batch read while this model's batches are consumed, so on
  // engines with asynchronous I/O (PostgreSQL) that read overlaps this model's writes.
  type Opened =
    | { readonly plan: ApplyPlan; readonly reader: AsyncIterator<TrimTrack[]>; readonly first: Promise<IteratorResult<TrimTrack[]>> | null }
    | { readonly failed: { readonly model: ModelName; readonly error: unknown } };
  const planIterator = plans[Symbol.asyncIterator]();
  const open = async (): Promise<Opened | null> => {
    const next = await planIterator.next();
    if (next.done) return null;
    const plan = next.value;
    if ('error' in plan) return { failed: plan };
    const { reader, eager } = ctx.tracks.open(plan.model);
    // Per-model readers start now (their first read overlaps this model's work); a shared stream reads ahead itself.
    const first = eager ? reader.next() : null;
    first?.catch(() => undefined); // observed below
    return { plan, reader, first };
  };
  let ahead: Promise<Opened | null> = open();
  ahead.catch(() => undefined);
  let reading: AsyncIterator<TrimTrack[]> | null = null;
  try {
    for (;;) {
      const opened = await ahead;
      if (opened === null) break;
      throwIfAborted(ctx.signal);
      ahead = open();
      ahead.catch(() => undefined);
      if ('failed' in opened) {
        await drain(0);
        onModel(opened.failed.model, { error: opened.failed.error });
        continue;
      }
      const { plan } = opened;
      const run = new ModelRun(plan);
      reading = opened.reader;
      try {
        let r = await (opened.first ?? opened.reader.next());
        while (!r.done) {
          throwIfAborted(ctx.signal);
          const batch = r.value;
          const f = plan.scorer ? plan.scorer.features(batch) : null;
          const scoring = f && plan.scorer ? Promise.resolve(plan.scorer.predict(f.data)) : null;
          // Observed in consume(); this keeps a failure from being reported as unhandled meanwhile.
          scoring?.catch(() => undefined);
          inflight.push({ run, batch, ok: f ? f.ok : null, scoring });
          await drain(PIPELINE_DEPTH);
          r = await opened.reader.next();
        }
        reading = null;
      } catch (error) {
        // Aborted (by the caller, or by a lost lock) while reading: stop the run, not just this model.
        throwIfAborted(ctx.signal);
        if (error instanceof AbortedError) throw error;
        run.error ??= error;
      }
      inflight.push({ run, batch: null, ok: null, scoring: null });
      await drain(PIPELINE_DEPTH);
    }
    await drain(0);
    throwIfAborted(ctx.signal); // nothing more is written once the run is aborted (or its lock lost)
    driftWriter.flush();
    // A model whose drift row could not be updated fails (the caller replaces its earlier result).
    for (const { model, update } of driftUpdates) {
      try {
        await update;
      } catch (error) {
        onModel(model, { error });
      }
    }
  } finally {
    // Nothing may still be writing when this returns, also after an abort (what was still queued is dropped).
    driftWriter.discard();
    await Promise.allSettled(driftUpdates.map((d) => d.update));
    // After an abort or a failure the unscored stages are dropped (their scoring promises are already observed) and
    // open readers are closed.
    inflight.length = 0;
    await reading?.return?.();
    const pending = await ahead.catch(() => null);
    if (pending && 'reader' in pending) await pending.reader.return?.();
    await ctx.tracks.close();
  }
}

/** The rows apply writes for one batch (and the drift points it contributes). */
function resultsOf(run: ModelRun, batch: readonly TrimTrack[], probabilities: Float64Array | null, ok: Uint8Array | null, ctx: ApplyContext): TrackResultWrite[] {
  const plan = run.plan;
  const writes = new Array<TrackResultWrite>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i]!;
    const reason = exclusionReason(t);
    const usable = reason === null;
    if (reason !== null) run.excluded[reason]++;
    let threshold: number;
    if (plan.learnedThreshold !== null) {
      threshold = plan.learnedThreshold;
      run.learned++;
    } else {
      threshold = ctx.formula(t);
      run.formula++;
    }
    const raw = probabilities && ok && ok[i] ? probabilities[i]! : Number.NaN;
    const p = usable && Number.isFinite(raw) ? raw : null;
    if (p !== null) run.withProbability++;
    writes[i] = {
      trackResultId: t.trackResultId,
      sigmaThreshold: threshold,
      sigmaPass: usable ? t.sigmaGradient! <= threshold : null,
      failureProbability: p,
      riskCategory: riskCategoryOf(p, ctx.riskCutoffs),
      mlModelVersion: plan.version,
    };
    if (usable && plan.driftAfter) {
      const after =
        t.fileDate.getTime() > plan.driftAfter.date.getTime() ||
        (t.fileDate.getTime() === plan.driftAfter.date.getTime() && t.trackResultId > plan.driftAfter.trackResultId);
      if (after) run.driftPoints.push({ trimResultId: t.trimResultId, trackResultId: t.trackResultId, fileDate: t.fileDate, sigma: t.sigmaGradient! });
    }
  }
  run.tracks += batch.length;
  return writes;
}

/** Replays drift over the model's post-baseline units and stores the alerts and the running state. */
async function finishModel(
  run: ModelRun,
  ctx: ApplyContext,
  driftWriter: DriftStateWriter,
  pendingDriftUpdates: { model: ModelName; update: Promise<void> }[],
): Promise<AppliedModel> {
  const plan = run.plan;
  let newAlerts = 0;
  let driftUpdate: DriftStateColumns | null = null;
  let isDrifting = plan.state?.isDrifting ?? false;
  let direction: DriftDirection | null = plan.state?.driftDirection ?? null;
  if (plan.driftReplay && plan.state) {
    // Drift runs in time order (the apply read is in id order), one value per unit (see drift-series.ts).
    const { dates, sigma } = unitSeries(run.driftPoints);
    run.driftPoints = [];
    const replay = plan.driftReplay({ dates, sigma });
    throwIfAborted(ctx.signal);
    isDrifting = replay.isDrifting;
    direction = replay.direction;
    const components = JSON.parse(plan.state.componentsJson) as Record<string, unknown>;
    components['driftCurrent'] = replay.stateJson;
    driftUpdate = {
      cusumPos: replay.cusumPos,
      cusumNeg: replay.cusumNeg,
      ewmaValue: replay.ewmaValue,
      isDrifting: replay.isDrifting,
      driftDirection: replay.direction,
      componentsJson: JSON.stringify(components),
    };
    if (replay.alerts.length > 0) {
      // An alert and the running state that raised it are written together or not at all (one transaction where the
      // repository supports it; both validated first in any case).
      newAlerts = await saveDriftAlertsWithState(ctx.repository, replay.alerts, { model: plan.model, drift: driftUpdate });
    } else {
      // Not awaited here: the drift row is written with other models' in the background (see DriftStateWriter); the
      // pipeline awaits every one before it returns and reports failures.
      pendingDriftUpdates.push({ model: plan.model, update: driftWriter.add(plan.model, driftUpdate) });
    }
  }
  return {
    model: plan.model,
    tracks: run.tracks,
    learnedThresholdTracks: run.learned,
    formulaThresholdTracks: run.formula,
    probabilityTracks: run.withProbability,
    excluded: run.excluded,
    predictorKind: plan.predictorKind,
    newDriftAlerts: newAlerts,
    isDrifting,
    driftDirection: direction,
    driftUpdate,
  };
}
