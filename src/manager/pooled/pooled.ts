/**
 * The pooled forest: one {@link ModelPredictor} trained on the Final Test outcomes of every model's linked units,
 * on unit-free features ({@link POOLED_FEATURE_NAMES}). It serves every model from its first unit; a model's own
 * forest takes over where it is better on that model's units (out-of-bag Brier score).
 *
 * @module
 */
import { failPointsOf, labelOf, severityWeight } from '../../core/labels.js';
import type { ModelName, TrainingRecord, TrimTrack } from '../../core/types.js';
import { ModelPredictor, type ModelPredictorState } from '../../predictor/index.js';
import { fitLogistic, logisticProbability } from '../../predictor/logistic.js';
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
import {
  CONTEXT_FOLDS,
  CONTEXT_HALF_LIFE_DAYS,
  CONTEXT_RECENT_STRENGTH,
  EXCESS_STRENGTH,
  contextFold,
  excessRate,
  countsOnDay,
  dayNumber,
  decayHistory,
  finalTestHistory,
  fitRatePrior,
  historyTotals,
  nearbyRate,
  recentRate,
  smoothedRate,
  type ContextParams,
  type DecayedHistory,
  type ExcessParams,
  type RatePrior,
} from './pooled-context.js';
import type { TrackScorer } from '../scorer.js';
import type { PooledSummary } from '../types.js';
import type { RemoteScorer } from '../runtime/score-pool.js';

/** Artifact coordinates of the pooled forest. */
export const POOLED_ARTIFACT = { model: '*', kind: 'pooled_predictor' } as const;

const D = POOLED_FEATURE_NAMES.length;

/** A model's FT counts for the context features at training: its decayed history and its counts per fold. */
interface ModelFtCounts {
  readonly history: DecayedHistory;
  readonly foldUnits: number[];
  readonly foldFailures: number[];
}

/**
 * Accumulates the pooled forest's training rows (Final-Test-linked clean units of every model), compactly. The
 * context columns are filled when the forest is trained ({@link trainPooledModel}), once every model's counts are in.
 */
export class PooledRows {
  private data = new Float64Array(1024 * D);
  private labels = new Uint8Array(1024);
  private severity = new Float64Array(1024);
  private ids = new Float64Array(1024);
  private days = new Float64Array(1024);
  private folds = new Uint8Array(1024);
  private n = 0;
  /** Row ranges per model. */
  readonly ranges = new Map<ModelName, { start: number; end: number }>();
  /** @internal FT counts per model (see {@link ModelFtCounts}). */
  readonly counts = new Map<ModelName, ModelFtCounts>();

  /** `seed` assigns the folds of the out-of-fold model rate ({@link contextFold}). */
  constructor(readonly seed = 0) {}

  get rows(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.labels.length * 2;
    const d = new Float64Array(cap * D);
    d.set(this.data);
    this.data = d;
    const l = new Uint8Array(cap);
    l.set(this.labels);
    this.labels = l;
    const s = new Float64Array(cap);
    s.set(this.severity);
    this.severity = s;
    const i = new Float64Array(cap);
    i.set(this.ids);
    this.ids = i;
    const dd = new Float64Array(cap);
    dd.set(this.days);
    this.days = dd;
    const f = new Uint8Array(cap);
    f.set(this.folds);
    this.folds = f;
  }

  /**
   * Adds a model's clean records that have a Final Test outcome. The model's FT history is `ctx.finalTest` (built
   * from `records` where the context has none).
   */
  add(model: ModelName, ctx: ModelContext, records: readonly TrainingRecord[]): void {
    const start = this.n;
    const foldUnits = new Array<number>(CONTEXT_FOLDS).fill(0);
    const foldFailures = new Array<number>(CONTEXT_FOLDS).fill(0);
    for (const r of records) {
      const y = labelOf(r, 'final_test');
      if (y === null) continue;
      if (this.n === this.labels.length) this.grow();
      const o = this.n * D;
      if (!pooledFeatureRow(r, ctx, this.data, o)) continue;
      this.data.fill(Number.NaN, o + POOLED_TRACK_FEATURE_COUNT, o + D);
      const fold = contextFold(r.trimResultId, this.seed, CONTEXT_FOLDS);
      foldUnits[fold]!++;
      foldFailures[fold]! += y;
      this.labels[this.n] = y;
      this.severity[this.n] = severityWeight(y, failPointsOf(r, 'final_test'));
      this.ids[this.n] = r.trackResultId;
      this.days[this.n] = dayNumber(r.fileDate);
      this.folds[this.n] = fold;
      this.n++;
    }
    if (this.n > start) {
      this.ranges.set(model, { start, end: this.n });
      this.counts.set(model, { history: decayHistory(ctx.finalTest ?? finalTestHistory(records), CONTEXT_HALF_LIFE_DAYS), foldUnits, foldFailures });
    }
  }

  /** The accumulated matrix (views, no copy). */
  view(): { data: Float64Array; labels: Uint8Array; severity: Float64Array; ids: Float64Array; days: Float64Array; folds: Uint8Array } {
    return {
      data: this.data.subarray(0, this.n * D),
      labels: this.labels.subarray(0, this.n),
      severity: this.severity.subarray(0, this.n),
      ids: this.ids.subarray(0, this.n),
      days: this.days.subarray(0, this.n),
      folds: this.folds.subarray(0, this.n),
    };
  }
}

/**
 * Fills the context columns of the training rows, out of fold ({@link CONTEXT_FOLDS} folds by trim run): a row of
 * fold k gets `model_ft_rate` = the smoothed rate of its model's units outside fold k under the prior fitted on
 * every model's units outside fold k, `model_ft_recent_rate` from its model's earlier days and `model_ft_nearby_rate`
 * from its model's other days and its own day's units outside fold k, both shrunk toward that rate, and
 * `model_ft_excess` from its model's units outside fold k with the track-only logistic model fitted outside fold k
 * ({@link fillExcessColumn}). Returns the context parameters for apply (the prior fitted on every row, every model's
 * excess counts).
 */
export function fillContextColumns(rows: PooledRows, all: Float64Array): ContextParams {
  const v = rows.view();
  const totals = [...rows.counts.values()].map((c) => ({
    units: c.foldUnits.reduce((a, b) => a + b, 0),
    failures: c.foldFailures.reduce((a, b) => a + b, 0),
  }));
  const prior = fitRatePrior(totals);
  const foldPriors: RatePrior[] = [];
  for (let k = 0; k < CONTEXT_FOLDS; k++) {
    foldPriors.push(fitRatePrior([...rows.counts.values()].map((c, i) => ({ units: totals[i]!.units - c.foldUnits[k]!, failures: totals[i]!.failures - c.foldFailures[k]! }))));
  }
  let mi = 0;
  for (const [model, c] of rows.counts) {
    const r = rows.ranges.get(model)!;
    const t = totals[mi++]!;
    const rates = foldPriors.map((p, k) => smoothedRate(t.failures - c.foldFailures[k]!, t.units - c.foldUnits[k]!, p));
    // Outcomes per (day, fold) of this model: a row sees its own day's outcomes of the other folds only.
    const byDay = new Map<number, Float64Array>();
    for (let i = r.start; i < r.end; i++) {
      let cell = byDay.get(v.days[i]!);
      if (!cell) byDay.set(v.days[i]!, (cell = new Float64Array(2 * CONTEXT_FOLDS)));
      cell[2 * v.folds[i]!]!++;
      cell[2 * v.folds[i]! + 1]! += v.labels[i]!;
    }
    for (let i = r.start; i < r.end; i++) {
      const fold = v.folds[i]!;
      const base = rates[fold]!;
      const cell = byDay.get(v.days[i]!)!;
      let units = 0;
      let failures = 0;
      for (let k = 0; k < CONTEXT_FOLDS; k++) {
        if (k === fold) continue;
        units += cell[2 * k]!;
        failures += cell[2 * k + 1]!;
      }
      const o = i * D + POOLED_TRACK_FEATURE_COUNT;
      all[o] = base;
      all[o + 1] = recentRate(c.history, v.days[i]!, base, CONTEXT_RECENT_STRENGTH);
      all[o + 2] = nearbyRate(c.history, v.days[i]!, base, CONTEXT_RECENT_STRENGTH, { failures, units });
    }
  }
  const excess = fillExcessColumn(rows, all);
  return { prior, halfLifeDays: CONTEXT_HALF_LIFE_DAYS, recentStrength: CONTEXT_RECENT_STRENGTH, folds: CONTEXT_FOLDS, excess };
}

/**
 * Rows each logistic fit of the expected failures uses at most (evenly spaced; {@link fitLogistic}): nine weights
 * are fitted as well from 10,000 rows as from 60,000, and the five fits stay a small part of train-all.
 */
const EXCESS_FIT_ROWS = 10_000;

/** Column of `model_ft_excess` in the pooled matrix. */
const EXCESS_COLUMN = POOLED_TRACK_FEATURE_COUNT + 3;

/**
 * Fills `model_ft_excess` out of fold: the track columns (imputed with their medians, which use no label) feed a
 * logistic model per fold k, fitted on the rows outside fold k ({@link fitLogistic}); a row of fold k gets
 * `ln((F + s) / (E + s))` ({@link excessRate}) with `F` its model's FT failures outside fold k and `E` the fold-k
 * model's probabilities summed over the same rows. So neither the counts nor the expected-failure model saw the
 * row's label (nor its twin track's: a trim run is in one fold). For apply, every model's `F` and `E` over all of its
 * rows, each row's expectation from the fit of its own fold's complement (the fit that did not see it).
 */
function fillExcessColumn(rows: PooledRows, all: Float64Array): ExcessParams {
  const v = rows.view();
  const n = rows.rows;
  const T = POOLED_TRACK_FEATURE_COUNT;
  const track = new Float64Array(n * T);
  for (let i = 0; i < n; i++) track.set(all.subarray(i * D, i * D + T), i * T);
  imputeInPlace(track, T, columnMedians(track, T));
  const models: Record<string, { failures: number; expected: number }> = {};
  if (n === 0) return { strength: EXCESS_STRENGTH, models };
  const foldCounts = new Array<number>(CONTEXT_FOLDS).fill(0);
  for (const f of v.folds) foldCounts[f]!++;
  // Each fold's fit starts from zero (a warm start from a fit that saw fold k would tie its rounding to fold k's
  // labels) and uses at most EXCESS_FIT_ROWS of the rows outside fold k.
  const foldFits = foldCounts.map((c, k) => (c < n ? fitLogistic(track, T, T, v.labels, { include: (i) => v.folds[i] !== k, maxRows: EXCESS_FIT_ROWS }) : null));
  const expectedOut = new Float64Array(CONTEXT_FOLDS);
  for (const [model, c] of rows.counts) {
    const r = rows.ranges.get(model)!;
    expectedOut.fill(0);
    let expected = 0;
    let failures = 0;
    for (let i = r.start; i < r.end; i++) {
      failures += v.labels[i]!;
      for (let k = 0; k < CONTEXT_FOLDS; k++) {
        const fit = foldFits[k];
        if (!fit) continue;
        const p = logisticProbability(fit, track, i * T);
        if (v.folds[i] !== k) expectedOut[k]! += p;
        else expected += p; // the unit's expectation from the fit that did not see it, for apply
      }
    }
    models[model] = { failures, expected };
    const rates = c.foldFailures.map((f, k) => excessRate(failures - f, expectedOut[k]!, EXCESS_STRENGTH));
    for (let i = r.start; i < r.end; i++) all[i * D + EXCESS_COLUMN] = rates[v.folds[i]!]!;
  }
  return { strength: EXCESS_STRENGTH, models };
}

/**
 * The FT context columns of one model's tracks at apply: the model rate from all its linked units under the stored
 * prior, the recent rate from its earlier days, the nearby rate from its other days and all of the track's own day,
 * and (v3, where `params.excess` is stored) the model's excess from the counts of the train-all that fitted the forest.
 * `null` when the model's context has no FT history (a context stored before v2): the columns are then imputed.
 */
function applyContext(model: ModelName, ctx: ModelContext, params: ContextParams): ((track: TrimTrack, out: Float64Array, offset: number) => void) | null {
  const h = ctx.finalTest;
  if (!h) return null;
  const t = historyTotals(h);
  const base = smoothedRate(t.failures, t.units, params.prior);
  const ex = params.excess;
  const counts = ex ? Object.hasOwn(ex.models, model) ? ex.models[model]! : { failures: 0, expected: 0 } : null;
  const excess = counts && ex ? excessRate(counts.failures, counts.expected, ex.strength) : Number.NaN;
  const decayed = decayHistory(h, params.halfLifeDays);
  // A model's tracks come in runs of the same day: the day's two rates are computed once per run.
  let lastDay = Number.NaN;
  let recent = base;
  let nearby = base;
  return (track, out, offset) => {
    const day = dayNumber(track.fileDate);
    if (day !== lastDay) {
      lastDay = day;
      recent = recentRate(decayed, day, base, params.recentStrength);
      nearby = nearbyRate(decayed, day, base, params.recentStrength, countsOnDay(decayed, day));
    }
    out[offset] = base;
    out[offset + 1] = recent;
    out[offset + 2] = nearby;
    if (ex) out[offset + 3] = excess;
  };
}

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
export function trainPooledModel(rows: PooledRows, o: { seed: number; trees: number; version: string; maxRows?: number }): PooledModel | null {
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
  return makeModel(predictor, medians, summary, o.version, (model) => {
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
  }, context);
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
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i]) || !Array.isArray(s.medians) || s.medians.length !== expected.length) {
    throw new StateVersionError(`The stored pooled forest (v${s.version}) has the columns [${names.join(', ')}], not [${expected.join(', ')}]; ${retrain}`);
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
  const base = !!c && !!c.prior && pos(c.prior.strength) && typeof c.prior.rate === 'number' && c.prior.rate >= 0 && c.prior.rate <= 1 && pos(c.halfLifeDays) && pos(c.recentStrength) && pos(c.folds);
  if (!base || !withExcess) return base;
  const ex = c.excess;
  const count = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return !!ex && pos(ex.strength) && typeof ex.models === 'object' && ex.models !== null && Object.values(ex.models).every((m) => !!m && count(m.failures) && count(m.expected));
}
