/**
 * The pooled forest's training rows ({@link PooledRows}: every model's Final-Test-linked units, gathered during the
 * survey) and the context columns filled in once every model is in (cross-fitted rates, the FT excess); and
 * {@link applyContext}, the same columns for a track at scoring time.
 *
 * @module
 */
import { failPointsOf, labelOf, severityWeight } from '../../core/labels.js';
import type { ModelName, TrainingRecord, TrimTrack } from '../../core/types.js';
import { fitLogistic, logisticProbability } from '../../predictor/logistic.js';
import {
  POOLED_FEATURE_NAMES,
  POOLED_TRACK_FEATURE_COUNT,
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
  dayNumber,
  finalTestHistory,
  fitRatePrior,
  historyTotals,
  smoothedRate,
  type ContextParams,
  type ExcessParams,
  type RatePrior,
} from './pooled-context.js';
import { countsOnDay, decayHistory, nearbyRate, recentRate, type DecayedHistory } from './decayed-history.js';

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
      this.counts.set(model, {
        history: decayHistory(ctx.finalTest ?? finalTestHistory(records), CONTEXT_HALF_LIFE_DAYS),
        foldUnits,
        foldFailures,
      });
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
    foldPriors.push(
      fitRatePrior(
        [...rows.counts.values()].map((c, i) => ({
          units: totals[i]!.units - c.foldUnits[k]!,
          failures: totals[i]!.failures - c.foldFailures[k]!,
        })),
      ),
    );
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
export function fillExcessColumn(rows: PooledRows, all: Float64Array): ExcessParams {
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
  const foldFits = foldCounts.map((c, k) =>
    c < n ? fitLogistic(track, T, T, v.labels, { include: (i) => v.folds[i] !== k, maxRows: EXCESS_FIT_ROWS }) : null,
  );
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
export function applyContext(
  model: ModelName,
  ctx: ModelContext,
  params: ContextParams,
): ((track: TrimTrack, out: Float64Array, offset: number) => void) | null {
  const h = ctx.finalTest;
  if (!h) return null;
  const t = historyTotals(h);
  const base = smoothedRate(t.failures, t.units, params.prior);
  const ex = params.excess;
  const counts = ex ? (Object.hasOwn(ex.models, model) ? ex.models[model]! : { failures: 0, expected: 0 }) : null;
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
