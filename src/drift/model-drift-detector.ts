/**
 * Per-model drift detection on ln(sigma): a two-sided CUSUM and an EWMA run together, designed from a target
 * in-control ARL.
 *
 * **Score.** Each sample becomes a score on ln(sigma) (never raw sigma, which is right-skewed). By default it is the
 * self-starting t score of Hawkins (1987) (`selfStartingScore`): the reference mean and std (ddof = 1) of ln(sigma)
 * start from the baseline (≥ 30 values) and keep absorbing in-control samples, and the t → normal transform makes the
 * scores exact N(0, 1) in control for any baseline size. This is the small-baseline correction: with a plain
 * z = (y − μ̂)/σ̂ and n = 30, the error of μ̂ acts like a permanent shift: in the seeded bench 33.7% of stable models
 * are flagged within 1,000 samples instead of 2.0% (and 4.2% with n = 300). Inflating h instead would not do: by the
 * ARL integral over the sampling distribution of (μ̂, σ̂), even 3 × h leaves the n = 30 CUSUM at 5× its nominal
 * false-alarm probability, while its ARL at 1σ triples. The price of self-starting: in-control samples before an
 * alarm are absorbed into the reference (weight 1/n each), so a slow creep is tracked a little; samples with
 * |score| > `updateGuard` and samples inside an episode are never absorbed. The scores assume ln(sigma) is normal.
 *
 * **Charts.** CUSUM S⁺ = max(0, S⁺ + z − k), S⁻ = max(0, S⁻ − z − k), signal when S > h; EWMA E = (1 − λ)E + λz with
 * the exact time-varying limit L·√(λ/(2−λ)·(1−(1−λ)^(2t))), t = 1 at the first sample of the chart: the limit is then
 * L·λ, so the first sample signals only when |z| > L (with t = 0 the width would be 0 and every first sample would
 * alarm). Each chart gets an ARL0 of 2 × `targetArl0`.
 *
 * **Defaults** (targetArl0 = 50,000, k = 0.375, λ = 0.1 → h = 13.422, L = 4.3222), by the ARL calculator with known
 * parameters: CUSUM ARL0 100,000, ARL at 0.5σ 85.5, at 1σ 22.1, at 2σ 8.9; EWMA ARL0 100,000, at 0.5σ 227.0, at 1σ
 * 23.5, at 2σ 7.2. The combined scheme (seeded simulation, `bench/drift.bench.ts`): ARL0 ≈ 54,500 (± 3,200), ARL at
 * 0.5σ 82.2, at 1σ 19.5 with P(signal within 50 samples) = 0.998, at 2σ 5.3. Expected false alarms per stable model
 * per 1,000 samples: 1,000 / 54,500 ≈ 0.018 (≈ 1.8% of stable models flagged over 1,000 samples, ≈ 5.4% over 3,000;
 * raise `targetArl0` for long histories: h and L grow only logarithmically with it).
 *
 * **Episodes.** An alarm opens an episode (direction from the side that signalled, onset = the date where that side's
 * CUSUM last left zero; for an EWMA-only alarm the same side's CUSUM bookkeeping, or the alarm date when that CUSUM is
 * 0). While the episode is open no new alarm is raised, the reference is not updated, and the signalling CUSUM is
 * capped at h (so it can come back once the process does). The episode ends after `rearmAfter` consecutive samples
 * with the signalling CUSUM at 0 and the EWMA inside its limit on that side; then both charts restart from 0 (t = 0).
 *
 * @module
 */
import { InvalidInputError, NotTrainedError, StateVersionError } from '../core/errors.js';
import { fitDriftBaseline } from './baseline.js';
import { designCusumH, designEwmaL } from './design.js';
import { selfStartingScore } from './student-t.js';
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
type Running = Writable<Omit<ModelDriftDetectorState, 'kind' | 'version' | 'modelName' | 'params' | 'reference' | 'episode'>> & {
  reference: Writable<NonNullable<ModelDriftDetectorState['reference']>> | null;
  episode: Writable<DriftEpisodeState> | null;
};

const designCache = new Map<string, [number, number]>();

/** h and L of the default design, memoised (the design is a pure function of its inputs). */
function designLimits(targetArl0: number, k: number, lambda: number): [number, number] {
  const key = `${targetArl0}|${k}|${lambda}`;
  let v = designCache.get(key);
  if (!v) {
    v = [designCusumH(2 * targetArl0, k), designEwmaL(2 * targetArl0, lambda)];
    designCache.set(key, v);
  }
  return v;
}

function resolveParams(o: ModelDriftDetectorOptions): ModelDriftDetectorParams {
  const p = {
    targetArl0: o.targetArl0 ?? 50_000,
    k: o.k ?? 0.375,
    lambda: o.lambda ?? 0.1,
    minBaselineSize: o.minBaselineSize ?? 30,
    outlierCut: o.outlierCut ?? 5,
    selfStarting: o.selfStarting ?? true,
    updateGuard: o.updateGuard ?? 4,
    rearmAfter: o.rearmAfter ?? 3,
  };
  const bad = (name: string, v: number, rule: string): never => {
    throw new InvalidInputError(`ModelDriftDetector option ${name} must be ${rule}, got ${v}.`);
  };
  if (!(p.targetArl0 > 1) || !Number.isFinite(p.targetArl0)) bad('targetArl0', p.targetArl0, 'a finite number > 1');
  if (!(p.k >= 0) || !Number.isFinite(p.k)) bad('k', p.k, 'a finite number ≥ 0');
  if (!(p.lambda > 0 && p.lambda <= 1)) bad('lambda', p.lambda, 'in (0, 1]');
  if (!Number.isInteger(p.minBaselineSize) || p.minBaselineSize < 3) bad('minBaselineSize', p.minBaselineSize, 'an integer ≥ 3');
  if (!(p.outlierCut > 0)) bad('outlierCut', p.outlierCut, '> 0');
  if (!(p.updateGuard > 0)) bad('updateGuard', p.updateGuard, '> 0');
  if (!Number.isInteger(p.rearmAfter) || p.rearmAfter < 1) bad('rearmAfter', p.rearmAfter, 'an integer ≥ 1');
  if (o.h !== undefined && !(o.h > 0 && Number.isFinite(o.h))) bad('h', o.h, 'a finite number > 0');
  if (o.L !== undefined && !(o.L > 0 && Number.isFinite(o.L))) bad('L', o.L, 'a finite number > 0');
  const [h, L] = o.h !== undefined && o.L !== undefined ? [o.h, o.L] : designLimits(p.targetArl0, p.k, p.lambda);
  return { ...p, h: o.h ?? h, L: o.L ?? L };
}

const EMPTY_RUN: CusumRunState = { start: null, n: 0, sum: 0 };

function nextRun(run: CusumRunState, sumAfter: number, z: number, date: Date): CusumRunState {
  if (sumAfter <= 0) return EMPTY_RUN;
  return run.start === null ? { start: date.toISOString(), n: 1, sum: z } : { start: run.start, n: run.n + 1, sum: run.sum + z };
}

/**
 * Detects drift of one model's sigma_gradient over time (see the module comment for the method and defaults).
 *
 * @example
 * ```ts
 * const det = new ModelDriftDetector('8340-1');
 * if (!det.setBaseline(trainingSigmas)) console.warn(det.baselineFailureReason);
 * const r = det.detect(0.00041, new Date('2025-03-02'));
 * if (r.alarm) console.log(`${r.direction} drift since ${r.onsetDate?.toISOString()}, ${r.sizeSigma?.toFixed(1)}σ`);
 * ```
 */
export class ModelDriftDetector {
  readonly modelName: string;
  readonly params: ModelDriftDetectorParams;
  /** Why the last {@link setBaseline} returned false (`null` after a success). */
  baselineFailureReason: string | null = null;
  private s: Running;

  constructor(modelName: string, options: ModelDriftDetectorOptions = {}) {
    this.modelName = modelName;
    this.params = resolveParams(options);
    this.s = { baseline: null, reference: null, cusumPos: 0, cusumNeg: 0, ewma: 0, t: 0, pos: EMPTY_RUN, neg: EMPTY_RUN, episode: null, samples: 0, skipped: 0 };
  }

  /**
   * Sets the baseline from this model's historical sigma values (chronological; `dates` optional, same length) and
   * resets the charts. Returns false, with {@link baselineFailureReason}, when fewer than `minBaselineSize` positive
   * finite values remain or they have no spread; the detector is then unchanged.
   */
  setBaseline(sigmaValues: readonly number[], dates?: readonly Date[]): boolean {
    if (dates !== undefined && dates.length !== sigmaValues.length) {
      throw new InvalidInputError(`setBaseline: ${sigmaValues.length} values but ${dates.length} dates; pass one date per value.`);
    }
    const fit = fitDriftBaseline(sigmaValues, { minSize: this.params.minBaselineSize, outlierCut: this.params.outlierCut });
    if (!fit.ok) {
      this.baselineFailureReason = `Model ${JSON.stringify(this.modelName)}: ${fit.reason}`;
      return false;
    }
    const b = fit.baseline;
    const times = (dates ?? []).map((d) => d.getTime()).filter(Number.isFinite);
    const iso = (t: number): string | null => (Number.isFinite(t) ? new Date(t).toISOString() : null);
    this.baselineFailureReason = null;
    this.s = {
      baseline: { ...b, from: iso(Math.min(...times)), to: iso(Math.max(...times)) },
      reference: { n: b.n, mean: b.logMean, m2: b.logStd * b.logStd * (b.n - 1) },
      cusumPos: 0, cusumNeg: 0, ewma: 0, t: 0, pos: EMPTY_RUN, neg: EMPTY_RUN, episode: null, samples: 0, skipped: 0,
    };
    return true;
  }

  /** Processes one sample (see the module comment). Values ≤ 0 or not finite are skipped: `skipped: true`, no change. */
  detect(value: number, date: Date): DriftResult {
    const s = this.s;
    const ref = s.reference;
    if (s.baseline === null || ref === null) {
      throw new NotTrainedError(`ModelDriftDetector ${JSON.stringify(this.modelName)}: call setBaseline() (or fromState()) before detect().`);
    }
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new InvalidInputError('detect: date must be a valid Date (the sample\'s own date).');
    const { k, h, lambda } = this.params;
    if (!(Number.isFinite(value) && value > 0)) {
      s.skipped++;
      return this.result(date, null, false, this.ewmaLimit(s.t));
    }
    const y = Math.log(value);
    const sd = Math.sqrt(ref.m2 / (ref.n - 1));
    const z = this.params.selfStarting ? selfStartingScore(y, ref.mean, sd, ref.n) : (y - s.baseline.logMean) / s.baseline.logStd;
    s.samples++;
    s.t++;
    s.cusumPos = Math.max(0, s.cusumPos + z - k);
    s.cusumNeg = Math.max(0, s.cusumNeg - z - k);
    s.pos = nextRun(s.pos, s.cusumPos, z, date);
    s.neg = nextRun(s.neg, s.cusumNeg, z, date);
    s.ewma = (1 - lambda) * s.ewma + lambda * z;
    const limit = this.ewmaLimit(s.t);
    const ep = s.episode;
    if (ep === null) {
      const up = { cusum: s.cusumPos > h, ewma: s.ewma > limit, excess: Math.max(s.cusumPos / h, s.ewma / limit) };
      const down = { cusum: s.cusumNeg > h, ewma: s.ewma < -limit, excess: Math.max(s.cusumNeg / h, -s.ewma / limit) };
      const upSig = up.cusum || up.ewma;
      const downSig = down.cusum || down.ewma;
      if (!upSig && !downSig) {
        if (this.params.selfStarting && Math.abs(z) <= this.params.updateGuard) {
          ref.n++;
          const d = y - ref.mean;
          ref.mean += d / ref.n;
          ref.m2 += d * (y - ref.mean);
        }
        return this.result(date, z, false, limit);
      }
      const dirUp = upSig && (!downSig || up.excess >= down.excess);
      const sig = dirUp ? up : down;
      const run = dirUp ? s.pos : s.neg;
      const statistic: DriftStatistic = sig.cusum && sig.ewma ? 'both' : sig.cusum ? 'cusum' : 'ewma';
      const inRun = run.start !== null;
      const size = inRun ? run.sum / run.n : s.ewma;
      s.episode = {
        direction: dirUp ? 'up' : 'down',
        onsetDate: run.start ?? date.toISOString(),
        detectedDate: date.toISOString(),
        statistic,
        sizeAtDetection: size,
        sum: inRun ? run.sum : size,
        count: inRun ? run.n : 1,
        calm: 0,
      };
      if (dirUp) s.cusumPos = Math.min(s.cusumPos, h);
      else s.cusumNeg = Math.min(s.cusumNeg, h);
      return this.result(date, z, true, limit);
    }
    ep.sum += z;
    ep.count++;
    const isUp = ep.direction === 'up';
    if (isUp) s.cusumPos = Math.min(s.cusumPos, h);
    else s.cusumNeg = Math.min(s.cusumNeg, h);
    const calmNow = isUp ? s.cusumPos === 0 && s.ewma <= limit : s.cusumNeg === 0 && s.ewma >= -limit;
    ep.calm = calmNow ? ep.calm + 1 : 0;
    if (ep.calm >= this.params.rearmAfter) {
      const r = this.result(date, z, false, limit, true);
      Object.assign(s, { cusumPos: 0, cusumNeg: 0, ewma: 0, t: 0, pos: EMPTY_RUN, neg: EMPTY_RUN, episode: null });
      return r;
    }
    return this.result(date, z, false, limit);
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
        episodes.push({ model: this.modelName, direction: r.direction, onsetDate: r.onsetDate, detectedDate: r.date, sizeSigma: r.sizeSigma, statistic: r.statistic, endDate: null });
      } else if (open !== null && !r.drifting && !r.skipped) {
        episodes[open] = { ...episodes[open]!, endDate: r.date };
        open = null;
      }
    });
    return { results, episodes };
  }

  /**
   * [lower, centre, upper] on the original sigma scale: exp of the reference mean of ln(sigma) and of the EWMA's
   * asymptotic limits, mean ± L·√(λ/(2−λ))·std (the band an exponentially weighted geometric mean of sigma stays in
   * while in control). With self-starting scoring the reference keeps updating, so the limits move slowly.
   */
  getControlLimits(): [number, number, number] {
    const ref = this.s.reference;
    if (ref === null) throw new NotTrainedError(`ModelDriftDetector ${JSON.stringify(this.modelName)}: no baseline; call setBaseline() first.`);
    const { lambda, L } = this.params;
    const w = L * Math.sqrt(lambda / (2 - lambda)) * Math.sqrt(ref.m2 / (ref.n - 1));
    return [Math.exp(ref.mean - w), Math.exp(ref.mean), Math.exp(ref.mean + w)];
  }

  /** Mean of the baseline sigma values (original scale, used values), `null` before a baseline. */
  get baselineMean(): number | null { return this.s.baseline?.mean ?? null; }
  /** Sample std (ddof = 1) of the baseline sigma values (original scale), `null` before a baseline. */
  get baselineStd(): number | null { return this.s.baseline?.std ?? null; }
  /** 95th percentile (numpy 'linear') of the baseline sigma values, `null` before a baseline. */
  get baselineP95(): number | null { return this.s.baseline?.p95 ?? null; }
  /** Number of baseline values used. */
  get baselineSize(): number { return this.s.baseline?.n ?? 0; }
  get cusumPos(): number { return this.s.cusumPos; }
  get cusumNeg(): number { return this.s.cusumNeg; }
  /** Current EWMA of the scores, `null` before a baseline. */
  get ewmaValue(): number | null { return this.s.baseline ? this.s.ewma : null; }
  get isDrifting(): boolean { return this.s.episode !== null; }
  get driftDirection(): 'up' | 'down' | null { return this.s.episode?.direction ?? null; }

  /** The plain-JSON state: parameters, baseline and every running quantity. */
  toState(): ModelDriftDetectorState {
    return JSON.parse(JSON.stringify({ kind: 'ModelDriftDetector', version: 1, modelName: this.modelName, params: this.params, ...this.s })) as ModelDriftDetectorState;
  }

  /** Restores a detector exactly; throws StateVersionError on an unknown kind or version. */
  static fromState(state: ModelDriftDetectorState): ModelDriftDetector {
    const st = state as { kind?: unknown; version?: unknown };
    if (st.kind !== 'ModelDriftDetector' || st.version !== 1) {
      throw new StateVersionError(`Expected a ModelDriftDetector state of version 1, got kind ${String(st.kind)} version ${String(st.version)}; retrain the model.`);
    }
    const det = new ModelDriftDetector(state.modelName, state.params);
    const { kind: _k, version: _v, modelName: _m, params: _p, ...running } = JSON.parse(JSON.stringify(state)) as ModelDriftDetectorState;
    det.s = running as typeof det.s;
    return det;
  }

  private ewmaLimit(t: number): number {
    const { lambda, L } = this.params;
    return L * Math.sqrt((lambda / (2 - lambda)) * (1 - Math.pow(1 - lambda, 2 * t)));
  }

  private result(date: Date, z: number | null, alarm: boolean, ewmaLimit: number, ended = false): DriftResult {
    const s = this.s;
    const ep = ended ? null : s.episode;
    return {
      date, drifting: ep !== null, alarm,
      direction: ep?.direction ?? null,
      sizeSigma: ep === null ? null : alarm ? ep.sizeAtDetection : ep.sum / ep.count,
      onsetDate: ep ? new Date(ep.onsetDate) : null,
      cusumPos: s.cusumPos, cusumNeg: s.cusumNeg, ewma: s.ewma, ewmaLimit, z,
      statistic: ep?.statistic ?? null,
      skipped: z === null,
    };
  }
}
