/**
 * A model's drift baseline at training: kept from the previous training when there is one (control limits are frozen
 * after they are established, so a retrain neither absorbs a drift into the baseline nor re-reports an episode with
 * a new onset); otherwise the first 30% of the clean history (min `minDriftBaseline`, max 500 units). Drift watches
 * one value per unit (a dual-track part's two tracks are one sample; see drift-series.ts).
 *
 * @module
 */
import type { ModelName, TrainingRecord } from '../../core/types.js';
import { ModelDriftDetector, unitsPerYearOf } from '../../drift/index.js';
import type { DriftBaselineEnd, DriftMonitoring } from '../components-state.js';
import { unitSeries } from '../drift-series.js';

/** The detector with its baseline set (when `driftOk`), where the baseline ends, and whether monitoring starts. */
export interface DriftBaselineOutcome {
  readonly drift: ModelDriftDetector;
  readonly driftOk: boolean;
  readonly baselineEnd: DriftBaselineEnd | null;
  readonly driftMonitoring: DriftMonitoring;
}

/** Establishes (or keeps, from `prev`) the drift baseline of a model's clean records, in date order. */
export function driftBaselineOf(
  model: ModelName,
  clean: readonly TrainingRecord[],
  prev: DriftBaselineEnd | null,
  minDriftBaseline: number,
): DriftBaselineOutcome {
  const drift = new ModelDriftDetector(model);
  const units = unitSeries(
    clean.map((r) => ({ trimResultId: r.trimResultId, trackResultId: r.trackResultId, fileDate: r.fileDate, sigma: r.sigmaGradient! })),
  );
  const nUnits = units.sigma.length;
  let nBase = 0;
  if (prev) {
    const endT = new Date(prev.fileDate).getTime();
    while (nBase < nUnits) {
      const t = units.dates[nBase]!.getTime();
      if (t < endT || (t === endT && units.lastTrackIds[nBase]! <= prev.trackResultId)) nBase++;
      else break;
    }
    if (nBase < minDriftBaseline) nBase = 0;
  }
  if (nBase === 0) {
    const n = Math.min(500, Math.max(minDriftBaseline, Math.floor(nUnits * 0.3)));
    if (nUnits >= n + 1 && n >= minDriftBaseline) nBase = n;
  }
  let driftOk = false;
  let baselineEnd: DriftBaselineEnd | null = null;
  if (nBase > 0) {
    // The monitoring horizon is a year of this model's production, its rate measured over its whole history.
    const unitsPerYear = unitsPerYearOf(units.dates) ?? undefined;
    driftOk = drift.setBaseline(Array.from(units.sigma.subarray(0, nBase)), units.dates.slice(0, nBase), { unitsPerYear });
    if (driftOk) {
      baselineEnd = { fileDate: units.dates[nBase - 1]!.toISOString(), trackResultId: units.lastTrackIds[nBase - 1]!, samples: nBase };
    }
  }
  return {
    drift,
    driftOk,
    baselineEnd,
    driftMonitoring: driftMonitoringOf(nUnits, nBase, driftOk, minDriftBaseline, drift.baselineFailureReason),
  };
}

/**
 * Whether drift monitoring starts: it needs a baseline of `minDriftBaseline` units and at least one unit after it
 * (the rule of {@link driftBaselineOf}), and the detector's acceptance of that baseline.
 *
 * @param nUnits - units in the clean history; @param nBase - units chosen for the baseline (0: too few).
 */
export function driftMonitoringOf(
  nUnits: number,
  nBase: number,
  accepted: boolean,
  minDriftBaseline: number,
  refusal: string | null,
): DriftMonitoring {
  if (accepted) return { monitoring: true, units: nUnits, unitsNeeded: null, reason: null };
  if (nBase === 0) {
    const unitsNeeded = Math.max(1, minDriftBaseline + 1 - nUnits);
    return {
      monitoring: false,
      units: nUnits,
      unitsNeeded,
      reason: `Drift not monitored yet: ${nUnits} units; a baseline needs ${minDriftBaseline} and monitoring one more (${unitsNeeded} more).`,
    };
  }
  return {
    monitoring: false,
    units: nUnits,
    unitsNeeded: null,
    reason: `Drift not monitored: ${refusal ?? 'the detector refused the baseline.'}`,
  };
}
