/**
 * Apply: writes thresholds, `sigma_pass`, failure probabilities and risk categories to every track of a model in
 * batches, and replays drift detection over the records after the model's baseline. One model at a time; every
 * batch is one transaction, so an interrupted apply leaves whole batches and a rerun completes the job.
 *
 * @module
 */
import { throwIfAborted } from '../core/errors.js';
import { exclusionReason } from '../core/features.js';
import type { FormulaThresholdFn } from '../core/formula.js';
import type { ModelName, TrimTrack } from '../core/types.js';
import type { DriftAlert, DriftDirection, MLRepository, ModelMLState, TrackResultWrite } from '../storage/repository.js';
import { unitSeries, type DriftPoint } from './drift-series.js';
import type { BatchWriter } from './batch-writer.js';
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
}

/** Applies one model. Throws on abort (the batches written so far are complete). */
export async function applyModel(plan: ApplyPlan, ctx: ApplyContext): Promise<ApplyModelResult & { driftUpdate: Parameters<MLRepository['updateDriftState']>[1] | null }> {
  let tracks = 0;
  let learned = 0;
  let formula = 0;
  let withProbability = 0;
  let driftPoints: DriftPoint[] = [];
  const write = async (batch: TrimTrack[], probabilities: Float64Array | null, ok: Uint8Array | null): Promise<void> => {
    throwIfAborted(ctx.signal);
    const writes: TrackResultWrite[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const t = batch[i]!;
      const usable = exclusionReason(t) === null;
      let threshold: number;
      if (plan.learnedThreshold !== null) {
        threshold = plan.learnedThreshold;
        learned++;
      } else {
        threshold = ctx.formula(t);
        formula++;
      }
      const raw = probabilities && ok && ok[i] ? probabilities[i]! : Number.NaN;
      const p = usable && Number.isFinite(raw) ? raw : null;
      if (p !== null) withProbability++;
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
        if (after) {
          driftPoints.push({ trimResultId: t.trimResultId, trackResultId: t.trackResultId, fileDate: t.fileDate, sigma: t.sigmaGradient! });
        }
      }
    }
    await ctx.writer.add(plan.model, writes);
    tracks += batch.length;
  };

  // Pipeline: while batch k is scored (in the scoring worker when there is one), batch k − 1 is written and
  // batch k + 1 is read.
  const reader = ctx.repository.readTracksForApply(plan.model, { batchSize: ctx.batchSize })[Symbol.asyncIterator]();
  let current = await reader.next();
  let previous: { batch: TrimTrack[]; probabilities: Float64Array | null; ok: Uint8Array | null } | null = null;
  try {
    while (!current.done) {
      throwIfAborted(ctx.signal);
      const batch = current.value;
      const f = plan.scorer ? plan.scorer.features(batch) : null;
      const scoring = f && plan.scorer ? Promise.resolve(plan.scorer.predict(f.data)) : null;
      // A failed scoring must not go unobserved while the other work runs; it is rethrown below.
      scoring?.catch(() => undefined);
      // The write of batch k − 1 and the read of batch k + 1 overlap on engines with asynchronous I/O.
      const [, next] = await Promise.all([previous ? write(previous.batch, previous.probabilities, previous.ok) : undefined, reader.next()]);
      previous = null;
      current = next;
      previous = { batch, probabilities: scoring ? await scoring : null, ok: f ? f.ok : null };
    }
    if (previous) await write(previous.batch, previous.probabilities, previous.ok);
  } finally {
    if (!current.done) await reader.return?.();
  }

  let newAlerts = 0;
  let driftUpdate: Parameters<MLRepository['updateDriftState']>[1] | null = null;
  let isDrifting = plan.state?.isDrifting ?? false;
  let direction: DriftDirection | null = plan.state?.driftDirection ?? null;
  if (plan.driftReplay && plan.state) {
    // Drift runs in time order (the apply read is in id order), one value per unit (see drift-series.ts).
    const { dates, sigma } = unitSeries(driftPoints);
    driftPoints = [];
    const replay = plan.driftReplay({ dates, sigma });
    throwIfAborted(ctx.signal);
    newAlerts = replay.alerts.length > 0 ? await ctx.repository.saveDriftAlerts(replay.alerts) : 0;
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
    await ctx.repository.updateDriftState(plan.model, driftUpdate);
  }
  return {
    model: plan.model,
    tracks,
    learnedThresholdTracks: learned,
    formulaThresholdTracks: formula,
    probabilityTracks: withProbability,
    predictorKind: plan.predictorKind,
    newDriftAlerts: newAlerts,
    isDrifting,
    driftDirection: direction,
    driftUpdate,
  };
}
