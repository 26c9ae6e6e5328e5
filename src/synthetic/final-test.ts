/**
 * The Final Test outcome of one track: a later event that depends on the trim measurements and on assembly.
 *
 * Failure log-odds (the true model; `p = logistic(η)` is the exact probability given everything observable):
 * ```
 * η = c0 + assembly_m
 *     + kR · ln(error / spec)                         // trim linearity margin: the strongest term
 *     + kZ · z                                        // sigma relative to the model's own typical sigma
 *     + kI · softplus(z) · logistic(6·(error/spec − 0.8))  // high sigma hurts most near the spec edge
 *     + kO · (|offset|/spec − 0.15) / 0.12            // a large centring offset
 *     + kC · (Δresistance − mean_m) / 0.012           // an unusual resistance change
 * ```
 * The outcome is `η + ε > 0` with ε standard logistic (the per-unit assembly noise), so P(fail) = logistic(η).
 * FT fail points are monotone in `η + ε` through their own severity distribution.
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import { clamp, logistic, logisticNoise, logLinearQuantile } from './distributions.js';
import type { SyntheticModelSpec } from './types.js';
import type { TrimTrackDraw } from './unit.js';

/** Coefficients of the FT failure log-odds (see the module comment). */
export const FT_COEFFICIENTS = {
  c0: -0.95,
  kR: 3.5,
  kZ: 0.55,
  kI: 0.9,
  kO: 0.35,
  kC: 0.3,
} as const;

/** Quantile knots of FT fail points among FT fails (median ≈ 5, ≈ 15 % above 50). */
export const FT_FAIL_POINT_KNOTS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0.45, 4],
  [0.55, 6],
  [0.85, 51],
  [1, 400],
];

/** The FT truth of one track. */
export interface FinalTestDraw {
  readonly failProbability: number;
  readonly pass: boolean;
  readonly failPoints: number;
  /** FT linearity error / spec. */
  readonly errorRatio: number;
}

function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

/**
 * The FT failure log-odds η of a trim track (before the assembly noise).
 *
 * @example
 * ```ts
 * finalTestLogOdds(spec, trimDraw); // e.g. -2.3 → P(fail) = logistic(-2.3) ≈ 0.09
 * ```
 */
export function finalTestLogOdds(
  spec: SyntheticModelSpec,
  t: Pick<TrimTrackDraw, 'sigmaZ' | 'errorRatio' | 'offsetRatio' | 'resistanceChange'>,
): number {
  const k = FT_COEFFICIENTS;
  return (
    k.c0 +
    spec.assemblyDifficulty +
    k.kR * Math.log(t.errorRatio) +
    k.kZ * t.sigmaZ +
    k.kI * softplus(t.sigmaZ) * logistic(6 * (t.errorRatio - 0.8)) +
    k.kO * clamp((t.offsetRatio - 0.15) / 0.12, -3, 6) +
    k.kC * ((t.resistanceChange - spec.resistanceChangeMean) / 0.012)
  );
}

/**
 * Draws the FT outcome of one trim track.
 *
 * @example
 * ```ts
 * const ft = drawFinalTest(rng, spec, trimDraw);
 * ft.failProbability; // the truth the outcome was drawn from
 * ```
 */
export function drawFinalTest(rng: Rng, spec: SyntheticModelSpec, t: TrimTrackDraw): FinalTestDraw {
  const eta = finalTestLogOdds(spec, t);
  const y = eta + logisticNoise(rng);
  const pass = y <= 0;
  if (pass) {
    const base = t.trimPass ? t.errorRatio : 0.6 + 0.4 * rng.next();
    return { failProbability: logistic(eta), pass, failPoints: 0, errorRatio: clamp(base * Math.exp(0.2 * rng.nextNormal()), 0.15, 0.999) };
  }
  const q = clamp(1 - Math.exp(-y / 2.5), 0.0005, 0.9995);
  const failPoints = Math.min(spec.pointsPerTrack, Math.max(1, Math.floor(logLinearQuantile(q, FT_FAIL_POINT_KNOTS))));
  const errorRatio = clamp(1 + 0.35 * Math.log1p(failPoints) * Math.exp(0.2 * rng.nextNormal()), 1.001, 60);
  return { failProbability: logistic(eta), pass, failPoints, errorRatio };
}
