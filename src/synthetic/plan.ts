/**
 * Plans a synthetic plant: resolves the options, draws every model's specification (sizes, spec, geometry, sigma
 * level and spread, difficulty, special roles, drift) from the plant seed. The plan is small (one object per model),
 * so a million-track plant is planned instantly and then generated model by model (see `generatePlantBatches`).
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import { clamp, normal, normalCdf, pickOne, pickWeighted, uniform } from './distributions.js';
import type { RealisticScenarioOptions, SyntheticModelRole, SyntheticModelSpec, SyntheticPlantOptions } from './types.js';
import { TRIM_LATENT_SD } from './unit.js';

/** The options with every default filled in (the `realistic` parameters too, whatever the scenario). */
export type ResolvedPlantOptions = Required<Omit<SyntheticPlantOptions, 'realistic'>> & {
  readonly realistic: Required<RealisticScenarioOptions>;
};

/** A planned plant: its resolved options and its models. */
export interface PlantPlan {
  readonly options: ResolvedPlantOptions;
  readonly models: readonly SyntheticModelSpec[];
}

/** Spec values and their weights in the plant (0.01 most common), from `shared/domain.md`. */
export const SPEC_VALUES = [0.01, 0.015, 0.02, 0.025, 0.03, 0.05, 0.1, 0.2, 0.5] as const;
const SPEC_WEIGHTS = [40, 8, 12, 7, 8, 10, 8, 4, 3];
/** Weighted mean of log10(spec / 0.01) over the spec mix: the sigma-spec coupling is centred on it. */
const SPEC_LOG_MEAN =
  SPEC_VALUES.reduce((a, v, i) => a + (SPEC_WEIGHTS[i] ?? 0) * Math.log10(v / 0.01), 0) / SPEC_WEIGHTS.reduce((a, b) => a + b, 0);
/** Plant median sigma (domain.md): the centre of the model medians. */
export const PLANT_MEDIAN_SIGMA = 3.5e-4;
const POINTS = [61, 63, 65, 67, 69, 101, 131, 157, 157, 157, 171, 331, 340, 354];
const POINTS_WEIGHTS = [3, 3, 4, 3, 3, 8, 8, 20, 10, 10, 8, 5, 5, 5];
const UNIT_LENGTHS = [240, 340, 300, 270, 320, 180, 120, 355];
const RESISTANCES = [1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];
const DAY_MS = 86_400_000;

/** Track budgets from lognormal(σ = 1.5) weights: a few runners with thousands of tracks, a long tail with 5–50. */
export function modelSizes(rng: Rng, o: ResolvedPlantOptions): number[] {
  const w = Array.from({ length: o.models }, () => Math.exp(1.5 * rng.nextNormal()));
  // No single runner above 6 % of the plant (clamp, renormalise, repeat), so plant statistics stay stable.
  let sum = 0;
  for (let pass = 0; pass < 5; pass++) {
    sum = w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < w.length; i++) w[i] = Math.min(w[i] as number, 0.06 * sum);
  }
  sum = w.reduce((a, b) => a + b, 0);
  // Re-trims and duplicates add runs on top of the units: budget for them so the total lands near `tracks`.
  const extra = 1 + o.retrimRate * (1 - o.trimPassRate) + o.duplicateRate;
  return w.map((x) => Math.max(5, Math.round(((x / sum) * o.tracks) / extra)));
}

/** Model indices given each special role, taken from the small end (never the runners). */
export function assignRoles(sizes: readonly number[], o: ResolvedPlantOptions): SyntheticModelRole[] {
  const roles: SyntheticModelRole[] = sizes.map(() => 'normal');
  if (!o.specialModels) return roles;
  const bySize = sizes.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const pick = (rank: number): number => (bySize[Math.min(rank, bySize.length - 1)] as readonly [number, number])[1];
  const mid = Math.floor(sizes.length * 0.6);
  roles[pick(0)] = 'single_sample';
  roles[pick(1)] = 'single_sample';
  roles[pick(mid)] = 'all_fail';
  roles[pick(mid + 1)] = 'all_pass';
  roles[pick(mid + 2)] = 'zero_sigma';
  return roles;
}

export interface Draft extends Omit<SyntheticModelSpec, 'expectedTrimPassRate' | 'drift'> {
  baseDifficulty: number;
}

export type Geometry = 'dual' | 'linear' | 'rotary';

/**
 * Exactly round(fraction · models) dual-track and linear models, at shuffled positions (never single-sample). Linear
 * parts are a niche: they are never among the 10 % largest models, so their sigmas (10–100× higher) stay in the
 * plant's upper tail instead of deciding its p95.
 */
export function assignGeometry(
  rng: Rng,
  roles: readonly SyntheticModelRole[],
  sizes: readonly number[],
  o: ResolvedPlantOptions,
): Geometry[] {
  const out: Geometry[] = roles.map(() => 'rotary');
  const shuffled = (ids: number[]): number[] => {
    for (let i = ids.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
    }
    return ids;
  };
  const bigCut = [...sizes].sort((a, b) => b - a)[Math.floor(sizes.length * 0.1)] ?? Infinity;
  const pool = shuffled(roles.map((_, i) => i).filter((i) => roles[i] !== 'single_sample'));
  const nDual = Math.round(o.dualTrackFraction * roles.length);
  const nLinear = Math.round(o.linearFraction * roles.length);
  pool.slice(0, nDual).forEach((m) => (out[m] = 'dual'));
  pool
    .slice(nDual)
    .filter((m) => (sizes[m] ?? 0) < bigCut)
    .slice(0, nLinear)
    .forEach((m) => (out[m] = 'linear'));
  return out;
}

export function draftModel(
  rng: Rng,
  o: ResolvedPlantOptions,
  index: number,
  name: string,
  trackBudget: number,
  role: SyntheticModelRole,
  geometry: Geometry,
): Draft {
  const dual = geometry === 'dual';
  const linear = geometry === 'linear';
  const units = role === 'single_sample' ? 1 : Math.max(role === 'normal' ? 3 : 20, Math.round(trackBudget / (dual ? 2 : 1)));
  const spec = pickWeighted(rng, SPEC_VALUES, SPEC_WEIGHTS);
  const travel = linear ? Math.round(uniform(rng, 0.5, 3.9) * 1000) / 1000 : 0;
  const unitLength = linear ? Math.round(travel * 8) / 8 || 0.125 : pickOne(rng, UNIT_LENGTHS);
  const rotaryTravel = Math.round(clamp(unitLength * uniform(rng, 0.93, 1.02), 100, 360) * 10) / 10;
  const m = rng.next();
  const missing = m < 0.7 ? 0 : m < 0.92 ? uniform(rng, 0.1, 0.5) : 1;
  // Model medians: 0.5 decades between models, higher for wider specs; linear (inch) parts 10–100× higher. The
  // whole plant is shifted afterwards so its track-weighted median lands on PLANT_MEDIAN_SIGMA (calibrateSigma).
  const log10Median =
    Math.log10(PLANT_MEDIAN_SIGMA) +
    0.45 * (Math.log10(spec / 0.01) - SPEC_LOG_MEAN) +
    normal(rng, 0, 0.5) +
    (linear ? uniform(rng, 1, 2) : 0);
  const span = o.days * DAY_MS;
  const frac = units >= 500 ? 1 : uniform(rng, 0.35, 1);
  const first = o.startDate.getTime() + uniform(rng, 0, 1 - frac) * span;
  const baseDifficulty =
    role === 'all_fail' ? 8 * TRIM_LATENT_SD : role === 'all_pass' ? -8 * TRIM_LATENT_SD : normal(rng, 0, 1) * TRIM_LATENT_SD;
  return {
    index,
    name,
    role,
    units,
    tracksPerRun: dual ? 2 : 1,
    kind: linear ? 'linear' : 'rotary',
    linearitySpec: spec,
    travelLength: linear ? travel : rotaryTravel,
    unitLength,
    unitLengthMissingFraction: missing,
    pointsPerTrack: pickWeighted(rng, POINTS, POINTS_WEIGHTS),
    log10SigmaMedian: log10Median,
    log10SigmaSpread: uniform(rng, 0.15, 0.2),
    trackCorrelation: dual ? uniform(rng, 0.6, 0.85) : 0,
    trimDifficulty: baseDifficulty,
    baseDifficulty,
    assemblyDifficulty: normal(rng, 0, 0.8),
    nominalResistance: pickOne(rng, RESISTANCES),
    resistanceChangeMean: uniform(rng, 0.035, 0.11),
    offsetBias: spec * normal(rng, 0, 0.05),
    firstDate: new Date(first),
    lastDate: new Date(first + frac * span),
  };
}

/**
 * Shifts the normal models' difficulties by one constant so the expected track-weighted trim pass rate,
 * Σ tracks·Φ(−a/sd) / Σ tracks, equals the target (bisection on the shift; special models keep theirs).
 */
export function calibrate(drafts: Draft[], target: number): number {
  const rate = (shift: number): number => {
    let pass = 0;
    let n = 0;
    for (const d of drafts) {
      const a = d.role === 'normal' ? d.baseDifficulty + shift : d.baseDifficulty;
      const t = d.units * d.tracksPerRun;
      pass += t * normalCdf(-a / TRIM_LATENT_SD);
      n += t;
    }
    return pass / n;
  };
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (rate(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The shift of every model's log10 median that puts the plant's expected track-weighted median sigma on
 * {@link PLANT_MEDIAN_SIGMA}: the median m of the mixture Σ tracks·N(median, spread²) solves
 * Σ tracks·Φ((m − median)/spread) = ½·Σ tracks (bisection), and the shift is log10(PLANT_MEDIAN_SIGMA) − m.
 */
export function calibrateSigma(drafts: readonly Draft[]): number {
  const total = drafts.reduce((a, d) => a + d.units * d.tracksPerRun, 0);
  let lo = -10;
  let hi = 2;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    let below = 0;
    for (const d of drafts) below += d.units * d.tracksPerRun * normalCdf((mid - d.log10SigmaMedian) / d.log10SigmaSpread);
    if (below < total / 2) lo = mid;
    else hi = mid;
  }
  return Math.log10(PLANT_MEDIAN_SIGMA) - (lo + hi) / 2;
}
