/**
 * The pooled forest: one {@link ModelPredictor} trained on the Final Test outcomes of every model's linked units,
 * on unit-free features ({@link POOLED_FEATURE_NAMES}). It serves every model from its first unit; a model's own
 * forest takes over where it is better on that model's units (out-of-bag Brier score).
 *
 * @module
 */
import type { ModelName, TrimTrack } from '../../core/types.js';
import { ModelPredictor, type ModelPredictorState } from '../../predictor/index.js';
import { StateVersionError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import type { MLRepository } from '../../storage/repository.js';
import {
  POOLED_FEATURE_NAMES,
  POOLED_TRACK_FEATURE_COUNT,
  POOLED_V1_FEATURE_COUNT,
  POOLED_V2_FEATURE_COUNT,
  columnMedians,
  imputeInPlace,
  pooledFeatureRow,
  type ModelContext,
} from './pooled-features.js';
import { type ContextParams } from './pooled-context.js';
import type { TrackScorer } from '../scorer.js';
import type { PooledSummary } from '../types.js';
import type { RemoteScorer } from '../runtime/score-pool.js';

import { applyContext, fillContextColumns, type PooledRows } from './pooled-rows.js';

export { PooledRows, fillContextColumns } from './pooled-rows.js';
const D = POOLED_FEATURE_NAMES.length;

/** Artifact coordinates of the pooled forest. */
export const POOLED_ARTIFACT = { model: '*', kind: 'pooled_predictor' } as const;

/** Out-of-bag probabilities of the pooled forest on one model's units. */
export interface PooledOob {
  readonly trackResultIds: Float64Array;
  readonly probabilities: Float64Array;
  readonly labels: Uint8Array;
}

/** Persisted form of the pooled forest (the artifact's content). */
export interface PooledModelState {
  readonly kind: 'PooledPredictor';
  /**
   * 3: the forest has every column of {@link POOLED_FEATURE_NAMES} and `context` holds the parameters of the Final
   * Test context columns, `model_ft_excess`'s counts included. 2 (older): the first {@link POOLED_V2_FEATURE_COUNT}
   * columns (no `model_ft_excess`); 1: the first {@link POOLED_V1_FEATURE_COUNT} columns, no context. Both still served.
   */
  readonly version: 1 | 2 | 3;
  readonly stateVersion: string;
  /** The forest's columns: a prefix of {@link POOLED_FEATURE_NAMES} (all of them from v3). */
  readonly featureNames: readonly string[];
  /** Parameters of the context columns (v2, v3). */
  readonly context?: ContextParams;
  /** Column medians used to impute missing values (numpy median over the training rows). */
  readonly medians: number[];
  readonly summary: PooledSummary;
  readonly predictor: ModelPredictorState;
}

/** A trained or loaded pooled forest. */
export interface PooledModel {
  readonly stateVersion: string;
  readonly summary: PooledSummary;
  readonly medians: number[];
  readonly predictor: ModelPredictor;
  /** Out-of-bag probabilities on one model's units (only right after training; `null` once loaded). */
  oobFor(model: ModelName): PooledOob | null;
  /** A scorer for one model's tracks (predicting in the scoring worker when one is given). */
  scorer(model: ModelName, ctx: ModelContext, remote?: RemoteScorer | null): TrackScorer;
  toState(): PooledModelState;
}

function makeModel(
  predictor: ModelPredictor,
  medians: number[],
  summary: PooledSummary,
  stateVersion: string,
  oob: ((model: ModelName) => PooledOob | null) | null,
  context: ContextParams | null,
  predictorJsonAtLoad: string | null = null,
): PooledModel {
  let predictorJson: string | null = predictorJsonAtLoad;
  // Columns of this forest: all of POOLED_FEATURE_NAMES with the excess counts (v3), the v2 columns with context
  // parameters but no excess, the v1 columns without context.
  const version = !context ? 1 : context.excess ? 3 : 2;
  const d = version === 3 ? D : version === 2 ? POOLED_V2_FEATURE_COUNT : POOLED_V1_FEATURE_COUNT;
  const trackColumns = context ? POOLED_TRACK_FEATURE_COUNT : POOLED_V1_FEATURE_COUNT;
  return {
    stateVersion,
    summary,
    medians,
    predictor,
    oobFor: (model) => (oob ? oob(model) : null),
    scorer: (model, ctx, remote) => {
      const fillContext = context ? applyContext(model, ctx, context) : null;
      return {
        features(tracks: readonly TrimTrack[]) {
          const data = new Float64Array(tracks.length * d);
          const ok = new Uint8Array(tracks.length);
          for (let i = 0; i < tracks.length; i++) {
            const o = i * d;
            ok[i] = pooledFeatureRow(tracks[i]!, ctx, data, o, trackColumns) ? 1 : 0;
            if (d > POOLED_TRACK_FEATURE_COUNT) {
              if (fillContext) fillContext(tracks[i]!, data, o + POOLED_TRACK_FEATURE_COUNT);
              else data.fill(Number.NaN, o + POOLED_TRACK_FEATURE_COUNT, o + d);
            }
          }
          imputeInPlace(data, d, medians);
          return { data, ok };
        },
        predict(data: Float64Array) {
          if (!remote) return predictor.predictMany(data);
          const key = `pooled\u0000${stateVersion}`;
          remote.ensureLoaded(key, () => (predictorJson ??= JSON.stringify(predictor.toState())), true);
          return remote.score(key, data);
        },
        predictNow: (data: Float64Array) => predictor.predictMany(data),
      };
    },
    toState: () => ({
      kind: 'PooledPredictor',
      version,
      stateVersion,
      featureNames: POOLED_FEATURE_NAMES.slice(0, d),
      ...(context ? { context } : {}),
      medians,
      summary,
      predictor: predictor.toState(),
    }),
  };
}

/**
 * Growth limits of the pooled forest: leaves of ≥ 10 rows and depth ≤ 14, where the own forests keep ≥ 3 and ≤ 10
 * (chosen for a model's few hundred units). The pooled forest learns from 20,000–60,000 units: larger leaves give
 * smoother probabilities, more depth the interactions between a unit's trim data and its model's context. Measured
 * on never-linked units of realistic seeds 101–103: ROC AUC +0.0002, +0.0006, +0.0000, Brier lower or equal, the
 * same fit time.
 */
export const POOLED_FOREST_LIMITS = { minSamplesLeaf: 10, maxDepth: 14 } as const;

/** Whether the pooled forest weighs its rows by severity (no: see {@link trainPooledModel}). */
const POOLED_SEVERITY_WEIGHTED = false;

/**
 * Rows the pooled forest trains on at most. Above it a seeded uniform sample is drawn: 60,000 Final Test units are
 * plenty for 7 features, and the fit stays a few seconds at millions of tracks. Units left out are scored by the
 * forest as held-out units, so every unit still has an out-of-sample probability for the own-vs-pooled comparison.
 */
export const POOLED_MAX_ROWS = 60_000;

/** Trains the pooled forest; `null` when the plant has too few Final Test outcomes of either class. */
export function trainPooledModel(
  rows: PooledRows,
  o: { seed: number; trees: number; version: string; maxRows?: number },
): PooledModel | null {
  const v = rows.view();
  const n = rows.rows;
  const all = Float64Array.from(v.data);
  const context = fillContextColumns(rows, all);
  const medians = columnMedians(all, D);
  imputeInPlace(all, D, medians);
  // Which rows train (all, or a seeded sample); inSample[i] = position in the training matrix, or -1.
  const maxRows = o.maxRows ?? POOLED_MAX_ROWS;
  const inSample = new Int32Array(n).fill(-1);
  let picked: Int32Array;
  if (n <= maxRows) {
    picked = Int32Array.from({ length: n }, (_, i) => i);
  } else {
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const rng = createRng(o.seed ^ 0x5eed);
    for (let i = 0; i < maxRows; i++) {
      const j = i + rng.nextInt(n - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    picked = idx.subarray(0, maxRows).sort();
  }
  const m = picked.length;
  const data = new Float64Array(m * D);
  const labels = new Uint8Array(m);
  const severity = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = picked[k]!;
    inSample[i] = k;
    data.set(all.subarray(i * D, (i + 1) * D), k * D);
    labels[k] = v.labels[i]!;
    severity[k] = v.severity[i]!;
  }
  const predictor = new ModelPredictor('(pooled)', { forest: { seed: o.seed, nEstimators: o.trees, ...POOLED_FOREST_LIMITS } });
  // Unit weights, not the severity: the pooled forest's output is a probability of FT failure, and weighting
  // failures by their fail points (2–9×) made it rank worse on never-linked units of the realistic plant (ROC AUC
  // −0.0011, −0.0009 and +0.0001 on seeds 101–103, Brier worse on all three); the own forests and the thresholds keep
  // the design's severity weighting.
  const result = predictor.train({ names: POOLED_FEATURE_NAMES, data }, labels, POOLED_SEVERITY_WEIGHTED ? severity : severity.fill(1));
  if (!result.trained) return null;
  const oob = predictor.oobProbabilities;
  let failures = 0;
  for (const y of v.labels) failures += y;
  const summary: PooledSummary = {
    samples: n,
    trainedOn: m,
    failures,
    auc: predictor.metrics?.auc ?? null,
    brier: predictor.metrics?.brier ?? null,
  };
  const ids = Float64Array.from(v.ids);
  const allLabels = Uint8Array.from(v.labels);
  const ranges = new Map(rows.ranges);
  return makeModel(
    predictor,
    medians,
    summary,
    o.version,
    (model) => {
      const r = ranges.get(model);
      if (!r || !oob) return null;
      // Out-of-bag where the unit trained the forest, a plain prediction (held out) where it did not.
      const len = r.end - r.start;
      const probabilities = new Float64Array(len);
      const heldOut: number[] = [];
      for (let i = r.start; i < r.end; i++) {
        const k = inSample[i]!;
        if (k >= 0) probabilities[i - r.start] = oob[k]!;
        else heldOut.push(i);
      }
      if (heldOut.length > 0) {
        const x = new Float64Array(heldOut.length * D);
        heldOut.forEach((i, h) => x.set(all.subarray(i * D, (i + 1) * D), h * D));
        const p = predictor.predictMany(x);
        heldOut.forEach((i, h) => (probabilities[i - r.start] = p[h]!));
      }
      return { trackResultIds: ids.subarray(r.start, r.end), probabilities, labels: allLabels.subarray(r.start, r.end) };
    },
    context,
  );
}

/** Saves the pooled forest as the artifact (`*`, `pooled_predictor`). */
export async function savePooledModel(repo: MLRepository, pm: PooledModel): Promise<void> {
  await repo.saveArtifact({ ...POOLED_ARTIFACT, version: pm.stateVersion, content: JSON.stringify(pm.toState()) });
}

/** Loads the newest pooled forest, or `null` when none was trained. */
export async function loadPooledModel(repo: MLRepository): Promise<PooledModel | null> {
  const a = await repo.loadArtifact(POOLED_ARTIFACT.model, POOLED_ARTIFACT.kind);
  if (!a) return null;
  return pooledModelFromState(JSON.parse(a.content) as PooledModelState);
}

/**
 * Restores a pooled forest from its state: v3 (track and context columns, the excess included), v2 (without the
 * excess) or v1 (track columns only), each served as trained. Anything else, or a feature list that is not the one of
 * its version, is a {@link StateVersionError}.
 */
export function pooledModelFromState(s: PooledModelState): PooledModel {
  const retrain = 'retrain (train all models) with this version of laser-trim-ml.';
  if (s?.kind !== 'PooledPredictor' || (s.version !== 1 && s.version !== 2 && s.version !== 3)) {
    throw new StateVersionError(`The stored pooled forest has kind ${String(s?.kind)} v${String(s?.version)}; ${retrain}`);
  }
  const expected = POOLED_FEATURE_NAMES.slice(0, s.version === 3 ? D : s.version === 2 ? POOLED_V2_FEATURE_COUNT : POOLED_V1_FEATURE_COUNT);
  const names = Array.isArray(s.featureNames) ? s.featureNames : [];
  if (
    names.length !== expected.length ||
    names.some((n, i) => n !== expected[i]) ||
    !Array.isArray(s.medians) ||
    s.medians.length !== expected.length
  ) {
    throw new StateVersionError(
      `The stored pooled forest (v${s.version}) has the columns [${names.join(', ')}], not [${expected.join(', ')}]; ${retrain}`,
    );
  }
  const context = s.version === 1 ? null : s.context;
  if (s.version !== 1 && !validContext(context, s.version === 3)) {
    throw new StateVersionError(`The stored pooled forest (v${s.version}) has no valid context parameters; ${retrain}`);
  }
  // A v2 state is served without the excess even if a field of that name was added to it.
  const served = context && s.version === 2 && context.excess ? (({ excess: _, ...rest }) => rest)(context) : context;
  return makeModel(ModelPredictor.fromState(s.predictor), s.medians, s.summary, s.stateVersion, null, served ?? null);
}

function validContext(c: ContextParams | null | undefined, withExcess: boolean): c is ContextParams {
  const pos = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;
  const base =
    !!c &&
    !!c.prior &&
    pos(c.prior.strength) &&
    typeof c.prior.rate === 'number' &&
    c.prior.rate >= 0 &&
    c.prior.rate <= 1 &&
    pos(c.halfLifeDays) &&
    pos(c.recentStrength) &&
    pos(c.folds);
  if (!base || !withExcess) return base;
  const ex = c.excess;
  const count = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    !!ex &&
    pos(ex.strength) &&
    typeof ex.models === 'object' &&
    ex.models !== null &&
    Object.values(ex.models).every((m) => !!m && count(m.failures) && count(m.expected))
  );
}
