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
import { AbortedError, throwIfAborted } from '../../core/errors.js';
import { emptyExclusionCounts, exclusionReason } from '../../core/features.js';
import type { FormulaThresholdFn } from '../../core/formula.js';
import type { ModelName, TrimTrack } from '../../core/types.js';
import type { TrackScorer } from '../scorer.js';
import type { DriftAlert, DriftDirection, DriftStateColumns, MLRepository, ModelMLState, TrackResultWrite } from '../../storage/repository.js';
import { saveDriftAlertsWithState } from '../../storage/repository-helpers.js';
import { DriftStateWriter } from '../runtime/drift-writer.js';
import type { TrackSource } from './track-source.js';
import { compareUnits, unitSeries, type DriftPoint, type UnitSeries } from '../drift-series.js';
import { parseComponents, type ComponentsState, type DriftThrough } from '../components-state.js';
import type { ModelDriftDetectorState } from '../../drift/index.js';
import { BatchWriteError, type BatchWriter } from '../runtime/batch-writer.js';
import { riskCategoryOf, type ApplyModelResult, type PredictorKind } from '../types.js';

/**
 * Replays drift over a model's post-baseline series, from the baseline's detector state or from `from` (a stored
 * `ModelDriftDetector` state that has seen the units before the series); returns the alerts and the final state.
 */
export type DriftReplay = (series: { dates: Date[]; sigma: Float64Array }, from?: ModelDriftDetectorState) => {
  alerts: Omit<DriftAlert, 'id' | 'createdDate'>[];
  isDrifting: boolean;
  direction: DriftDirection | null;
  cusumPos: number;
  cusumNeg: number;
  ewmaValue: number | null;
  stateJson: ModelDriftDetectorState;
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
  /** Which tracks the plan reads and writes: all of the model's, or only those without a result (incremental). */
  readonly scope: 'all' | 'pending';
  /** Incremental apply: the stored drift state to continue and where it stands; `null`: replay from the baseline. */
  readonly driftFrom: { readonly state: ModelDriftDetectorState; readonly through: DriftThrough } | null;
  /** Incremental apply: why this model is applied in full (`null` otherwise). */
  readonly fullReason: string | null;
  /** The state's parsed components (`null` without a state); not modified. */
  readonly components: ComponentsState | null;
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
  /** The largest trim run id among the tracks read (`-Infinity`: none). */
  maxTrimResultId = Number.NEGATIVE_INFINITY;
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
      // The batch's models fail: reported once, at this model's end (the caller fails the batch's other models).
      run.error = error;
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

/**
 * The result columns of one track under a plan: the learned threshold (else the formula), `sigma_pass`, the
 * probability and its risk category. What apply writes and `scoreTracks` returns.
 */
export function trackResultOf(
  plan: Pick<ApplyPlan, 'learnedThreshold' | 'version'>,
  t: TrimTrack,
  probability: number,
  formula: FormulaThresholdFn,
  riskCutoffs: { readonly medium: number; readonly high: number },
  usable = exclusionReason(t) === null,
): TrackResultWrite {
  const threshold = plan.learnedThreshold ?? formula(t);
  const p = usable && Number.isFinite(probability) ? probability : null;
  return {
    trackResultId: t.trackResultId,
    sigmaThreshold: threshold,
    sigmaPass: usable ? t.sigmaGradient! <= threshold : null,
    failureProbability: p,
    riskCategory: riskCategoryOf(p, riskCutoffs),
    mlModelVersion: plan.version,
  };
}

/** The drift point of a track: usable and after the model's baseline; else `null`. */
function driftPointOf(plan: ApplyPlan, t: TrimTrack, usable = exclusionReason(t) === null): DriftPoint | null {
  const after = plan.driftAfter;
  if (after === null || !usable) return null;
  const time = t.fileDate.getTime();
  const at = after.date.getTime();
  if (time < at || (time === at && t.trackResultId <= after.trackResultId)) return null;
  return { trimResultId: t.trimResultId, trackResultId: t.trackResultId, fileDate: t.fileDate, sigma: t.sigmaGradient! };
}

/** The rows apply writes for one batch (and the drift points it contributes). */
function resultsOf(run: ModelRun, batch: readonly TrimTrack[], probabilities: Float64Array | null, ok: Uint8Array | null, ctx: ApplyContext): TrackResultWrite[] {
  const plan = run.plan;
  const writes = new Array<TrackResultWrite>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i]!;
    const reason = exclusionReason(t);
    if (reason !== null) run.excluded[reason]++;
    if (plan.learnedThreshold !== null) run.learned++;
    else run.formula++;
    const raw = probabilities && ok && ok[i] ? probabilities[i]! : Number.NaN;
    const w = trackResultOf(plan, t, raw, ctx.formula, ctx.riskCutoffs, reason === null);
    if (w.failureProbability !== null) run.withProbability++;
    writes[i] = w;
    if (t.trimResultId > run.maxTrimResultId) run.maxTrimResultId = t.trimResultId;
    const point = driftPointOf(plan, t, reason === null);
    if (point !== null) run.driftPoints.push(point);
  }
  run.tracks += batch.length;
  return writes;
}

/**
 * Why the new units cannot continue the stored drift state (`null`: they can). They can when every one comes after
 * the last unit the state has seen (date, then first track id) and belongs to a trim run newer than every applied
 * one (so that no new track joins a unit already charted); the series is then the same as a full replay's.
 */
export function lateUnitReason(series: UnitSeries, points: readonly DriftPoint[], through: DriftThrough): string | null {
  if (through.maxTrimResultId !== null) {
    const old = points.find((p) => p.trimResultId <= through.maxTrimResultId!);
    if (old !== undefined) {
      return `track ${old.trackResultId} belongs to trim run ${old.trimResultId}, not newer than the runs already applied (${through.maxTrimResultId}): drift replayed from the baseline`;
    }
  }
  if (through.lastUnit !== null && series.dates.length > 0) {
    const last = { time: Date.parse(through.lastUnit.fileDate), firstTrackId: through.lastUnit.firstTrackResultId };
    const first = { time: series.dates[0]!.getTime(), firstTrackId: series.firstTrackIds[0]! };
    if (compareUnits(first, last) <= 0) {
      return `a new unit dated ${series.dates[0]!.toISOString()} is not after the last unit charted (${through.lastUnit.fileDate}): drift replayed from the baseline`;
    }
  }
  return null;
}

/** Every drift point of the model (all its tracks, read again), for a replay from the baseline; and the largest trim run id. */
async function allDriftPoints(ctx: ApplyContext, plan: ApplyPlan): Promise<{ points: DriftPoint[]; maxTrimResultId: number }> {
  const points: DriftPoint[] = [];
  let maxTrimResultId = Number.NEGATIVE_INFINITY;
  for await (const batch of ctx.repository.readTracksForApply(plan.model, { batchSize: ctx.batchSize })) {
    throwIfAborted(ctx.signal);
    for (const t of batch) {
      if (t.trimResultId > maxTrimResultId) maxTrimResultId = t.trimResultId;
      const p = driftPointOf(plan, t);
      if (p !== null) points.push(p);
    }
  }
  return { points, maxTrimResultId };
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
  let drift: ApplyModelResult['drift'] = 'none';
  let fullReason = plan.fullReason;
  if (plan.driftReplay && plan.state) {
    // Drift runs in time order (the apply read is in id order), one value per unit (see drift-series.ts).
    let series = unitSeries(run.driftPoints);
    let from: ModelDriftDetectorState | undefined;
    let through: DriftThrough;
    const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
    const late = plan.driftFrom ? lateUnitReason(series, run.driftPoints, plan.driftFrom.through) : null;
    if (plan.driftFrom && late === null) {
      // Incremental: the stored state has seen every earlier unit; it continues over the new ones.
      from = plan.driftFrom.state;
      drift = 'continued';
      const prev = plan.driftFrom.through;
      through = {
        lastUnit: lastUnitOf(series) ?? prev.lastUnit,
        maxTrimResultId: finite(Math.max(prev.maxTrimResultId ?? Number.NEGATIVE_INFINITY, run.maxTrimResultId)),
      };
    } else {
      let maxTrim = run.maxTrimResultId;
      if (plan.driftFrom) {
        // A late unit: the full series (every track of the model, read again) from the baseline.
        fullReason = late;
        const all = await allDriftPoints(ctx, plan);
        series = unitSeries(all.points);
        maxTrim = all.maxTrimResultId;
      }
      from = undefined;
      drift = 'replayed';
      through = { lastUnit: lastUnitOf(series), maxTrimResultId: finite(maxTrim) };
    }
    run.driftPoints = [];
    const replay = plan.driftReplay({ dates: series.dates, sigma: series.sigma }, from);
    throwIfAborted(ctx.signal);
    isDrifting = replay.isDrifting;
    direction = replay.direction;
    // The stored components with the new drift state (a copy: the plan's parsed components stay as stored).
    const components: ComponentsState = {
      ...(plan.components ?? parseComponents(plan.state.componentsJson, plan.model)),
      driftCurrent: replay.stateJson,
      driftThrough: through,
    };
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
    scope: plan.scope,
    drift,
    fullReason,
    driftUpdate,
  };
}

/** The last unit of a series, as {@link DriftThrough} records it. */
function lastUnitOf(series: UnitSeries): DriftThrough['lastUnit'] {
  const n = series.dates.length;
  return n === 0 ? null : { fileDate: series.dates[n - 1]!.toISOString(), firstTrackResultId: series.firstTrackIds[n - 1]! };
}
