/**
 * A model's end in the apply pipeline: its drift replayed over its post-baseline units (or continued from the stored
 * state over the new ones, in an incremental apply), the alerts and the running state stored.
 *
 * @module
 */
import { throwIfAborted } from '../../core/errors.js';
import type { ModelName } from '../../core/types.js';
import type { ModelDriftDetectorState } from '../../drift/index.js';
import type { DriftDirection, DriftStateColumns } from '../../storage/repository.js';
import { saveDriftAlertsWithState } from '../../storage/repository-helpers.js';
import { parseComponents, type ComponentsState, type DriftThrough } from '../components-state.js';
import { compareUnits, unitSeries, type DriftPoint, type UnitSeries } from '../drift-series.js';
import type { DriftStateWriter } from '../runtime/drift-writer.js';
import type { ApplyModelResult } from '../types.js';
import { driftPointOf, type AppliedModel, type ApplyContext, type ApplyPlan, type ModelRun } from './plan.js';

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
// ~90 lines: the two ways a model's drift goes on (continued from the stored state, or replayed from the baseline,
// with a late unit's full read), then the one place its drift columns and alerts are stored; each branch sets the
// same five values, which a split would have to return and merge.
export async function finishModel(
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
