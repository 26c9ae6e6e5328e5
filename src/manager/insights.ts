/**
 * Per-model and cross-model insights assembled from persisted states alone (so they survive a reload): the
 * profile's insights plus what the threshold, predictor and drift components add.
 *
 * @module
 */
import type { ModelName } from '../core/types.js';
import { ModelProfiler, type Insight, type ModelProfile } from '../profiler/index.js';
import type { ThresholdResult } from '../threshold/index.js';
import type { DriftAlert, DriftDirection, ModelMLState } from '../storage/repository.js';
import { parseComponents, storedThresholdResult, type ComponentsState, type PredictorChoice } from './components-state.js';
import type { ResolvedManagerOptions } from './options.js';
import type { PredictorKind } from './types.js';

/** A finding from the ML components (threshold, predictor, drift), shaped like the profile's insights. */
export interface MLInsight {
  readonly kind:
    'threshold_vs_formula' | 'no_learned_threshold' | 'predictor' | 'drifting' | 'training_failed' | 'plant_backed' | 'drift_not_monitored';
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message: string;
  readonly values: Record<string, number | string | null>;
}

/** Everything known about one model. */
export interface ModelInsights {
  readonly model: ModelName;
  readonly state: ModelMLState;
  readonly profile: ModelProfile | null;
  /** The threshold optimizer's full result (held-out comparison with the formula included), if it ran. */
  readonly threshold: ThresholdResult | null;
  readonly predictor: PredictorChoice | null;
  readonly drift: {
    readonly isDrifting: boolean;
    readonly direction: DriftDirection | null;
    readonly baselineMean: number | null;
    readonly baselineStd: number | null;
    readonly baselineP95: number | null;
    readonly baselineSamples: number;
    readonly alerts: DriftAlert[];
  };
  /** Profile insights first, then the ML components' findings. */
  readonly insights: (Insight | MLInsight)[];
}

function components(state: ModelMLState): ComponentsState | null {
  try {
    return parseComponents(state.componentsJson, state.model);
  } catch {
    return null;
  }
}

function profileOf(c: ComponentsState | null): ModelProfiler | null {
  if (!c?.profile) return null;
  try {
    const p = ModelProfiler.fromState(c.profile);
    return p.isBuilt ? p : null;
  } catch {
    return null;
  }
}

/** Builds the insights of one model from its state and alerts. */
export function buildModelInsights(state: ModelMLState, alerts: DriftAlert[], _o: ResolvedManagerOptions): ModelInsights {
  const c = components(state);
  const profiler = profileOf(c);
  const threshold = storedThresholdResult(c);
  const ml: MLInsight[] = [];
  if (state.lastError) {
    ml.push({ kind: 'training_failed', severity: 'critical', message: `The last training failed: ${state.lastError}`, values: {} });
  }
  if (state.isTrained && c?.training.tier === 'plant-backed') {
    ml.push({
      kind: 'plant_backed',
      severity: 'info',
      message: `Trained plant-backed on ${c.training.samples} usable samples (own training needs ${c.training.minSamples}): the pooled forest serves it and its threshold leans on the plant-wide one.`,
      values: { samples: c.training.samples, minSamples: c.training.minSamples },
    });
  }
  const drift = c?.training.drift;
  if (state.isTrained && drift && !drift.monitoring && drift.reason !== null) {
    ml.push({
      kind: 'drift_not_monitored',
      severity: 'info',
      message: drift.reason,
      values: { units: drift.units, unitsNeeded: drift.unitsNeeded },
    });
  }
  if (threshold) {
    if (threshold.learned && threshold.heldOut?.evaluated) {
      const h = threshold.heldOut;
      const better = h.betterThanFormula;
      ml.push({
        kind: 'threshold_vs_formula',
        severity: better ? 'info' : 'warning',
        message: `On ${h.heldOutN} held-out units the learned threshold's balanced accuracy is ${(h.learned.balancedAccuracy * 100).toFixed(1)}% against ${(h.formula.balancedAccuracy * 100).toFixed(1)}% for the formula${better ? '' : ': it does not beat the formula'}.`,
        values: { heldOutN: h.heldOutN, learned: h.learned.balancedAccuracy, formula: h.formula.balancedAccuracy },
      });
    } else if (!threshold.learned) {
      ml.push({
        kind: 'no_learned_threshold',
        severity: 'info',
        message: `No learned threshold (${threshold.message}); the formula applies.`,
        values: { reason: threshold.reason },
      });
    }
  }
  const predictor = c?.predictor ?? null;
  if (predictor && predictor.metrics) {
    const m = predictor.metrics;
    ml.push({
      kind: 'predictor',
      severity: m.auc !== null && m.auc < 0.7 ? 'warning' : 'info',
      message: `${predictor.kind === 'own' ? "The model's own forest" : 'The pooled forest'} predicts failures with an out-of-bag AUC of ${m.auc?.toFixed(3) ?? '-'} on ${m.n} units (${m.positives} failed).`,
      values: { kind: predictor.kind, auc: m.auc, brier: m.brier, n: m.n },
    });
  }
  if (state.isDrifting) {
    const latest = alerts
      .filter((a) => a.direction === state.driftDirection)
      .sort((a, b) => b.onsetDate.getTime() - a.onsetDate.getTime())[0];
    ml.push({
      kind: 'drifting',
      severity: 'critical',
      message: `Sigma is drifting ${state.driftDirection ?? ''}${latest ? ` since ${latest.onsetDate.toISOString().slice(0, 10)} (${latest.sizeSigma.toFixed(1)} σ)` : ''}.`,
      values: { direction: state.driftDirection, onset: latest?.onsetDate.toISOString() ?? null, sizeSigma: latest?.sizeSigma ?? null },
    });
  }
  return {
    model: state.model,
    state,
    profile: profiler?.profile ?? null,
    threshold,
    predictor,
    drift: {
      isDrifting: state.isDrifting,
      direction: state.driftDirection,
      baselineMean: state.driftBaselineMean,
      baselineStd: state.driftBaselineStd,
      baselineP95: state.driftBaselineP95,
      baselineSamples: c?.driftBaselineEnd?.samples ?? 0,
      alerts,
    },
    insights: [...(profiler ? profiler.getInsights() : []), ...ml],
  };
}

/** One row of the cross-model comparison. */
export interface CrossModelRow {
  readonly model: ModelName;
  readonly trained: boolean;
  readonly samples: number;
  readonly finalTestSamples: number;
  /** Trim pass rate. */
  readonly passRate: number | null;
  /** Final Test fail rate of linked units. */
  readonly finalTestFailRate: number | null;
  /** Rank-based difficulty in [0, 1] (share of compared models this one is harder than). */
  readonly difficulty: number | null;
  readonly sigmaThreshold: number | null;
  /** Median formula threshold of the model's units, for comparison. */
  readonly sigmaP50: number | null;
  /** Held-out balanced accuracy of the learned threshold and of the formula. */
  readonly thresholdBalancedAccuracy: number | null;
  readonly formulaBalancedAccuracy: number | null;
  readonly predictorKind: PredictorKind;
  readonly predictorAuc: number | null;
  readonly isDrifting: boolean;
  readonly driftDirection: DriftDirection | null;
  readonly cpk: number | null;
  readonly ppk: number | null;
  readonly specMargin: number | null;
}

/** The cross-model table, hardest first (models without a difficulty last). */
export function buildCrossModelComparison(states: readonly ModelMLState[]): CrossModelRow[] {
  const rows = states.map((s): CrossModelRow => {
    const c = components(s);
    const profile = profileOf(c)?.profile ?? null;
    const t = storedThresholdResult(c);
    const h = t?.heldOut?.evaluated ? t.heldOut : null;
    return {
      model: s.model,
      trained: s.isTrained,
      samples: s.trainingSamples,
      finalTestSamples: s.finalTestSamples,
      passRate: s.passRate,
      finalTestFailRate: profile?.finalTest.failRate ?? null,
      difficulty: s.difficultyScore,
      sigmaThreshold: s.sigmaThreshold,
      sigmaP50: s.sigmaP50,
      thresholdBalancedAccuracy: h ? h.learned.balancedAccuracy : null,
      formulaBalancedAccuracy: h ? h.formula.balancedAccuracy : null,
      predictorKind: c?.predictor.kind ?? 'none',
      predictorAuc: s.predictorAuc,
      isDrifting: s.isDrifting,
      driftDirection: s.driftDirection,
      cpk: profile?.capability.cpk ?? null,
      ppk: profile?.capability.ppk ?? null,
      specMargin: s.specMargin,
    };
  });
  return rows.sort((a, b) => (b.difficulty ?? -1) - (a.difficulty ?? -1) || (a.model < b.model ? -1 : 1));
}

/** The design's cross-model insights. */
export interface CrossModelInsights {
  /** Models hardest first. */
  readonly ranking: { readonly model: ModelName; readonly difficulty: number }[];
  /**
   * Spec analysis: `too_tight` where the process cannot hold the spec (one-sided Cpk < 1 on |error|), `too_loose`
   * where it uses little of it (Ppk > 2 and spec margin > 0.6: 95% of units use < 40% of the band).
   */
  readonly specAnalysis: {
    readonly model: ModelName;
    readonly verdict: 'too_tight' | 'too_loose';
    readonly cpk: number | null;
    readonly ppk: number | null;
    readonly specMargin: number | null;
  }[];
  /** Failure patterns: mean feature importance over models served by their own forest, largest first. */
  readonly failureDrivers: { readonly feature: string; readonly meanImportance: number; readonly models: number }[];
  readonly drifting: { readonly model: ModelName; readonly direction: DriftDirection | null }[];
  /** Models with too few samples, and how many more they need. */
  readonly needData: { readonly model: ModelName; readonly samples: number; readonly more: number }[];
}

/** Cross-model insights from the persisted states. */
export function buildCrossModelInsights(states: readonly ModelMLState[], minSamples: number): CrossModelInsights {
  const rows = buildCrossModelComparison(states);
  const drivers = new Map<string, { sum: number; n: number }>();
  for (const s of states) {
    if (!s.featureImportance) continue;
    for (const [f, v] of Object.entries(s.featureImportance)) {
      const d = drivers.get(f) ?? { sum: 0, n: 0 };
      d.sum += v;
      d.n++;
      drivers.set(f, d);
    }
  }
  return {
    ranking: rows.filter((r) => r.difficulty !== null).map((r) => ({ model: r.model, difficulty: r.difficulty! })),
    specAnalysis: rows.flatMap((r): CrossModelInsights['specAnalysis'] => {
      if (!r.trained) return [];
      if (r.cpk !== null && r.cpk < 1)
        return [{ model: r.model, verdict: 'too_tight' as const, cpk: r.cpk, ppk: r.ppk, specMargin: r.specMargin }];
      if (r.ppk !== null && r.ppk > 2 && r.specMargin !== null && r.specMargin > 0.6) {
        return [{ model: r.model, verdict: 'too_loose' as const, cpk: r.cpk, ppk: r.ppk, specMargin: r.specMargin }];
      }
      return [];
    }),
    failureDrivers: [...drivers.entries()]
      .map(([feature, d]) => ({ feature, meanImportance: d.sum / d.n, models: d.n }))
      .sort((a, b) => b.meanImportance - a.meanImportance),
    drifting: rows.filter((r) => r.isDrifting).map((r) => ({ model: r.model, direction: r.driftDirection })),
    needData: states
      .filter((s) => !s.isTrained && s.lastError === null && s.trainingSamples < minSamples)
      .map((s) => ({ model: s.model, samples: s.trainingSamples, more: minSamples - s.trainingSamples }))
      .sort((a, b) => a.more - b.more),
  };
}
