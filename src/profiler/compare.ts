/**
 * The cross-model comparison table ("which models are hardest to trim?").
 *
 * @module
 */
import { type DifficultyOptions, computeDifficultyScores } from './difficulty.js';
import type { ModelProfile } from './types.js';

/** One row of {@link compareModels}. Rates are fractions in [0, 1]. */
export interface ModelComparisonRow {
  readonly model: string;
  /** Clean records profiled. */
  readonly samples: number;
  readonly trimPassRate: number | null;
  readonly trimFailRate: number | null;
  /** Mean trim fail points of failing tracks. */
  readonly avgFailPoints: number | null;
  readonly finalTestLinked: number;
  readonly finalTestPassRate: number | null;
  readonly finalTestEscapes: number;
  readonly sigmaP50: number | null;
  readonly spec: number | null;
  /** 1 − p95(error / spec). */
  readonly specMargin: number | null;
  /** One-sided Cpk of error / spec (σ within from moving ranges). */
  readonly cpk: number | null;
  readonly ppk: number | null;
  /** Fraction of the other ranked models this one is harder than (`null`: not ranked). */
  readonly difficulty: number | null;
  /** 1 = hardest. */
  readonly difficultyRank: number | null;
  readonly rankedModels: number;
  /** Why `difficulty` is null. */
  readonly difficultyNote: string | null;
}

/**
 * Compares models: ranks them by difficulty (computed afresh over exactly these profiles) and returns one typed
 * row per model, hardest first; unranked models last; ties by model name.
 *
 * @example
 * ```ts
 * const table = compareModels(profilers.map((p) => p.profile));
 * console.table(table.slice(0, 10)); // the ten hardest models
 * ```
 */
export function compareModels(profiles: readonly ModelProfile[], options: DifficultyOptions = {}): ModelComparisonRow[] {
  const scores = computeDifficultyScores(profiles, options);
  const rankedModels = scores.filter((s) => s.score !== null).length;
  const rows = profiles.map((p, i): ModelComparisonRow => {
    const d = scores[i];
    return {
      model: p.model,
      samples: p.samples,
      trimPassRate: p.trim.passRate,
      trimFailRate: p.trim.failRate,
      avgFailPoints: p.trim.avgFailPoints,
      finalTestLinked: p.finalTest.linked,
      finalTestPassRate: p.finalTest.passRate,
      finalTestEscapes: p.finalTest.escapes,
      sigmaP50: p.sigma.p50,
      spec: p.spec,
      specMargin: p.specMargin,
      cpk: p.capability.cpk,
      ppk: p.capability.ppk,
      difficulty: d?.score ?? null,
      difficultyRank: d?.info?.rank ?? null,
      rankedModels,
      difficultyNote: d?.reason ?? null,
    };
  });
  return rows.sort((a, b) => {
    if (a.difficulty !== b.difficulty) {
      if (a.difficulty === null) return 1;
      if (b.difficulty === null) return -1;
      return b.difficulty - a.difficulty;
    }
    return a.model < b.model ? -1 : a.model > b.model ? 1 : 0;
  });
}
