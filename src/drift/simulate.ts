/**
 * Run length of the combined CUSUM-or-EWMA scheme by seeded simulation: the scheme has no simple Markov chain (its
 * state is three-dimensional), so its ARL is estimated by Monte Carlo, with the exact rules of
 * {@link ModelDriftDetector} and known in-control parameters: scores z ~ N(shift, 1) from the first sample, CUSUM
 * sums and EWMA started at 0, EWMA limits time-varying (t = 1 at the first sample) unless `asymptoticEwma` is set.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { createRng } from '../core/rng.js';

/** Parameters of a combined scheme. */
export interface CombinedScheme {
  readonly k: number;
  readonly h: number;
  readonly lambda: number;
  readonly L: number;
}

/** Options of {@link simulateCombinedArl}. */
export interface SimulateArlOptions {
  /** Shift of the mean in σ (default 0). */
  readonly shift?: number;
  /** Replicates (default 2,000). */
  readonly replicates?: number;
  /** Seed of the PRNG (default 1). */
  readonly seed?: number;
  /** Use the asymptotic EWMA limits instead of the exact time-varying ones (default false). */
  readonly asymptoticEwma?: boolean;
  /** Horizon for `withinHorizon` (default 50 samples). */
  readonly horizon?: number;
  /** Stop a replicate at this length and count it as censored (default 10,000,000). */
  readonly maxLength?: number;
}

/** Estimated run-length summary. */
export interface SimulatedArl {
  /** Mean run length (censored replicates count at `maxLength`). */
  readonly arl: number;
  /** Standard error of `arl` (sample std / √replicates). */
  readonly se: number;
  /** Fraction of replicates whose run length was ≤ `horizon` (the probability of a signal within the horizon). */
  readonly withinHorizon: number;
  readonly replicates: number;
  readonly censored: number;
}

/**
 * Simulates the run length of "signal when the two-sided CUSUM (k, h) or the EWMA (λ, L) signals".
 *
 * @example
 * ```ts
 * simulateCombinedArl({ k: 0.5, h: 5, lambda: 0.2, L: 3 }, { replicates: 5000, seed: 7 }).arl; // ≈ 370
 * ```
 */
export function simulateCombinedArl(scheme: CombinedScheme, opts: SimulateArlOptions = {}): SimulatedArl {
  const { k, h, lambda, L } = scheme;
  const shift = opts.shift ?? 0;
  const reps = opts.replicates ?? 2000;
  const maxLength = opts.maxLength ?? 10_000_000;
  const horizon = opts.horizon ?? 50;
  if (!(h > 0 && L > 0 && lambda > 0 && lambda <= 1 && k >= 0) || !Number.isInteger(reps) || reps < 2) {
    throw new InvalidInputError('simulateCombinedArl: need h > 0, L > 0, 0 < lambda ≤ 1, k ≥ 0 and an integer replicates ≥ 2.');
  }
  const rng = createRng(opts.seed ?? 1);
  const asym = L * Math.sqrt(lambda / (2 - lambda));
  const decay = (1 - lambda) * (1 - lambda);
  let sum = 0;
  let sumSq = 0;
  let within = 0;
  let censored = 0;
  for (let r = 0; r < reps; r++) {
    let sp = 0;
    let sn = 0;
    let e = 0;
    let pw = 1; // (1 − λ)^(2t)
    let t = 0;
    for (;;) {
      t++;
      const z = rng.nextNormal() + shift;
      sp = Math.max(0, sp + z - k);
      sn = Math.max(0, sn - z - k);
      e = (1 - lambda) * e + lambda * z;
      pw *= decay;
      const lim = opts.asymptoticEwma ? asym : asym * Math.sqrt(1 - pw);
      if (sp > h || sn > h || Math.abs(e) > lim) break;
      if (t >= maxLength) {
        censored++;
        break;
      }
    }
    sum += t;
    sumSq += t * t;
    if (t <= horizon) within++;
  }
  const arl = sum / reps;
  const sd = Math.sqrt(Math.max(0, (sumSq - reps * arl * arl) / (reps - 1)));
  return { arl, se: sd / Math.sqrt(reps), withinHorizon: within / reps, replicates: reps, censored };
}
