/**
 * Plans the `realistic` scenario (issue 11, `docs/synthetic.md`): the model list with a long tail of small models,
 * per-model link rates, lot and glitch parameters that make ln(sigma) right-skewed with a shape varying by model,
 * model-level Final Test base rates, and step or ramp drifts up or down whose sizes are in σ of the model's
 * in-control log10(sigma) (lots and glitches included).
 *
 * The in-control log10(sigma) of a track is `μ + b + w·z + G`: μ the model's location, b ~ N(0, s_b²) its lot's
 * shift, z ~ N(0, 1) the within-lot roughness deviation, G the glitch inflation (with probability `q·2Φ(z)` an
 * exponential of mean θ, else 0). Its mean is μ + qθ and its variance, with E[2Φ(z)] = 1 and E[z·Φ(z)] = 1/(2√π),
 *
 *   σ² = s_b² + w² + (2qθ² − q²θ²) + 2·qθw/√π,
 *
 * the last term being 2·Cov(w·z, G) (rough units glitch more). σ is the model's `log10SigmaSpread`, the unit of
 * drift sizes and of `sigmaZ`.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { deriveSeed, normal, normalCdf, uniform } from './distributions.js';
import { modelNames } from './names.js';
import { assignGeometry, assignRoles, calibrate, calibrateSigma, draftModel, type Draft, type ResolvedPlantOptions } from './plan.js';
import type { RealisticScenarioOptions, SyntheticDriftPlan, SyntheticModelSpec } from './types.js';
import { TRIM_LATENT_SD } from './unit.js';

type Range = readonly [number, number];

/** Defaults of the `realistic` scenario (see {@link RealisticScenarioOptions} and `docs/synthetic.md`). */
export const REALISTIC_DEFAULTS: Required<RealisticScenarioOptions> = {
  smallModelFraction: 0.3,
  smallModelUnits: [5, 50],
  linkRateRange: [0.1, 0.8],
  finalTestLagDays: [3, 30],
  newestUnlinkedFraction: 0.05,
  withinLotSd: [0.12, 0.17],
  betweenLotRatio: [0.2, 0.5],
  lotDays: [2, 28],
  lotFinalTestSd: 0.5,
  lotOffsetSd: 0.05,
  glitchRate: [0.02, 0.25],
  glitchScale: [0.8, 2],
  modelFinalTestSd: 1,
  driftSizeRange: [0.3, 2.5],
  driftOnsetRange: [0.3, 0.8],
  rampFraction: 0.5,
  rampLengthRange: [0.1, 0.5],
};

/** Fills the defaults of the `realistic` parameters and checks them. */
export function resolveRealistic(o: RealisticScenarioOptions): Required<RealisticScenarioOptions> {
  const r: Required<RealisticScenarioOptions> = { ...REALISTIC_DEFAULTS, ...stripUndefined(o) };
  const range = (k: keyof RealisticScenarioOptions, lo: number, hi: number): void => {
    const v = r[k] as Range;
    if (!Array.isArray(v) || v.length !== 2 || !(v[0] >= lo && v[0] <= v[1] && v[1] <= hi)) {
      throw new InvalidInputError(
        `generatePlant: realistic.${k} must be a range [lo, hi] with ${lo} ≤ lo ≤ hi ≤ ${hi}, got ${JSON.stringify(v)}.`,
      );
    }
  };
  const fraction = (k: keyof RealisticScenarioOptions): void => {
    const v = r[k] as number;
    if (!(v >= 0 && v <= 1)) throw new InvalidInputError(`generatePlant: realistic.${k} must be a fraction in [0, 1], got ${v}.`);
  };
  const nonNegative = (k: keyof RealisticScenarioOptions): void => {
    const v = r[k] as number;
    if (!(v >= 0 && Number.isFinite(v)))
      throw new InvalidInputError(`generatePlant: realistic.${k} must be a finite number ≥ 0, got ${v}.`);
  };
  fraction('smallModelFraction');
  fraction('newestUnlinkedFraction');
  fraction('rampFraction');
  nonNegative('lotFinalTestSd');
  nonNegative('lotOffsetSd');
  nonNegative('modelFinalTestSd');
  range('smallModelUnits', 3, 1e6);
  range('linkRateRange', 0.0001, 1);
  range('finalTestLagDays', 0, 365);
  range('withinLotSd', 0.001, 2);
  range('betweenLotRatio', 0, 10);
  range('lotDays', 0.01, 3650);
  range('glitchRate', 0, 0.5);
  range('glitchScale', 0, 20);
  range('driftSizeRange', 0.001, 100);
  range('driftOnsetRange', 0, 0.99);
  range('rampLengthRange', 0, 1);
  return r;
}

function stripUndefined(o: RealisticScenarioOptions): RealisticScenarioOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Log-uniform on [lo, hi] (lo > 0); uniform when lo = 0. */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  if (lo <= 0 || hi <= lo) return uniform(rng, lo, hi);
  return Math.exp(uniform(rng, Math.log(lo), Math.log(hi)));
}

/**
 * The in-control sd of log10(sigma) of the model `μ + b + w·z + G` (module comment):
 * √(s_b² + w² + 2qθ² − q²θ² + 2qθw/√π).
 *
 * @example
 * ```ts
 * inControlSd(0.15, 0.075, 0, 0); // √(0.15² + 0.075²) ≈ 0.1677
 * ```
 */
export function inControlSd(withinSd: number, betweenSd: number, glitchRate: number, glitchScale: number): number {
  const q = glitchRate;
  const t = glitchScale;
  return Math.sqrt(
    betweenSd * betweenSd + withinSd * withinSd + 2 * q * t * t - q * q * t * t + (2 * q * t * withinSd) / Math.sqrt(Math.PI),
  );
}

/**
 * Unit counts with a long tail: `smallModelFraction` of the models (at shuffled positions) get 5–50 units
 * (log-uniform); the others share the remaining budget by lognormal(σ = 1.5) weights (no runner above 6 % of the
 * plant), at least one more than the small range's top. Returns track budgets for {@link draftModel} (units here;
 * dual-track models are doubled by the caller) and which models are small.
 */
function realisticSizes(rng: Rng, o: ResolvedPlantOptions): { sizes: number[]; small: boolean[] } {
  const r = o.realistic;
  const n = o.models;
  const nSmall = Math.round(r.smallModelFraction * n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const small = Array.from({ length: n }, () => false);
  for (const i of order.slice(0, nSmall)) small[i] = true;
  const sizes = small.map((s) => (s ? Math.round(logUniform(rng, r.smallModelUnits[0], r.smallModelUnits[1])) : 0));
  const extra = 1 + o.retrimRate * (1 - o.trimPassRate) + o.duplicateRate;
  const smallTotal = sizes.reduce((a, b) => a + b, 0);
  const big = order.slice(nSmall);
  const w = big.map(() => Math.exp(1.5 * rng.nextNormal()));
  let sum = 0;
  for (let pass = 0; pass < 5; pass++) {
    sum = w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < w.length; i++) w[i] = Math.min(w[i] as number, 0.06 * sum);
  }
  sum = w.reduce((a, b) => a + b, 0);
  const budget = Math.max(0, o.tracks / extra - smallTotal);
  const floor = Math.round(r.smallModelUnits[1]) + 1;
  big.forEach((m, k) => (sizes[m] = Math.max(floor, Math.round(((w[k] as number) / sum) * budget))));
  return { sizes, small };
}

/**
 * Plans the models of a `realistic` plant (the `classic` plan's geometry, specs, resistances and trim calibration,
 * with the realistic sizes, sigma structure, link rates, FT base rates and drifts on top).
 */
export function planRealistic(o: ResolvedPlantOptions): SyntheticModelSpec[] {
  const r = o.realistic;
  const rng = createRng(deriveSeed(o.seed, 0, 6));
  const rr = createRng(deriveSeed(o.seed, 0, 7));
  const names = modelNames(rng, o.models);
  const { sizes, small } = realisticSizes(rng, o);
  const roles = assignRoles(sizes, o);
  const geometry = assignGeometry(rng, roles, sizes, o);
  const realistic = new Map<number, NonNullable<SyntheticModelSpec['realistic']>>();
  const drafts: Draft[] = names.map((name, i) => {
    const geo = geometry[i] ?? 'rotary';
    const size = sizes[i] ?? 5;
    // draftModel turns a track budget into units (÷ 2 for dual-track): small models keep their unit count.
    const d = draftModel(rng, o, i, name, small[i] === true && geo === 'dual' ? 2 * size : size, roles[i] ?? 'normal', geo);
    const withinLotSd = uniform(rr, r.withinLotSd[0], r.withinLotSd[1]);
    const betweenLotSd = withinLotSd * uniform(rr, r.betweenLotRatio[0], r.betweenLotRatio[1]);
    const glitchRate = logUniform(rr, r.glitchRate[0], r.glitchRate[1]);
    const glitchScale = withinLotSd * uniform(rr, r.glitchScale[0], r.glitchScale[1]);
    const linkRate = logUniform(rr, r.linkRateRange[0], r.linkRateRange[1]);
    const assembly = normal(rr, 0, r.modelFinalTestSd);
    realistic.set(i, { linkRate, withinLotSd, betweenLotSd, glitchRate, glitchScale, locationLog10: 0, inControlMeanLog10: 0 });
    return { ...d, log10SigmaSpread: inControlSd(withinLotSd, betweenLotSd, glitchRate, glitchScale), assemblyDifficulty: assembly };
  });
  const shift = calibrate(drafts, o.trimPassRate);
  const sigmaShift = calibrateSigma(drafts);
  const eligible = drafts.filter((d) => d.role === 'normal' && d.units >= o.driftMinUnits).map((d) => d.index);
  const nDrift = o.driftModelFraction > 0 && eligible.length > 0 ? Math.max(1, Math.round(o.driftModelFraction * eligible.length)) : 0;
  for (let i = 0; i < nDrift; i++) {
    const j = i + rr.nextInt(eligible.length - i);
    [eligible[i], eligible[j]] = [eligible[j] as number, eligible[i] as number];
  }
  const drifting = new Set(eligible.slice(0, nDrift));
  return drafts.map(({ baseDifficulty, ...d }): SyntheticModelSpec => {
    const trimDifficulty = d.role === 'normal' ? baseDifficulty + shift : baseDifficulty;
    let drift: SyntheticDriftPlan | null = null;
    if (drifting.has(d.index)) {
      const onsetIndex = Math.floor(d.units * uniform(rr, r.driftOnsetRange[0], r.driftOnsetRange[1]));
      const sizeSigma = logUniform(rr, r.driftSizeRange[0], r.driftSizeRange[1]);
      const direction = rr.next() < 0.5 ? ('up' as const) : ('down' as const);
      const ramp = rr.next() < r.rampFraction;
      const rampUnits = Math.max(5, Math.round((d.units - onsetIndex) * uniform(rr, r.rampLengthRange[0], r.rampLengthRange[1])));
      drift = ramp ? { onsetIndex, sizeSigma, direction, shape: 'ramp', rampUnits } : { onsetIndex, sizeSigma, direction, shape: 'step' };
    }
    const base = realistic.get(d.index) as NonNullable<SyntheticModelSpec['realistic']>;
    const location = d.log10SigmaMedian + sigmaShift;
    return {
      ...d,
      log10SigmaMedian: location,
      trimDifficulty,
      expectedTrimPassRate: normalCdf(-trimDifficulty / TRIM_LATENT_SD),
      drift,
      realistic: { ...base, locationLog10: location, inControlMeanLog10: location + base.glitchRate * base.glitchScale },
    };
  });
}
