/**
 * The design's settings-page table ({@link MLManager.getTrainingStatus}): one row per stored state, and the counts.
 *
 * @module
 */
import { emptyExclusionCounts } from '../core/features.js';
import type { ModelMLState } from '../storage/repository.js';
import { parseComponents, storedThresholdResult, tierOf, type ComponentsState } from './components-state.js';
import { effectiveMinToTrain, type ResolvedManagerOptions } from './options.js';
import type { ModelTrainingStatus, TrainingStatus, TrainingStatusRow } from './types.js';

/**
 * The status as the design's table shows it: `trained`, `drifting`, `need N more` (N = `samplesNeeded`), `untrained`
 * or `failed`.
 */
export function trainingStatusText(row: Pick<TrainingStatusRow, 'status' | 'samplesNeeded'>): string {
  return row.status === 'need_more_data' ? `need ${row.samplesNeeded} more` : row.status;
}

function safeComponents(s: ModelMLState): ComponentsState | null {
  try {
    return parseComponents(s.componentsJson, s.model);
  } catch {
    // A state from another version: the status table shows it as untrained; training replaces it.
    return null;
  }
}

/** The status of one model and, when it needs more data, how many more samples. */
function statusOf(s: ModelMLState, samples: number, minToTrain: number): { status: ModelTrainingStatus; samplesNeeded: number | null } {
  if (s.lastError !== null) return { status: 'failed', samplesNeeded: null };
  if (!s.isTrained)
    return samples < minToTrain
      ? { status: 'need_more_data', samplesNeeded: minToTrain - samples }
      : { status: 'untrained', samplesNeeded: null };
  return { status: s.isDrifting ? 'drifting' : 'trained', samplesNeeded: null };
}

/** One row of the table. */
function statusRow(s: ModelMLState, o: Pick<ResolvedManagerOptions, 'minSamples' | 'minPlantBackedSamples'>): TrainingStatusRow {
  const c = safeComponents(s);
  const samples = c?.training.samples ?? s.trainingSamples;
  // The fewest samples that train the model at all (the plant-backed tier's minimum; states saved before tiers: minSamples).
  const minToTrain = c ? (c.training.minPlantBackedSamples ?? c.training.minSamples) : effectiveMinToTrain(o);
  const t = storedThresholdResult(c);
  const base = {
    model: s.model,
    samples,
    sigmaThreshold: s.sigmaThreshold,
    thresholdSource: s.sigmaThreshold !== null && t ? (t.source ?? 'own') : 'formula',
    thresholdWeight: s.sigmaThreshold !== null && t ? (t.weight ?? 1) : null,
    accuracy: s.predictorAccuracy,
    auc: s.predictorAuc,
    predictorKind: c?.predictor.kind ?? 'none',
    labelSource: s.labelSource,
    tier: tierOf(s.isTrained, c),
    driftUnitsNeeded: s.isTrained ? (c?.training.drift?.unitsNeeded ?? null) : null,
    driftMonitored: s.isTrained && s.driftBaselineMean !== null,
    // Counts stored by an earlier version lack the newer reasons: those read as 0.
    excluded: c?.training.excluded ? { ...emptyExclusionCounts(), ...c.training.excluded } : null,
    trainingDate: s.trainingDate,
  } as const;
  const st = statusOf(s, samples, minToTrain);
  return st.status === 'need_more_data'
    ? { ...base, status: 'need_more_data', samplesNeeded: st.samplesNeeded! }
    : { ...base, status: st.status, samplesNeeded: null };
}

/** The table of every stored state, biggest models first. */
export function buildTrainingStatus(
  states: Iterable<ModelMLState>,
  o: Pick<ResolvedManagerOptions, 'minSamples' | 'minPlantBackedSamples'>,
): TrainingStatus {
  const rows: TrainingStatusRow[] = [];
  let lastTrained: Date | null = null;
  for (const s of states) {
    rows.push(statusRow(s, o));
    if (s.trainingDate && (!lastTrained || s.trainingDate > lastTrained)) lastTrained = s.trainingDate;
  }
  rows.sort((a, b) => b.samples - a.samples || (a.model < b.model ? -1 : 1));
  const trained = rows.filter((r) => r.status === 'trained' || r.status === 'drifting');
  return {
    rows,
    trained: trained.length,
    plantBacked: trained.filter((r) => r.tier === 'plant-backed').length,
    needMoreData: rows.filter((r) => r.status === 'need_more_data').length,
    drifting: rows.filter((r) => r.status === 'drifting').length,
    failed: rows.filter((r) => r.status === 'failed').length,
    lastTrained,
  };
}
