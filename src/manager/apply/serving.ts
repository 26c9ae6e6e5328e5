/**
 * Turns a stored model state into what apply and the queries need: the threshold, a scorer (own or pooled forest)
 * and a drift replay.
 *
 * @module
 */
import { exclusionReason, extractFeatures } from '../../core/features.js';
import type { FeatureName } from '../../core/features.js';
import { FeatureImputer } from '../../core/imputer.js';
import type { ModelName } from '../../core/types.js';
import { ModelDriftDetector } from '../../drift/index.js';
import { ModelPredictor, type ModelPredictorState } from '../../predictor/index.js';
import type { MLRepository, ModelMLState } from '../../storage/repository.js';
import type { ApplyPlan, DriftReplay } from './plan.js';
import type { TrackScorer } from '../scorer.js';
import { parseComponents, type ComponentsState } from '../components-state.js';
import type { RemoteScorer } from '../runtime/score-pool.js';
import type { PooledModel } from '../pooled/pooled.js';
import type { PredictorKind } from '../types.js';

/** A model's own forest, parsed, with its imputer and columns. */
export interface LoadedPredictor {
  readonly predictor: ModelPredictor;
  /** The forest's state JSON (the artifact's content), for the scoring worker. */
  readonly stateJson: string;
  /** Identifies this forest in the scoring worker. */
  readonly key: string;
  readonly imputer: FeatureImputer;
  readonly featureNames: FeatureName[];
}

/** Loads a model's own forest artifact (`null` when the state says the model has none). */
export async function loadOwnPredictor(
  repo: MLRepository,
  model: ModelName,
  version: string,
  c: ComponentsState,
): Promise<LoadedPredictor | null> {
  const p = c.predictor;
  if (p.kind !== 'own' || !p.artifactKind || !p.imputer || !p.featureNames) return null;
  const artifact = await repo.loadArtifact(model, p.artifactKind, version);
  if (!artifact) return null;
  return {
    predictor: ModelPredictor.fromState(JSON.parse(artifact.content) as ModelPredictorState),
    stateJson: artifact.content,
    key: `own\u0000${model}\u0000${version}`,
    imputer: FeatureImputer.fromState(p.imputer),
    featureNames: p.featureNames as FeatureName[],
  };
}

function ownScorer(lp: LoadedPredictor, remote: RemoteScorer | null): TrackScorer {
  const d = lp.featureNames.length;
  return {
    features(tracks) {
      const data = new Float64Array(tracks.length * d);
      const ok = new Uint8Array(tracks.length);
      for (let i = 0; i < tracks.length; i++) {
        // The tracks hygiene excludes (no usable sigma, an unreadable cell, a value outside the physical bounds) get
        // no probability.
        if (exclusionReason(tracks[i]!) !== null) continue;
        const f = extractFeatures(tracks[i]!);
        lp.imputer.transform(f, lp.featureNames, data.subarray(i * d, (i + 1) * d));
        ok[i] = 1;
      }
      return { data, ok };
    },
    predict(data) {
      if (!remote) return lp.predictor.predictMany(data);
      remote.ensureLoaded(lp.key, () => lp.stateJson);
      return remote.score(lp.key, data);
    },
    predictNow: (data) => lp.predictor.predictMany(data),
  };
}

function driftReplayOf(model: ModelName, c: ComponentsState): DriftReplay | null {
  if (!c.driftBaseline || !c.driftBaselineEnd) return null;
  const baseline = c.driftBaseline;
  return ({ dates, sigma }, from) => {
    const detector = ModelDriftDetector.fromState(from ?? baseline);
    const series = detector.detectSeries(Array.from(sigma), dates);
    return {
      alerts: series.episodes.map((e) => ({
        model,
        direction: e.direction,
        onsetDate: e.onsetDate,
        detectedDate: e.detectedDate,
        sizeSigma: Math.abs(e.sizeSigma),
        statistic: e.statistic,
        acknowledged: false,
      })),
      isDrifting: detector.isDrifting,
      direction: detector.driftDirection,
      cusumPos: detector.cusumPos,
      cusumNeg: detector.cusumNeg,
      ewmaValue: detector.ewmaValue,
      stateJson: detector.toState(),
    };
  };
}

/** The apply plan of one model (also used by `getFailureProbability`). */
export async function buildApplyPlan(
  model: ModelName,
  state: ModelMLState | null,
  pooled: PooledModel | null,
  getOwn: (model: ModelName, c: ComponentsState) => Promise<LoadedPredictor | null>,
  remote: RemoteScorer | null,
  /** The state's components, where the caller has parsed them already. */
  parsed?: ComponentsState,
): Promise<ApplyPlan> {
  if (!state) {
    return {
      model,
      state: null,
      learnedThreshold: null,
      scorer: null,
      predictorKind: 'none',
      driftAfter: null,
      driftReplay: null,
      version: 'formula',
      scope: 'all',
      driftFrom: null,
      fullReason: null,
      components: null,
    };
  }
  const c = parsed ?? parseComponents(state.componentsJson, model);
  let scorer: TrackScorer | null = null;
  let kind: PredictorKind = 'none';
  if (c.predictor.kind === 'own') {
    const lp = await getOwn(model, c);
    if (lp) {
      scorer = ownScorer(lp, remote);
      kind = 'own';
    }
  }
  if (!scorer && pooled && c.context && c.predictor.kind !== 'none') {
    scorer = pooled.scorer(model, c.context, remote);
    kind = 'pooled';
  }
  // Untrained (small) models may carry the plant-wide threshold blended with their few outcomes.
  const learnedThreshold = state.sigmaThreshold;
  return {
    model,
    state,
    learnedThreshold,
    scorer,
    predictorKind: kind,
    driftAfter: c.driftBaselineEnd
      ? { date: new Date(c.driftBaselineEnd.fileDate), trackResultId: c.driftBaselineEnd.trackResultId }
      : null,
    driftReplay: driftReplayOf(model, c),
    version: state.isTrained ? state.stateVersion : 'formula',
    scope: 'all',
    driftFrom: null,
    fullReason: null,
    components: c,
  };
}
