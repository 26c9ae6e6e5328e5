/**
 * {@link planPlant}: the options resolved and every model planned, by the classic plan (`plan.ts`) or the realistic
 * one (`realistic-plan.ts`). A file of its own so that the realistic plan can use the classic one's drafting
 * helpers without an import cycle.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { deriveSeed, normalCdf, pickOne, uniform } from './distributions.js';
import { modelNames } from './names.js';
import {
  assignGeometry,
  assignRoles,
  calibrate,
  calibrateSigma,
  draftModel,
  modelSizes,
  type PlantPlan,
  type ResolvedPlantOptions,
} from './plan.js';
import { planRealistic, resolveRealistic } from './realistic-plan.js';
import type { SyntheticModelSpec, SyntheticPlantOptions } from './types.js';
import { TRIM_LATENT_SD } from './unit.js';

function resolve(o: SyntheticPlantOptions): ResolvedPlantOptions {
  const scenario = o.scenario ?? 'classic';
  if (scenario !== 'classic' && scenario !== 'realistic') {
    throw new InvalidInputError(`generatePlant: scenario must be 'classic' or 'realistic', got ${String(scenario)}.`);
  }
  const realistic = scenario === 'realistic';
  const r: ResolvedPlantOptions = {
    seed: o.seed,
    scenario,
    realistic: resolveRealistic(o.realistic ?? {}),
    models: o.models ?? 300,
    tracks: o.tracks ?? 80_000,
    startDate: o.startDate ?? new Date(Date.UTC(2023, 0, 1)),
    days: o.days ?? 730,
    linkRate: o.linkRate ?? 0.34,
    serialOnlyLinkFraction: o.serialOnlyLinkFraction ?? 0.15,
    orphanFinalTestRate: o.orphanFinalTestRate ?? 0.05,
    garbageRate: o.garbageRate ?? 0.02,
    duplicateRate: o.duplicateRate ?? 0.003,
    retrimRate: o.retrimRate ?? 0.08,
    driftModelFraction: o.driftModelFraction ?? (realistic ? 0.3 : 0.1),
    driftMinUnits: o.driftMinUnits ?? (realistic ? 80 : 120),
    driftSizes: o.driftSizes ?? [0.5, 1, 2],
    dualTrackFraction: o.dualTrackFraction ?? 0.07,
    linearFraction: o.linearFraction ?? 0.1,
    trimPassRate: o.trimPassRate ?? 0.64,
    specialModels: o.specialModels ?? true,
  };
  if (!Number.isInteger(r.seed)) throw new InvalidInputError(`generatePlant: seed must be an integer, got ${r.seed}.`);
  if (!Number.isInteger(r.models) || r.models < 1)
    throw new InvalidInputError(`generatePlant: models must be a positive integer, got ${r.models}.`);
  if (r.specialModels && r.models < 10) {
    throw new InvalidInputError(
      `generatePlant: ${r.models} models is too few for the special garbage models; use ≥ 10 or specialModels: false.`,
    );
  }
  if (!Number.isFinite(r.tracks) || r.tracks < 5 * r.models) {
    throw new InvalidInputError(`generatePlant: tracks (${r.tracks}) must be at least 5 per model (${5 * r.models}).`);
  }
  if (!(r.startDate instanceof Date) || Number.isNaN(r.startDate.getTime()))
    throw new InvalidInputError('generatePlant: startDate must be a valid Date.');
  if (!Number.isFinite(r.days) || r.days < 30) throw new InvalidInputError(`generatePlant: days must be ≥ 30, got ${r.days}.`);
  const rates: (keyof ResolvedPlantOptions)[] = [
    'linkRate',
    'serialOnlyLinkFraction',
    'orphanFinalTestRate',
    'garbageRate',
    'duplicateRate',
    'retrimRate',
    'driftModelFraction',
    'dualTrackFraction',
    'linearFraction',
  ];
  for (const k of rates) {
    const v = r[k] as number;
    if (!(v >= 0 && v <= 1)) throw new InvalidInputError(`generatePlant: ${k} must be a fraction in [0, 1], got ${v}.`);
  }
  if (!(r.trimPassRate > 0.05 && r.trimPassRate < 0.95))
    throw new InvalidInputError(`generatePlant: trimPassRate must be in (0.05, 0.95), got ${r.trimPassRate}.`);
  if (r.driftSizes.length === 0 || r.driftSizes.some((s) => !(s > 0)))
    throw new InvalidInputError('generatePlant: driftSizes must be positive numbers (σ units).');
  return r;
}

/**
 * Plans a plant from its options: resolved defaults and every model's specification, drift included.
 *
 * @example
 * ```ts
 * const plan = planPlant({ seed: 7 });
 * plan.models.length;                       // 300
 * plan.models.filter((m) => m.drift).length; // the drifting models
 * ```
 */
export function planPlant(options: SyntheticPlantOptions): PlantPlan {
  const o = resolve(options);
  if (o.scenario === 'realistic') return { options: o, models: planRealistic(o) };
  const rng = createRng(deriveSeed(o.seed, 0, 0));
  const names = modelNames(rng, o.models);
  const sizes = modelSizes(rng, o);
  const roles = assignRoles(sizes, o);
  const geometry = assignGeometry(rng, roles, sizes, o);
  const drafts = names.map((name, i) => {
    return draftModel(rng, o, i, name, sizes[i] ?? 5, roles[i] ?? 'normal', geometry[i] ?? 'rotary');
  });
  const shift = calibrate(drafts, o.trimPassRate);
  const sigmaShift = calibrateSigma(drafts);
  const eligible = drafts.filter((d) => d.role === 'normal' && d.units >= o.driftMinUnits).map((d) => d.index);
  const nDrift = o.driftModelFraction > 0 && eligible.length > 0 ? Math.max(1, Math.round(o.driftModelFraction * eligible.length)) : 0;
  // Partial Fisher-Yates: the first nDrift of a shuffled eligible list drift.
  for (let i = 0; i < nDrift; i++) {
    const j = i + rng.nextInt(eligible.length - i);
    [eligible[i], eligible[j]] = [eligible[j] as number, eligible[i] as number];
  }
  const drifting = new Set(eligible.slice(0, nDrift));
  const models = drafts.map(({ baseDifficulty, ...d }): SyntheticModelSpec => {
    const trimDifficulty = d.role === 'normal' ? baseDifficulty + shift : baseDifficulty;
    const drift = drifting.has(d.index)
      ? {
          onsetIndex: Math.floor(d.units * uniform(rng, 0.4, 0.75)),
          sizeSigma: pickOne(rng, o.driftSizes),
          direction: rng.next() < 0.5 ? ('up' as const) : ('down' as const),
        }
      : null;
    return {
      ...d,
      log10SigmaMedian: d.log10SigmaMedian + sigmaShift,
      trimDifficulty,
      expectedTrimPassRate: normalCdf(-trimDifficulty / TRIM_LATENT_SD),
      drift,
    };
  });
  return { options: o, models };
}
