/**
 * How hard a model is to trim, relative to the other models of the plant: a unit-free score from ranks.
 *
 * Three components, each turned into a percentile rank among the ranked models that have it (mid-rank for ties:
 * `(below + ½·(tied − 1)) / (N − 1)`, in [0, 1], 1 = hardest):
 * 1. **failRate**: trim fail rate;
 * 2. **specTightness**: `1 − specMargin` = p95(linearity_error / spec);
 * 3. **sigmaToSpec**: median log10(sigma × travel / spec). Sigma is per degree (rotary) or per inch (linear),
 *    so multiplying by the travel makes it volts over the stroke and dividing by the spec makes it unit-free:
 *    an inch-based model whose sigma is 100× higher only because of its unit is not ranked hardest for that.
 *
 * The **composite** is the mean of a model's available component percentiles. The **score** is the fraction of
 * the other ranked models whose composite is strictly lower, `harderThan / comparedWith`, so "harder than 85% of
 * the other models" is literally true of a score of 0.85.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import type { DifficultyRankInfo, ModelProfile } from './types.js';

/** Models with fewer clean samples are not ranked (their fail rate is noise). */
export const DIFFICULTY_MIN_SAMPLES = 10;

/** Composites closer than this are tied (they are means of fractions; rounding must not break ties). */
const TIE_TOLERANCE = 1e-12;

/** Options of `computeDifficultyScores`. */
export interface DifficultyOptions {
  /** Fewest clean samples for a model to be ranked. Default {@link DIFFICULTY_MIN_SAMPLES}. */
  readonly minSamples?: number;
}

/** The difficulty of one model; `score`/`info` are `null` (with `reason`) when it could not be ranked. */
export interface DifficultyResult {
  readonly model: string;
  readonly score: number | null;
  readonly info: DifficultyRankInfo | null;
  readonly reason: string | null;
}

type ComponentName = keyof DifficultyRankInfo['components'];
const COMPONENTS: readonly ComponentName[] = ['failRate', 'specTightness', 'sigmaToSpec'];

function componentValue(p: ModelProfile, c: ComponentName): number | null {
  if (c === 'failRate') return p.trim.failRate;
  if (c === 'specTightness') return p.error.toSpecP95;
  return p.sigma.log10SigmaTravelPerSpecP50;
}

/** Mid-rank percentile of `v` among `all` (which contains v): `(below + ½(tied − 1)) / (N − 1)`. */
function percentileRank(v: number, all: readonly number[]): number {
  let below = 0;
  let tied = 0;
  for (const w of all) {
    if (w < v) below++;
    else if (w === v) tied++;
  }
  return (below + 0.5 * (tied - 1)) / (all.length - 1);
}

/**
 * Ranks models by difficulty. Returns one result per input profile, in input order. Models with fewer than
 * `minSamples` clean samples, or with no comparable component, get `score: null` and a reason.
 *
 * @example
 * ```ts
 * const results = computeDifficultyScores(profilers.map((p) => p.profile));
 * for (const r of results) if (r.score !== null) profilerOf(r.model).setDifficulty(r.score, r.info!);
 * ```
 */
export function computeDifficultyScores(profiles: readonly ModelProfile[], options: DifficultyOptions = {}): DifficultyResult[] {
  const minSamples = options.minSamples ?? DIFFICULTY_MIN_SAMPLES;
  const seen = new Set<string>();
  for (const p of profiles) {
    if (seen.has(p.model))
      throw new InvalidInputError(`computeDifficultyScores got model ${JSON.stringify(p.model)} twice: pass one profile per model.`);
    seen.add(p.model);
  }
  const eligible = profiles.filter((p) => p.samples >= minSamples && COMPONENTS.some((c) => componentValue(p, c) !== null));
  const values = new Map<ComponentName, number[]>();
  for (const c of COMPONENTS) {
    values.set(
      c,
      eligible.map((p) => componentValue(p, c)).filter((v): v is number => v !== null),
    );
  }
  const partial = new Map<string, { composite: number; components: DifficultyRankInfo['components'] }>();
  for (const p of eligible) {
    const comps: Record<ComponentName, { value: number; percentile: number } | null> = {
      failRate: null,
      specTightness: null,
      sigmaToSpec: null,
    };
    const pcts: number[] = [];
    for (const c of COMPONENTS) {
      const v = componentValue(p, c);
      const all = values.get(c) ?? [];
      if (v === null || all.length < 2) continue;
      const percentile = percentileRank(v, all);
      comps[c] = { value: v, percentile };
      pcts.push(percentile);
    }
    if (pcts.length > 0) partial.set(p.model, { composite: pcts.reduce((a, b) => a + b, 0) / pcts.length, components: comps });
  }
  const ranked = [...partial.values()].map((x) => x.composite);
  return profiles.map((p): DifficultyResult => {
    const mine = partial.get(p.model);
    if (mine === undefined || ranked.length < 2) {
      const reason =
        p.samples < minSamples
          ? `Only ${p.samples} clean samples (fewer than ${minSamples}): not ranked for difficulty.`
          : mine === undefined && eligible.length >= 2
            ? 'No difficulty component (fail rate, error vs spec, sigma vs spec) can be compared with other models.'
            : 'Fewer than 2 models can be ranked: difficulty is relative to other models.';
      return { model: p.model, score: null, info: null, reason };
    }
    let harderThan = 0;
    let harder = 0;
    for (const c of ranked) {
      if (c < mine.composite - TIE_TOLERANCE) harderThan++;
      else if (c > mine.composite + TIE_TOLERANCE) harder++;
    }
    const comparedWith = ranked.length - 1;
    const info: DifficultyRankInfo = { harderThan, comparedWith, rank: harder + 1, composite: mine.composite, components: mine.components };
    return { model: p.model, score: harderThan / comparedWith, info, reason: null };
  });
}
