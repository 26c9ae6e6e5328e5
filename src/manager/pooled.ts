/**
 * The pooled forest: one {@link ModelPredictor} trained on the Final Test outcomes of every model's linked units,
 * on unit-free features ({@link POOLED_FEATURE_NAMES}). It serves every model from its first unit; a model's own
 * forest takes over where it is better on that model's units (out-of-bag Brier score).
 *
 * @module
 */
import { failPointsOf, labelOf, severityWeight } from '../core/labels.js';
import type { ModelName, TrainingRecord, TrimTrack } from '../core/types.js';
import { ModelPredictor, type ModelPredictorState } from '../predictor/index.js';
import { StateVersionError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { MLRepository } from '../storage/repository.js';
import { POOLED_FEATURE_NAMES, columnMedians, imputeInPlace, pooledFeatureRow, type ModelContext } from './pooled-features.js';
import type { TrackScorer } from './apply.js';
import type { RemoteScorer } from './score-pool.js';

/** Artifact coordinates of the pooled forest. */
export const POOLED_ARTIFACT = { model: '*', kind: 'pooled_predictor' } as const;

const D = POOLED_FEATURE_NAMES.length;

/** Accumulates the pooled forest's training rows (Final-Test-linked clean units of every model), compactly. */
export class PooledRows {
  private data = new Float64Array(1024 * D);
  private labels = new Uint8Array(1024);
  private severity = new Float64Array(1024);
  private ids = new Float64Array(1024);
  private n = 0;
  /** Row ranges per model. */
  readonly ranges = new Map<ModelName, { start: number; end: number }>();

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
  }

  /** Adds a model's clean records that have a Final Test outcome. */
  add(model: ModelName, ctx: ModelContext, records: readonly TrainingRecord[]): void {
    const start = this.n;
    for (const r of records) {
      const y = labelOf(r, 'final_test');
      if (y === null) continue;
      if (this.n === this.labels.length) this.grow();
      if (!pooledFeatureRow(r, ctx, this.data, this.n * D)) continue;
      this.labels[this.n] = y;
      this.severity[this.n] = severityWeight(y, failPointsOf(r, 'final_test'));
      this.ids[this.n] = r.trackResultId;
      this.n++;
    }
    if (this.n > start) this.ranges.set(model, { start, end: this.n });
  }

  /** The accumulated matrix (views, no copy). */
  view(): { data: Float64Array; labels: Uint8Array; severity: Float64Array; ids: Float64Array } {
    return {
      data: this.data.subarray(0, this.n * D),
      labels: this.labels.subarray(0, this.n),
      severity: this.severity.subarray(0, this.n),
      ids: this.ids.subarray(0, this.n),
    };
  }
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
  readonly version: 1;
  readonly stateVersion: string;
  readonly featureNames: readonly string[];
  /** Column medians used to impute missing values (numpy median over the training rows). */
  readonly medians: number[];
  readonly summary: PooledSummary;
  readonly predictor: ModelPredictorState;
}

/** What the pooled forest was trained on and how well it does out of bag. */
export interface PooledSummary {
  /** Final Test units of every model. */
  readonly samples: number;
  /** Units the forest trained on (all of them, or a sample of {@link POOLED_MAX_ROWS}). */
  readonly trainedOn: number;
  readonly failures: number;
  readonly auc: number | null;
  readonly brier: number | null;
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
  scorer(ctx: ModelContext, remote?: RemoteScorer | null): TrackScorer;
  toState(): PooledModelState;
}

function makeModel(
  predictor: ModelPredictor,
  medians: number[],
  summary: PooledSummary,
  stateVersion: string,
  oob: ((model: ModelName) => PooledOob | null) | null,
  predictorJsonAtLoad: string | null = null,
): PooledModel {
  let predictorJson: string | null = predictorJsonAtLoad;
  return {
    stateVersion,
    summary,
    medians,
    predictor,
    oobFor: (model) => (oob ? oob(model) : null),
    scorer: (ctx, remote) => ({
      features(tracks: readonly TrimTrack[]) {
        const data = new Float64Array(tracks.length * D);
        const ok = new Uint8Array(tracks.length);
        for (let i = 0; i < tracks.length; i++) ok[i] = pooledFeatureRow(tracks[i]!, ctx, data, i * D) ? 1 : 0;
        imputeInPlace(data, D, medians);
        return { data, ok };
      },
      predict(data: Float64Array) {
        if (!remote) return predictor.predictMany(data);
        const key = `pooled\u0000${stateVersion}`;
        remote.ensureLoaded(key, () => (predictorJson ??= JSON.stringify(predictor.toState())), true);
        return remote.score(key, data);
      },
      predictNow: (data: Float64Array) => predictor.predictMany(data),
    }),
    toState: () => ({
      kind: 'PooledPredictor',
      version: 1,
      stateVersion,
      featureNames: [...POOLED_FEATURE_NAMES],
      medians,
      summary,
      predictor: predictor.toState(),
    }),
  };
}

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
  const predictor = new ModelPredictor('(pooled)', { forest: { seed: o.seed, nEstimators: o.trees } });
  const result = predictor.train({ names: POOLED_FEATURE_NAMES, data }, labels, severity);
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
  });
}

/** Saves the pooled forest as the artifact (`*`, `pooled_predictor`). */
export async function savePooledModel(repo: MLRepository, pm: PooledModel): Promise<void> {
  await repo.saveArtifact({ ...POOLED_ARTIFACT, version: pm.stateVersion, content: JSON.stringify(pm.toState()) });
}

/** Loads the newest pooled forest, or `null` when none was trained. */
export async function loadPooledModel(repo: MLRepository): Promise<PooledModel | null> {
  const a = await repo.loadArtifact(POOLED_ARTIFACT.model, POOLED_ARTIFACT.kind);
  if (!a) return null;
  const s = JSON.parse(a.content) as PooledModelState;
  if (s?.kind !== 'PooledPredictor' || s.version !== 1) {
    throw new StateVersionError(`The stored pooled forest has kind ${String(s?.kind)} v${String(s?.version)}; retrain with this version of laser-trim-ml.`);
  }
  return makeModel(ModelPredictor.fromState(s.predictor), s.medians, s.summary, s.stateVersion, null);
}
