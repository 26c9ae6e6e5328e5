/**
 * The chart data of one model or of the whole plant, read through an {@link MLManager}: its repository's states,
 * tracks and alerts, its training status and its options (formula threshold, minimum samples).
 *
 * @module
 */
import { NotTrainedError, throwIfAborted } from '../core/errors.js';
import type { ModelName, TrainingRecord } from '../core/types.js';
import { parseComponents, type ComponentsState } from '../manager/components-state.js';
import type { MLManager } from '../manager/ml-manager.js';
import { loadPooledModel } from '../manager/pooled/pooled.js';
import type { TrainingStatusRow } from '../manager/types.js';
import type { ModelMLState } from '../storage/repository.js';
import { readTrainingRecordsOfModels } from '../storage/repository-helpers.js';
import { buildModelChartData } from './model-charts.js';
import type { ModelChartData, PlantChartData } from './types.js';

/** Options of {@link plantChartData}. */
export interface PlantChartOptions {
  /** Only these models (default: every model of the repository). */
  readonly models?: readonly ModelName[];
  readonly signal?: AbortSignal;
  /** Called after each model's chart data is built. */
  readonly onModel?: (model: ModelName, done: number, total: number) => void;
}

/** What every model's chart data needs from the plant, read once. */
interface PlantContext {
  readonly states: Map<ModelName, ModelMLState>;
  readonly status: Map<ModelName, TrainingStatusRow>;
  readonly openAlerts: Map<ModelName, number>;
  readonly pooledImportance: Record<string, number> | null;
}

async function plantContext(ml: MLManager): Promise<PlantContext & { statusTotals: Omit<PlantChartData['totals'], 'models' | 'tracks'> }> {
  const [states, status, alerts, pooled] = await Promise.all([
    ml.repository.listModelStates(),
    ml.getTrainingStatus(),
    ml.getDriftAlerts({ unacknowledgedOnly: true }),
    loadPooledModel(ml.repository),
  ]);
  const openAlerts = new Map<ModelName, number>();
  for (const a of alerts) openAlerts.set(a.model, (openAlerts.get(a.model) ?? 0) + 1);
  return {
    states: new Map(states.map((s) => [s.model, s])),
    status: new Map(status.rows.map((r) => [r.model, r])),
    openAlerts,
    pooledImportance: pooled?.predictor.getFeatureImportance() ?? null,
    statusTotals: { trained: status.trained, needMoreData: status.needMoreData, drifting: status.drifting, failed: status.failed },
  };
}

function componentsOf(state: ModelMLState | undefined): ComponentsState | null {
  if (!state) return null;
  try {
    return parseComponents(state.componentsJson, state.model);
  } catch {
    return null; // a state of another version: charted as untrained (training replaces it)
  }
}

function build(ml: MLManager, ctx: PlantContext, model: ModelName, records: readonly TrainingRecord[]): ModelChartData {
  const state = ctx.states.get(model);
  return buildModelChartData({
    model,
    state,
    components: componentsOf(state),
    status: ctx.status.get(model),
    records,
    formula: ml.options.formulaThreshold,
    // The fewest samples that train a model at all (the plant-backed tier's minimum), as the status table counts it.
    minSamples: Math.min(ml.options.minSamples, ml.options.minPlantBackedSamples),
    openAlerts: ctx.openAlerts.get(model) ?? 0,
    pooledImportance: ctx.pooledImportance,
  });
}

/**
 * One model's chart data: the ln(sigma) control chart with the detector's centre line and limits, the CUSUM and EWMA
 * statistics with their decision limits and episodes, the sigma distributions of passing and failing tracks with the
 * learned and formula thresholds, the predictor's out-of-sample reliability diagram and the feature importances.
 * Throws {@link NotTrainedError} for a model the repository has no tracks or state of.
 *
 * @example
 * ```ts
 * const charts = await modelChartData(ml, '8340-1');
 * if (charts.drift.available) console.log('CUSUM h =', charts.drift.h, charts.drift.episodes.length, 'episodes');
 * if (charts.sigmaDistribution.available) console.log(charts.sigmaDistribution.learnedThreshold);
 * ```
 */
export async function modelChartData(ml: MLManager, model: ModelName): Promise<ModelChartData> {
  const ctx = await plantContext(ml);
  const records: TrainingRecord[] = [];
  for await (const batch of ml.repository.readTrainingRecords(model)) records.push(...batch);
  if (records.length === 0 && !ctx.states.has(model)) {
    throw new NotTrainedError(
      `Model ${JSON.stringify(model)} has no tracks and no state in this database; check the model name (\`laser-trim-ml status\` lists them).`,
    );
  }
  return build(ml, ctx, model, records);
}

/**
 * The chart data of every model (or of `options.models`), read with the repository's bulk reader, in the order of
 * `listModels()`. The report (`writePlantReport`) draws it.
 *
 * @example
 * ```ts
 * const plant = await plantChartData(ml);
 * const worst = [...plant.models].sort((a, b) => (b.summary.failureRate ?? 0) - (a.summary.failureRate ?? 0))[0];
 * ```
 */
export async function plantChartData(ml: MLManager, options: PlantChartOptions = {}): Promise<PlantChartData> {
  const ctx = await plantContext(ml);
  const summaries = await ml.repository.listModels();
  const wanted = options.models ? new Set(options.models) : null;
  const requests = summaries.filter((s) => !wanted || wanted.has(s.model));
  const models: ModelChartData[] = [];
  let pending: TrainingRecord[] = [];
  for await (const { model, records, last } of readTrainingRecordsOfModels(ml.repository, requests)) {
    throwIfAborted(options.signal);
    pending.push(...records);
    if (!last) continue;
    models.push(build(ml, ctx, model, pending));
    pending = [];
    options.onModel?.(model, models.length, requests.length);
  }
  return {
    generatedAt: new Date(),
    models,
    totals: { models: models.length, tracks: models.reduce((s, m) => s + m.summary.tracks, 0), ...ctx.statusTotals },
  };
}
