/**
 * The trim physics of one track of one unit. Every track has two latent standard normals:
 *
 * - `z`, its log-sigma deviation: `log10 σ = median + spread · (z + drift)`; a dual-track unit's two `z` are
 *   correlated (the model's `trackCorrelation`).
 * - `e`, the trim process noise. The track fails trim when `L = difficulty + 0.5·(z + drift) + e > 0`, so sigma
 *   raises the failure rate only mildly (and a drift up raises it a little).
 *
 * The trim error and fail points are monotone functions of L's quantile inside its pass or fail region, through the
 * target distributions of `shared/domain.md`: a pass has error/spec in [0.2, 1) and 0 fail points; a fail has
 * error/spec in (1, 60] and fail points with median 6, 41 % in 1–3 and 18 % above 50 (capped at the points count).
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import type { HostTrackInput } from '../storage/repository.js';
import { clamp, logLinearQuantile, normalCdf } from './distributions.js';
import type { SyntheticModelSpec } from './types.js';

/** Weight of the sigma deviation in the trim latent. */
export const TRIM_SIGMA_WEIGHT = 0.5;
/** Standard deviation of the trim latent minus its mean: √(0.5² + 1). */
export const TRIM_LATENT_SD = Math.sqrt(TRIM_SIGMA_WEIGHT * TRIM_SIGMA_WEIGHT + 1);

/**
 * Quantile knots `[q, failPoints + 1)` of trim fail points among fails: q = 0.41 → 4 (41 % have 1–3),
 * q = 0.5 → 6.5 (median 6), q = 0.82 → 51 (18 % above 50), q = 1 → 400 (capped at the points count).
 */
export const TRIM_FAIL_POINT_KNOTS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0.41, 4],
  [0.5, 6.5],
  [0.82, 51],
  [1, 400],
];

/** What the generator knows about a trim track (the truth behind the stored row). */
export interface TrimTrackDraw {
  readonly input: HostTrackInput;
  readonly sigma: number;
  readonly sigmaZ: number;
  readonly trimPass: boolean;
  /** linearity_error / spec. */
  readonly errorRatio: number;
  /** |optimal offset| / spec. */
  readonly offsetRatio: number;
  /** (trimmed − untrimmed) / untrimmed. */
  readonly resistanceChange: number;
}

/** Rounds to `digits` significant digits (what a stored float looks like). */
function sig(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}

/**
 * Draws the latent pairs of one unit: `z` (log-sigma deviation) and `e` (trim noise) per track, correlated between
 * the two tracks of a dual-track unit (`trackCorrelation` for `z`, 0.5 for `e`).
 *
 * @example
 * ```ts
 * const [first] = drawUnitLatents(createRng(1), spec); // { z, e }
 * ```
 */
export function drawUnitLatents(rng: Rng, spec: SyntheticModelSpec): { z: number; e: number }[] {
  const z1 = rng.nextNormal();
  const e1 = rng.nextNormal();
  if (spec.tracksPerRun === 1) return [{ z: z1, e: e1 }];
  const rho = spec.trackCorrelation;
  const z2 = rho * z1 + Math.sqrt(1 - rho * rho) * rng.nextNormal();
  const e2 = 0.5 * e1 + Math.sqrt(0.75) * rng.nextNormal();
  return [
    { z: z1, e: e1 },
    { z: z2, e: e2 },
  ];
}

/**
 * Draws one trim track from its latents.
 *
 * @param driftZ - the model's drift shift at this unit, in within-model σ (0 before the onset).
 * @param unitLengthKnown - false on the model's oldest files (stored `unit_length` is `null`).
 * @example
 * ```ts
 * const t = drawTrimTrack(rng, spec, 'default', { z: 0.3, e: -1 }, 0, true);
 * t.input.linearityPass; // true (L < 0 for a typical model)
 * ```
 */
export function drawTrimTrack(
  rng: Rng,
  spec: SyntheticModelSpec,
  trackId: string,
  latent: { z: number; e: number },
  driftZ: number,
  unitLengthKnown: boolean,
): TrimTrackDraw {
  const sigmaZ = latent.z + driftZ;
  const sigma = sig(10 ** (spec.log10SigmaMedian + spec.log10SigmaSpread * sigmaZ), 6);
  // Standardised L − difficulty, and the pass/fail boundary L = 0 on the same scale.
  const x = (TRIM_SIGMA_WEIGHT * sigmaZ + latent.e) / TRIM_LATENT_SD;
  const x0 = -spec.trimDifficulty / TRIM_LATENT_SD;
  const pass = x <= x0;
  const spc = spec.linearitySpec;
  let ratio: number;
  let failPoints: number;
  if (pass) {
    // Quantile of L within the pass region: Φ(x)/Φ(x0).
    const q = clamp(normalCdf(x) / normalCdf(x0) + 0.05 * rng.nextNormal(), 0, 1);
    ratio = Math.min(0.999, 0.2 + 0.8 * q ** 0.7);
    failPoints = 0;
  } else {
    // Quantile within the fail region: 1 − Φ(−x)/Φ(−x0), in upper tails for precision.
    const q = clamp(1 - normalCdf(-x) / normalCdf(-x0) + 0.08 * rng.nextNormal(), 0.0005, 0.9995);
    failPoints = Math.min(spec.pointsPerTrack, Math.max(1, Math.floor(logLinearQuantile(q, TRIM_FAIL_POINT_KNOTS))));
    ratio = clamp(60 ** (q ** 1.6 * Math.exp(0.15 * rng.nextNormal())), 1.001, 60);
  }
  // The offset that centres the error grows with the error: its sd is (0.12 + 0.05·min(ratio, 5))·spec.
  const offset = spec.offsetBias + spc * (0.12 + 0.05 * Math.min(ratio, 5)) * rng.nextNormal();
  const untrimmed = spec.nominalResistance * Math.exp(0.04 * rng.nextNormal());
  const change = clamp(spec.resistanceChangeMean + 0.012 * rng.nextNormal(), 0.02, 0.15);
  const travel =
    spec.kind === 'linear' ? spec.travelLength * (1 + 0.002 * rng.nextNormal()) : spec.travelLength * (1 + 0.004 * rng.nextNormal());
  const input: HostTrackInput = {
    trackId,
    status: pass ? 'PASS' : 'FAIL',
    sigmaGradient: spec.role === 'zero_sigma' ? 0 : sigma,
    linearitySpec: spc,
    linearityError: sig(ratio * spc, 6),
    linearityFailPoints: failPoints,
    linearityPass: pass,
    optimalOffset: sig(offset, 6),
    travelLength: sig(travel, 6),
    unitLength: unitLengthKnown ? spec.unitLength : null,
    untrimmedResistance: Math.round(untrimmed * 10) / 10,
    trimmedResistance: Math.round(untrimmed * (1 + change) * 10) / 10,
  };
  return { input, sigma, sigmaZ, trimPass: pass, errorRatio: ratio, offsetRatio: Math.abs(offset) / spc, resistanceChange: change };
}
