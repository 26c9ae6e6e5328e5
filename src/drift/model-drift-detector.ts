/**
 * Per-model drift detection on ln(sigma): a two-sided CUSUM and an EWMA run together on a distribution-free score,
 * with an allowance for production lots and limits designed from the model's own production horizon. The method,
 * its justification and its measured behaviour are in `docs/drift.md`.
 *
 * **Score** (`score: 'rank'`, default). Each unit's y = ln(sigma) is scored by its mid-rank among the model's
 * reference values (`rankNormalScore`): q = Φ⁻¹((r + ½)/(n + 1))/cₙ. When the process is in control the rank is
 * uniform whatever the shape of ln(sigma) (a right tail from glitch-prone units, a mixture), so q has mean 0 and
 * variance 1 exactly, and its influence is bounded (|q| ≤ 2.3 for n = 30): a tail is not read as a shift. The
 * reference starts as the baseline (≥ `minBaselineSize` values, all usable ones, unscreened) and keeps absorbing
 * in-control samples after a delay of `absorbDelay` samples (the self-starting scheme of sequential ranks: with a
 * growing reference the ranks are independent and exactly uniform, which is what makes a 30-unit baseline honest;
 * McDonald 1990, Hawkins & Deng 2010). Values still waiting when an alarm is raised are dropped, and nothing is
 * absorbed during an episode. The reference stops growing at `maxReference` values. `score: 'normal'` is the
 * self-starting t score of Hawkins (1987) (`selfStartingScore`), exact only for normal ln(sigma).
 *
 * **Lots.** Consecutive units share a lot, so the scores are serially correlated and the charts' statistics vary
 * more than for independent units. The charts are fed z = q/√f with f = 1 + 2·Σⱼ r(j)(1 − λ)ʲ (`correlationInflation`,
 * Zhang 1998), the sample autocorrelations r(j) measured on the baseline's within-sample normal scores in time order.
 *
 * **Charts.** CUSUM S⁺ = max(0, S⁺ + z − k), S⁻ = max(0, S⁻ − z − k), signal when S > h; EWMA E = (1 − λ)E + λz with
 * the exact time-varying limit L·√(λ/(2−λ)·(1−(1−λ)^(2t))), t = 1 at the first sample of the chart: the limit is then
 * L·λ, so the first sample signals only when |z| > L (with t = 0 the width would be 0 and every first sample would
 * alarm). That limit is widened for the error of the subgroup reference, which every score shares: with c =
 * 1/(n_eff + 1) the limit is L·√(λ/(2−λ)·(1−(1−λ)^(2t))·(1 − c) + (1−(1−λ)^t)²·c), the exact sd of the EWMA of
 * scores that share one reference (`ewmaLimit`; an EWMA with λ = 0.1 averages ~19 subgroups, so on a reference of 20
 * the shared error nearly doubles its variance and, by the ARL calculator, cuts its ARL0 tenfold at a one-sd error).
 * Both sides of both charts alarm; the alarm carries its direction.
 *
 * **Design.** The in-control ARL is chosen per model from a target probability p of any false alarm over a year of
 * its production: ARL0 = units per year / (−ln(1 − p)) (`arl0ForHorizon`; p = 0.002 by default, units per year
 * estimated from the baseline's dates or passed in), clamped to [`minArl0`, 10⁷]; without dates a fixed ARL0 of
 * 50,000. Each chart gets 2·ARL0 (by the ARL integral equations of `arl.ts`, `designCusumH` / `designEwmaL`), so the
 * combined ARL0 is at least ARL0. Defaults k = 0.375, λ = 0.1; e.g. ARL0 = 50,000 gives h = 13.422, L = 4.3222 (CUSUM
 * ARL 100,000 / 85.5 / 22.1 / 8.9 at 0 / 0.5σ / 1σ / 2σ; EWMA 100,000 / 227.0 / 23.5 / 7.2).
 *
 * **Episodes.** An alarm opens an episode (direction from the side that signalled, onset = the date where that side's
 * CUSUM last left zero; for an EWMA-only alarm the same side's CUSUM bookkeeping, or the alarm date when that CUSUM is
 * 0). While the episode is open no new alarm is raised, the reference is not updated, and the signalling CUSUM is
 * capped at h (so it can come back once the process does). The episode ends after `rearmAfter` consecutive samples
 * with the signalling CUSUM at 0 and the EWMA inside its limit on that side; then both charts restart from 0 (t = 0).
 * Its size is (mean ln sigma since the onset − reference mean)/reference std, in σ of ln(sigma).
 *
 * @module
 */
import { InvalidInputError, NotTrainedError, StateVersionError } from '../core/errors.js';
import { jsonClone } from '../core/json-clone.js';
import { fitDriftBaseline } from './baseline.js';
import { designCusumH, designEwmaL } from './design.js';
import { arl0ForHorizon, unitsPerYearOf } from './horizon.js';
import { correlationInflation, subgroupInflation, timeCorrelation } from './lot-allowance.js';
import { lowerBound, rankNormalScore, withinNormalScores } from './rank-score.js';
import { selfStartingScore } from '../core/stats/student-t.js';
import { welford } from './welford.js';
import type {
  CusumRunState,
  DriftEpisode,
  DriftEpisodeState,
  DriftResult,
  DriftStatistic,
  ModelDriftDetectorOptions,
  ModelDriftDetectorParams,
  ModelDriftDetectorState,
} from './types.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type Running = Writable<
  Omit<
    ModelDriftDetectorState,
    'kind' | 'version' | 'modelName' | 'params' | 'reference' | 'episode' | 'sorted' | 'pending' | 'block' | 'blockRef' | 'blockPending'
  >
> & {
  reference: Writable<NonNullable<ModelDriftDetectorState['reference']>> | null;
  episode: Writable<DriftEpisodeState> | null;
  sorted: number[];
  pending: number[];
  block: Writable<ModelDriftDetectorState['block']>;
  blockRef: Writable<NonNullable<ModelDriftDetectorState['blockRef']>> | null;
  blockPending: number[];
};

/** ARL0 used when a model's production rate is unknown (no dates). */
const FALLBACK_ARL0 = 50_000;
const MAX_ARL0 = 1e7;
const designCache = new Map<string, [number, number]>();

/**
 * h and L for a combined target ARL0 (each chart at 2·ARL0, achieved ARL within 0.01%), memoised. Horizon targets
 * are first raised to a grid of 10% steps (see `resolveDesign`), so that 300 models share a few dozen designs.
 */
function designLimits(targetArl0: number, k: number, lambda: number): [number, number] {
  const key = `${targetArl0}|${k}|${lambda}`;
  let v = designCache.get(key);
  if (!v) {
    v = [designCusumH(2 * targetArl0, k, { relTol: 1e-4 }), designEwmaL(2 * targetArl0, lambda, { relTol: 1e-4 })];
    designCache.set(key, v);
  }
  return v;
}

/** Rounds ln-scale values kept in the state (1e-6 in ln sigma is a relative 1e-6 in sigma). */
const round6 = (y: number): number => Math.round(y * 1e6) / 1e6;

type StaticParams = Omit<ModelDriftDetectorParams, 'targetArl0' | 'h' | 'L' | 'unitsPerYear' | 'correlationInflation' | 'blockSize'>;

function resolveStatic(o: ModelDriftDetectorOptions): StaticParams {
  const p = {
    falseAlarmProbability: o.falseAlarmProbability ?? 0.002,
    horizonYears: o.horizonYears ?? 1,
    minArl0: o.minArl0 ?? 2000,
    k: o.k ?? 0.375,
    lambda: o.lambda ?? 0.1,
    minBaselineSize: o.minBaselineSize ?? 30,
    outlierCut: o.outlierCut ?? 5,
    score: o.score ?? 'rank',
    selfStarting: o.selfStarting ?? true,
    absorbDelay: o.absorbDelay ?? 30,
    maxReference: o.maxReference ?? 1000,
    blockDays: o.blockDays ?? 7,
    maxBlockSize: o.maxBlockSize ?? 25,
    lotThreshold: o.lotThreshold ?? 1,
    updateGuard: o.updateGuard ?? 4,
    rearmAfter: o.rearmAfter ?? 3,
  };
  const bad = (name: string, v: unknown, rule: string): never => {
    throw new InvalidInputError(`ModelDriftDetector option ${name} must be ${rule}, got ${String(v)}.`);
  };
  const finitePos = (v: number): boolean => v > 0 && Number.isFinite(v);
  if (!(p.falseAlarmProbability > 0 && p.falseAlarmProbability < 1)) bad('falseAlarmProbability', p.falseAlarmProbability, 'in (0, 1)');
  if (!finitePos(p.horizonYears)) bad('horizonYears', p.horizonYears, 'a finite number > 0');
  if (!(p.minArl0 > 1) || !Number.isFinite(p.minArl0)) bad('minArl0', p.minArl0, 'a finite number > 1');
  if (o.targetArl0 !== undefined && (!(o.targetArl0 > 1) || !Number.isFinite(o.targetArl0)))
    bad('targetArl0', o.targetArl0, 'a finite number > 1');
  if (o.unitsPerYear !== undefined && !finitePos(o.unitsPerYear)) bad('unitsPerYear', o.unitsPerYear, 'a finite number > 0');
  if (!(p.k >= 0) || !Number.isFinite(p.k)) bad('k', p.k, 'a finite number ≥ 0');
  if (!(p.lambda > 0 && p.lambda <= 1)) bad('lambda', p.lambda, 'in (0, 1]');
  if (!Number.isInteger(p.minBaselineSize) || p.minBaselineSize < 3) bad('minBaselineSize', p.minBaselineSize, 'an integer ≥ 3');
  if (!(p.outlierCut > 0)) bad('outlierCut', p.outlierCut, '> 0');
  if (p.score !== 'rank' && p.score !== 'normal') bad('score', p.score, "'rank' or 'normal'");
  if (!Number.isInteger(p.absorbDelay) || p.absorbDelay < 0) bad('absorbDelay', p.absorbDelay, 'an integer ≥ 0');
  if (!Number.isInteger(p.maxReference) || p.maxReference < p.minBaselineSize)
    bad('maxReference', p.maxReference, 'an integer ≥ minBaselineSize');
  if (!(p.updateGuard > 0)) bad('updateGuard', p.updateGuard, '> 0');
  if (!Number.isInteger(p.rearmAfter) || p.rearmAfter < 1) bad('rearmAfter', p.rearmAfter, 'an integer ≥ 1');
  if (o.h !== undefined && !finitePos(o.h)) bad('h', o.h, 'a finite number > 0');
  if (o.L !== undefined && !finitePos(o.L)) bad('L', o.L, 'a finite number > 0');
  if (!finitePos(p.blockDays)) bad('blockDays', p.blockDays, 'a finite number > 0');
  if (!Number.isInteger(p.maxBlockSize) || p.maxBlockSize < 1) bad('maxBlockSize', p.maxBlockSize, 'an integer ≥ 1');
  if (!(p.lotThreshold >= 1) || !Number.isFinite(p.lotThreshold)) bad('lotThreshold', p.lotThreshold, 'a finite number ≥ 1');
  if (o.blockSize !== undefined && !(Number.isInteger(o.blockSize) && o.blockSize >= 1)) bad('blockSize', o.blockSize, 'an integer ≥ 1');
  if (o.correlationInflation !== undefined && !(o.correlationInflation >= 1 && Number.isFinite(o.correlationInflation))) {
    bad('correlationInflation', o.correlationInflation, 'a finite number ≥ 1');
  }
  return p;
}

/**
 * The design fields: target ARL0 (in units) from the horizon (or fixed), then h and L for the subgroup chart, whose
 * in-control ARL in subgroups is ARL0 / blockSize (at least 50).
 */
function resolveDesign(
  st: StaticParams,
  o: ModelDriftDetectorOptions,
  unitsPerYear: number | null,
  inflation: number,
  blockSize: number,
): ModelDriftDetectorParams {
  let targetArl0: number;
  if (o.targetArl0 !== undefined) targetArl0 = o.targetArl0;
  else if (unitsPerYear === null) targetArl0 = FALLBACK_ARL0;
  else {
    const raw = arl0ForHorizon(unitsPerYear, st.falseAlarmProbability, st.horizonYears);
    const clamped = Math.min(MAX_ARL0, Math.max(st.minArl0, raw));
    // Up to the next step of a grid of 10% steps (never below the horizon's target): models share designs.
    targetArl0 = Math.exp(Math.ceil(Math.log(clamped) / Math.log(1.1) - 1e-9) * Math.log(1.1));
  }
  const chartArl0 = Math.max(50, targetArl0 / blockSize);
  const [h, L] = o.h !== undefined && o.L !== undefined ? [o.h, o.L] : designLimits(chartArl0, st.k, st.lambda);
  return { ...st, unitsPerYear, targetArl0, h: o.h ?? h, L: o.L ?? L, correlationInflation: inflation, blockSize };
}

const EMPTY_RUN: CusumRunState = { start: null, n: 0, units: 0, sum: 0, ySum: 0 };
const EMPTY_BLOCK: ModelDriftDetectorState['block'] = { n: 0, qSum: 0, ySum: 0, start: null };

/** The CUSUM stretch after a subgroup (score z, `units` units with ln-sigma sum ySum, first unit at `start`). */
function nextRun(run: CusumRunState, sumAfter: number, z: number, block: ModelDriftDetectorState['block']): CusumRunState {
  if (sumAfter <= 0) return EMPTY_RUN;
  return run.start === null
    ? { start: block.start, n: 1, units: block.n, sum: z, ySum: block.ySum }
    : { start: run.start, n: run.n + 1, units: run.units + block.n, sum: run.sum + z, ySum: run.ySum + block.ySum };
}

/** Default subgroup size: units in `blockDays` days, ≤ 25, ≤ baseline/10, ≥ 1 (see `ModelDriftDetectorOptions.blockSize`). */
function autoBlockSize(unitsPerYear: number | null, blockDays: number, baselineSize: number, maxBlockSize: number): number {
  if (unitsPerYear === null) return 1;
  const b = Math.round((unitsPerYear * blockDays) / 365.25);
  return Math.max(1, Math.min(maxBlockSize, Math.floor(baselineSize / 10), b));
}

/**
 * Detects drift of one model's sigma_gradient over time (see the module comment for the method and defaults).
 *
 * @example
 * ```ts
 * const det = new ModelDriftDetector('8340-1');
 * if (!det.setBaseline(trainingSigmas, trainingDates)) console.warn(det.baselineFailureReason);
 * const r = det.detect(0.00041, new Date('2025-03-02'));
 * if (r.alarm) console.log(`${r.direction} drift since ${r.onsetDate?.toISOString()}, ${r.sizeSigma?.toFixed(1)}σ`);
 * ```
 */
export class ModelDriftDetector {
  readonly modelName: string;
  /** Why the last {@link setBaseline} returned false (`null` after a success). */
  baselineFailureReason: string | null = null;
  private readonly options: ModelDriftDetectorOptions;
  private p: ModelDriftDetectorParams;
  private s: Running;
  /** The last {@link ewmaLimit} computed, for the parameters it was computed with (not part of the state). */
  private limitMemo: { t: number; c: number; p: ModelDriftDetectorParams | null; limit: number } = { t: -1, c: -1, p: null, limit: 0 };

  constructor(modelName: string, options: ModelDriftDetectorOptions = {}) {
    this.modelName = modelName;
    this.options = { ...options };
    const st = resolveStatic(options);
    this.p = resolveDesign(st, options, options.unitsPerYear ?? null, options.correlationInflation ?? 1, options.blockSize ?? 1);
    this.s = ModelDriftDetector.emptyRunning();
  }

  /** The resolved parameters; the design fields (target ARL0, h, L, f) are those of the current baseline. */
  get params(): ModelDriftDetectorParams {
    return this.p;
  }

  private static emptyRunning(): Running {
    return {
      baseline: null,
      reference: null,
      sorted: [],
      pending: [],
      block: EMPTY_BLOCK,
      blockRef: null,
      blockPending: [],
      cusumPos: 0,
      cusumNeg: 0,
      ewma: 0,
      t: 0,
      pos: EMPTY_RUN,
      neg: EMPTY_RUN,
      episode: null,
      samples: 0,
      skipped: 0,
    };
  }

  /**
   * Sets the baseline from this model's historical sigma values (chronological; `dates` optional, same length),
   * designs the limits and resets the charts. `unitsPerYear` (else the option, else estimated from `dates`) sets
   * the monitoring horizon. Returns false, with {@link baselineFailureReason}, when fewer than `minBaselineSize`
   * positive finite values remain or they have no spread; the detector is then unchanged.
   */
  setBaseline(sigmaValues: readonly number[], dates?: readonly Date[], opts: { readonly unitsPerYear?: number } = {}): boolean {
    if (dates !== undefined && dates.length !== sigmaValues.length) {
      throw new InvalidInputError(`setBaseline: ${sigmaValues.length} values but ${dates.length} dates; pass one date per value.`);
    }
    if (opts.unitsPerYear !== undefined && !(opts.unitsPerYear > 0 && Number.isFinite(opts.unitsPerYear))) {
      throw new InvalidInputError(`setBaseline: unitsPerYear must be a finite number > 0, got ${opts.unitsPerYear}.`);
    }
    const st = resolveStatic(this.options);
    const fit = fitDriftBaseline(sigmaValues, { minSize: st.minBaselineSize, outlierCut: st.outlierCut });
    if (!fit.ok) {
      this.baselineFailureReason = `Model ${JSON.stringify(this.modelName)}: ${fit.reason}`;
      return false;
    }
    const b = fit.baseline;
    const validDates = (dates ?? []).filter((d) => Number.isFinite(d.getTime()));
    const times = validDates.map((d) => d.getTime());
    const iso = (t: number): string | null => (Number.isFinite(t) ? new Date(t).toISOString() : null);
    // The reference of ranks: every usable value in time order (unscreened: ranks are robust, and a screen would
    // thin the very tail the ranks must know about).
    const ys = sigmaValues.filter((v) => Number.isFinite(v) && v > 0).map((v) => round6(Math.log(v)));
    const rate = opts.unitsPerYear ?? this.options.unitsPerYear ?? unitsPerYearOf(validDates);
    // The baseline's unit scores on the monitoring scale (each value against the others).
    const qs = st.score === 'rank' ? withinNormalScores(ys) : ys.map((y) => (y - b.logMean) / b.logStd);
    // Lot structure: the correlation of units by days apart, when every value has a date (all pairs inform it).
    const usableDates = (dates ?? []).filter((_, i) => Number.isFinite(sigmaValues[i]!) && sigmaValues[i]! > 0);
    const timed = usableDates.length === ys.length && usableDates.every((d) => Number.isFinite(d.getTime()));
    const rho = timed ? timeCorrelation(qs, usableDates) : null;
    // Subgroups only where lots show: when the units' own allowance f₁ is below `lotThreshold`, units are charted
    // one by one (subgrouping independent units only delays the signal).
    const unitInflation = rho ? subgroupInflation(rho, usableDates, 1, st.lambda) : 1;
    const blockSize =
      this.options.blockSize ??
      (rho === null || unitInflation < st.lotThreshold ? 1 : autoBlockSize(rate, st.blockDays, ys.length, st.maxBlockSize));
    const means: number[] = [];
    for (let i = 0; i + blockSize <= qs.length; i += blockSize) {
      let sum = 0;
      for (let j = i; j < i + blockSize; j++) sum += qs[j]!;
      means.push(sum / blockSize);
    }
    if (means.length < 3 || !(welford(means).m2 > 0)) {
      this.baselineFailureReason = `Model ${JSON.stringify(this.modelName)}: the baseline makes ${means.length} subgroups of ${blockSize} units with no usable spread; pass a smaller blockSize or a longer baseline.`;
      return false;
    }
    // Lot allowance of the chosen subgroups (without dates: the subgroup means' own autocorrelation).
    const inflation =
      this.options.correlationInflation ??
      (rho
        ? blockSize === 1
          ? unitInflation
          : subgroupInflation(rho, usableDates, blockSize, st.lambda)
        : correlationInflation(means, st.lambda));
    this.p = resolveDesign(st, this.options, rate, inflation, blockSize);
    this.baselineFailureReason = null;
    this.s = {
      ...ModelDriftDetector.emptyRunning(),
      baseline: { ...b, from: iso(Math.min(...times)), to: iso(Math.max(...times)) },
      reference: { n: b.n, mean: b.logMean, m2: b.logStd * b.logStd * (b.n - 1) },
      sorted: st.score === 'rank' ? [...ys].sort((a, c) => a - c) : [],
      blockRef: welford(means),
    };
    return true;
  }

  /** Processes one sample (see the module comment). Values ≤ 0 or not finite are skipped: `skipped: true`, no change. */
  detect(value: number, date: Date): DriftResult {
    const s = this.s;
    const ref = s.reference;
    if (s.baseline === null || ref === null || s.blockRef === null) {
      throw new NotTrainedError(
        `ModelDriftDetector ${JSON.stringify(this.modelName)}: call setBaseline() (or fromState()) before detect().`,
      );
    }
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new InvalidInputError("detect: date must be a valid Date (the sample's own date).");
    const { k, h, lambda, blockSize } = this.p;
    if (!(Number.isFinite(value) && value > 0)) {
      s.skipped++;
      return this.result(date, null, null, false, this.ewmaLimit(s.t));
    }
    const y = Math.log(value);
    const sd = Math.sqrt(ref.m2 / (ref.n - 1));
    let q: number;
    if (this.p.score === 'rank') q = rankNormalScore(s.sorted, y);
    else q = this.p.selfStarting ? selfStartingScore(y, ref.mean, sd, ref.n) : (y - s.baseline.logMean) / s.baseline.logStd;
    s.samples++;
    const ep = s.episode;
    if (ep === null && this.p.selfStarting) this.absorbLater(y, q);
    if (ep !== null) {
      ep.ySum += y;
      ep.count++;
    }
    const blk = s.block;
    s.block = { n: blk.n + 1, qSum: blk.qSum + q, ySum: blk.ySum + y, start: blk.start ?? date.toISOString() };
    if (s.block.n < blockSize) return this.result(date, q, null, false, this.ewmaLimit(s.t));
    // A subgroup is complete: its mean score, standardized against the earlier subgroup means.
    const block = s.block;
    s.block = EMPTY_BLOCK;
    const bm = block.qSum / block.n;
    const bref = s.blockRef;
    const bsd = Math.sqrt(bref.m2 / (bref.n - 1));
    // Effective reference size: n subgroups carry the information of n/f independent ones (lots span subgroups),
    // so the reference mean's error is f/n, not 1/n, of a subgroup's variance.
    const nEff = Math.max(2, bref.n / this.p.correlationInflation);
    const tz = this.p.selfStarting || this.p.score === 'rank' ? selfStartingScore(bm, bref.mean, bsd, nEff) : bm;
    // A single unit of the 'normal' score is already exact (t score) or plain by request: charted as it is.
    const z = blockSize === 1 && this.p.score === 'normal' ? q : tz;
    const zc = z / Math.sqrt(this.p.correlationInflation);
    s.t++;
    s.cusumPos = Math.max(0, s.cusumPos + zc - k);
    s.cusumNeg = Math.max(0, s.cusumNeg - zc - k);
    s.pos = nextRun(s.pos, s.cusumPos, zc, block);
    s.neg = nextRun(s.neg, s.cusumNeg, zc, block);
    s.ewma = (1 - lambda) * s.ewma + lambda * zc;
    const limit = this.ewmaLimit(s.t);
    if (ep === null) {
      const up = { cusum: s.cusumPos > h, ewma: s.ewma > limit, excess: Math.max(s.cusumPos / h, s.ewma / limit) };
      const down = { cusum: s.cusumNeg > h, ewma: s.ewma < -limit, excess: Math.max(s.cusumNeg / h, -s.ewma / limit) };
      const upSig = up.cusum || up.ewma;
      const downSig = down.cusum || down.ewma;
      if (!upSig && !downSig) {
        if (this.p.selfStarting) {
          if (Math.abs(z) <= this.p.updateGuard) this.absorbBlockLater(bm);
          this.release(limit);
        }
        return this.result(date, q, zc, false, limit);
      }
      const dirUp = upSig && (!downSig || up.excess >= down.excess);
      const sig = dirUp ? up : down;
      const run = dirUp ? s.pos : s.neg;
      const statistic: DriftStatistic = sig.cusum && sig.ewma ? 'both' : sig.cusum ? 'cusum' : 'ewma';
      const inRun = run.start !== null;
      const ySum = inRun ? run.ySum : block.ySum;
      const count = inRun ? run.units : block.n;
      s.episode = {
        direction: dirUp ? 'up' : 'down',
        onsetDate: run.start ?? block.start ?? date.toISOString(),
        detectedDate: date.toISOString(),
        statistic,
        sizeAtDetection: (ySum / count - ref.mean) / sd,
        ySum,
        count,
        calm: 0,
      };
      // Values that may belong to the drift never join the references.
      s.pending = [];
      s.blockPending = [];
      if (dirUp) s.cusumPos = Math.min(s.cusumPos, h);
      else s.cusumNeg = Math.min(s.cusumNeg, h);
      return this.result(date, q, zc, true, limit);
    }
    const isUp = ep.direction === 'up';
    if (isUp) s.cusumPos = Math.min(s.cusumPos, h);
    else s.cusumNeg = Math.min(s.cusumNeg, h);
    const calmNow = isUp ? s.cusumPos === 0 && s.ewma <= limit : s.cusumNeg === 0 && s.ewma >= -limit;
    ep.calm = calmNow ? ep.calm + 1 : 0;
    if (ep.calm >= this.p.rearmAfter) {
      const r = this.result(date, q, zc, false, limit, true);
      Object.assign(s, { cusumPos: 0, cusumNeg: 0, ewma: 0, t: 0, pos: EMPTY_RUN, neg: EMPTY_RUN, episode: null });
      return r;
    }
    return this.result(date, q, zc, false, limit);
  }

  /** Queues an in-control unit for the reference (for `'normal'` only when |score| ≤ `updateGuard`). */
  private absorbLater(y: number, q: number): void {
    if (this.p.score !== 'rank' && Math.abs(q) > this.p.updateGuard) return;
    const s = this.s;
    s.pending.push(round6(y));
    if (s.pending.length > this.p.maxReference) s.pending.shift();
  }

  /** Queues an in-control subgroup mean for the subgroup reference. */
  private absorbBlockLater(mean: number): void {
    const s = this.s;
    s.blockPending.push(mean);
    if (s.blockPending.length * this.p.blockSize > this.p.maxReference) s.blockPending.shift();
  }

  /**
   * Moves queued values older than `absorbDelay` units into the references, but only while the charts are calm
   * (both CUSUMs ≤ h/2 and the EWMA within half its limit): while a chart climbs, what it climbs on may be a slow
   * drift, and absorbing it would teach the reference the drift. Held values join once the charts calm down, and
   * are dropped if an alarm follows.
   */
  private release(limit: number): void {
    const s = this.s;
    const { h, absorbDelay, blockSize, maxReference } = this.p;
    if (Math.max(s.cusumPos, s.cusumNeg) > h / 2 || Math.abs(s.ewma) > limit / 2) return;
    const ref = s.reference!;
    while (s.pending.length > absorbDelay) {
      const v = s.pending.shift()!;
      if (ref.n >= maxReference) continue;
      ref.n++;
      const d = v - ref.mean;
      ref.mean += d / ref.n;
      ref.m2 += d * (v - ref.mean);
      if (this.p.score === 'rank') s.sorted.splice(lowerBound(s.sorted, v), 0, v);
    }
    const bref = s.blockRef!;
    while (s.blockPending.length > Math.ceil(absorbDelay / blockSize)) {
      const v = s.blockPending.shift()!;
      // Counted in subgroups, not units: the subgroup reference is a running mean and sum of squares (no size to
      // bound), and it must keep learning after the rank reference stops at maxReference units: the scores are
      // then taken against a frozen set of values, whose offset only the subgroup reference can learn, and its
      // error is shared by every later score (see ewmaLimit). Before, it stopped at maxReference/B subgroups
      // (40 for a runner's B = 25) and that error stayed for the rest of the model's life.
      if (bref.n >= maxReference) continue;
      bref.n++;
      const d = v - bref.mean;
      bref.mean += d / bref.n;
      bref.m2 += d * (v - bref.mean);
    }
  }

  /**
   * Runs {@link detect} over a chronological series and lists the drift episodes that opened in it. The manager
   * uses it during apply; the detector's state continues from where it was.
   *
   * @example
   * ```ts
   * const { results, episodes } = det.detectSeries(sigmas, dates);
   * for (const e of episodes) console.log(e.model, e.direction, e.onsetDate, e.sizeSigma);
   * ```
   */
  detectSeries(values: readonly number[], dates: readonly Date[]): { results: DriftResult[]; episodes: DriftEpisode[] } {
    if (values.length !== dates.length) {
      throw new InvalidInputError(`detectSeries: ${values.length} values but ${dates.length} dates; pass one date per value.`);
    }
    const results: DriftResult[] = [];
    const episodes: DriftEpisode[] = [];
    let open: number | null = null;
    values.forEach((v, i) => {
      const r = this.detect(v, dates[i]!);
      results.push(r);
      if (r.alarm && r.direction && r.onsetDate && r.statistic && r.sizeSigma !== null) {
        open = episodes.length;
        episodes.push({
          model: this.modelName,
          direction: r.direction,
          onsetDate: r.onsetDate,
          detectedDate: r.date,
          sizeSigma: r.sizeSigma,
          statistic: r.statistic,
          endDate: null,
        });
      } else if (open !== null && !r.drifting && !r.skipped) {
        episodes[open] = { ...episodes[open]!, endDate: r.date };
        open = null;
      }
    });
    return { results, episodes };
  }

  /**
   * [lower, centre, upper] on the original sigma scale: exp of the reference mean of ln(sigma) and of the EWMA's
   * asymptotic limits, mean ± L·√(λ/(2−λ)·(1 − c) + c)·√f·std (c the reference's shared error, see `ewmaLimit`) (the band an exponentially weighted geometric mean of sigma stays in
   * while in control, for near-normal ln sigma). With self-starting scoring the reference keeps updating, so the
   * limits move slowly.
   */
  getControlLimits(): [number, number, number] {
    const ref = this.s.reference;
    if (ref === null)
      throw new NotTrainedError(`ModelDriftDetector ${JSON.stringify(this.modelName)}: no baseline; call setBaseline() first.`);
    const { lambda, L, correlationInflation: f } = this.p;
    const c = this.sharedErrorCovariance();
    const w = L * Math.sqrt((lambda / (2 - lambda)) * (1 - c) + c) * Math.sqrt(f) * Math.sqrt(ref.m2 / (ref.n - 1));
    return [Math.exp(ref.mean - w), Math.exp(ref.mean), Math.exp(ref.mean + w)];
  }

  /** Mean of the baseline sigma values (original scale, used values), `null` before a baseline. */
  get baselineMean(): number | null {
    return this.s.baseline?.mean ?? null;
  }
  /** Sample std (ddof = 1) of the baseline sigma values (original scale), `null` before a baseline. */
  get baselineStd(): number | null {
    return this.s.baseline?.std ?? null;
  }
  /** 95th percentile (numpy 'linear') of the baseline sigma values, `null` before a baseline. */
  get baselineP95(): number | null {
    return this.s.baseline?.p95 ?? null;
  }
  /** Number of baseline values used. */
  get baselineSize(): number {
    return this.s.baseline?.n ?? 0;
  }
  get cusumPos(): number {
    return this.s.cusumPos;
  }
  get cusumNeg(): number {
    return this.s.cusumNeg;
  }
  /** Current EWMA of the scores, `null` before a baseline. */
  get ewmaValue(): number | null {
    return this.s.baseline ? this.s.ewma : null;
  }
  get isDrifting(): boolean {
    return this.s.episode !== null;
  }
  get driftDirection(): 'up' | 'down' | null {
    return this.s.episode?.direction ?? null;
  }

  /** The plain-JSON state: parameters, baseline and every running quantity. */
  toState(): ModelDriftDetectorState {
    return jsonClone({ kind: 'ModelDriftDetector', version: 2, modelName: this.modelName, params: this.p, ...this.s });
  }

  /**
   * Restores a detector exactly. Throws StateVersionError on an unknown kind or version: a version-1 state (normal
   * scores, one ARL0 for all models, no lot allowance) cannot be continued by this method; retraining the model
   * rebuilds it from the same baseline units.
   */
  static fromState(state: ModelDriftDetectorState): ModelDriftDetector {
    const st = state as { kind?: unknown; version?: unknown };
    if (st.kind !== 'ModelDriftDetector' || st.version !== 2) {
      throw new StateVersionError(
        `Expected a ModelDriftDetector state of version 2, got kind ${String(st.kind)} version ${String(st.version)}; ` +
          'this drift state was made by an older laser-trim-ml: retrain the model (train-all) to rebuild it.',
      );
    }
    const p = state.params;
    const det = new ModelDriftDetector(state.modelName, {
      ...p,
      unitsPerYear: p.unitsPerYear ?? undefined,
      targetArl0: p.targetArl0,
      h: p.h,
      L: p.L,
      correlationInflation: p.correlationInflation,
      blockSize: p.blockSize,
    });
    det.p = { ...p };
    const { kind: _k, version: _v, modelName: _m, params: _p, ...running } = jsonClone(state);
    det.s = running as Running;
    return det;
  }

  /**
   * The EWMA limit after t subgroups: L times the sd of E_t given that every score shares the reference's error.
   * The scores are standardized against one reference of (effective) n subgroups, so any two of them have
   * covariance c = 1/(n + 1) (the shared error of the reference mean, through the t score's √(1 + 1/n)), and
   * Var(E_t) = Σwᵢ²·(1 − c) + (Σwᵢ)²·c = λ/(2 − λ)·(1 − (1 − λ)^(2t))·(1 − c) + (1 − (1 − λ)^t)²·c
   * (see docs/drift.md, "The reference's own error"). n grows as the reference absorbs in-control subgroups.
   */
  private ewmaLimit(t: number): number {
    const { lambda, L } = this.p;
    const c = this.sharedErrorCovariance();
    // Every unit of a subgroup asks for the same limit (t and c change only when a subgroup completes): memoised.
    const m = this.limitMemo;
    if (m.t === t && m.c === c && m.p === this.p) return m.limit;
    const w1 = 1 - Math.pow(1 - lambda, t);
    const limit = L * Math.sqrt((lambda / (2 - lambda)) * (1 - Math.pow(1 - lambda, 2 * t)) * (1 - c) + w1 * w1 * c);
    this.limitMemo = { t, c, p: this.p, limit };
    return limit;
  }

  /**
   * c = 1/(n_eff + 1), n_eff = subgroups in the reference / f (the same effective size as the t score's): the
   * covariance of two scores through the reference they share. 0 before a baseline.
   */
  private sharedErrorCovariance(): number {
    const bref = this.s.blockRef;
    if (bref === null) return 0;
    return 1 / (Math.max(2, bref.n / this.p.correlationInflation) + 1);
  }

  private result(
    date: Date,
    z: number | null,
    subgroupScore: number | null,
    alarm: boolean,
    ewmaLimit: number,
    ended = false,
  ): DriftResult {
    const s = this.s;
    const ep = ended ? null : s.episode;
    const ref = s.reference!;
    const sd = Math.sqrt(ref.m2 / (ref.n - 1));
    return {
      date,
      drifting: ep !== null,
      alarm,
      direction: ep?.direction ?? null,
      sizeSigma: ep === null ? null : alarm ? ep.sizeAtDetection : (ep.ySum / ep.count - ref.mean) / sd,
      onsetDate: ep ? new Date(ep.onsetDate) : null,
      cusumPos: s.cusumPos,
      cusumNeg: s.cusumNeg,
      ewma: s.ewma,
      ewmaLimit,
      z,
      subgroupScore,
      statistic: ep?.statistic ?? null,
      skipped: z === null,
    };
  }
}
