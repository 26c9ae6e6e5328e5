/**
 * `ModelProfiler`: the design's per-model statistical profile, with insights and a versioned JSON state.
 *
 * @module
 */
import { InvalidInputError, NotTrainedError, StateVersionError } from '../core/errors.js';
import type { TrainingRecord } from '../core/types.js';
import { type ProfileOptions, buildModelProfile } from './build-profile.js';
import { type DifficultyOptions, type DifficultyResult, computeDifficultyScores } from './difficulty.js';
import { type InsightThresholds, generateInsights } from './insights.js';
import type { DifficultyRankInfo, Insight, ModelProfile } from './types.js';

/** Persisted form of a {@link ModelProfiler}. */
export interface ModelProfilerState {
  readonly kind: 'ModelProfiler';
  readonly version: 1;
  readonly model: string;
  /** `null` until `buildProfile` ran. */
  readonly profile: ModelProfile | null;
}

/** The profile columns of the design's `model_ml_state` table, under the repository's names. */
export interface ProfileColumns {
  readonly sigmaMean: number | null;
  readonly sigmaStd: number | null;
  readonly sigmaP5: number | null;
  readonly sigmaP50: number | null;
  readonly sigmaP95: number | null;
  readonly errorMean: number | null;
  readonly errorStd: number | null;
  /** Trim pass rate. */
  readonly passRate: number | null;
  /** Trim fail rate. */
  readonly failRate: number | null;
  /** Mean trim fail points of failing tracks. */
  readonly avgFailPoints: number | null;
  /** Phi of TRK1/TRK2 trim fail indicators ("do tracks fail together?"). */
  readonly trackCorrelation: number | null;
  readonly specMargin: number | null;
  readonly difficultyScore: number | null;
}

const PROFILE_OBJECT_KEYS = [
  'excluded',
  'sigma',
  'error',
  'trim',
  'finalTest',
  'trackCorrelation',
  'sigmaErrorCorrelation',
  'capability',
] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Per-model statistical profiler: distribution of sigma and error, pass/fail rates at trim and Final Test, track
 * correlation, spec margin, capability, and (after cross-model ranking) difficulty. Pure: no I/O, no clock.
 *
 * @example
 * ```ts
 * const profiler = new ModelProfiler('8340-1');
 * profiler.buildProfile(records);           // one model's training records (raw or clean)
 * ModelProfiler.rankAll(allProfilers);      // difficulty relative to the other models
 * for (const i of profiler.getInsights()) console.log(i.severity, i.message);
 * const restored = ModelProfiler.fromState(JSON.parse(JSON.stringify(profiler.toState())));
 * ```
 */
export class ModelProfiler {
  readonly modelName: string;
  #profile: ModelProfile | null = null;

  constructor(modelName: string) {
    // Any string is a model name, the empty one too: names are opaque (a host's rows may carry an empty one, and its
    // model is profiled and trained like any other rather than stopping a run).
    if (typeof modelName !== 'string') {
      throw new InvalidInputError('ModelProfiler needs a model name string (the model number, e.g. "8340-1").');
    }
    this.modelName = modelName;
  }

  /** Whether a profile has been built or restored. */
  get isBuilt(): boolean {
    return this.#profile !== null;
  }

  /** The profile. Throws {@link NotTrainedError} before `buildProfile` / `fromState`. */
  get profile(): ModelProfile {
    if (this.#profile === null) {
      throw new NotTrainedError(
        `No profile for model ${JSON.stringify(this.modelName)} yet: call buildProfile(records) or restore one with ModelProfiler.fromState().`,
      );
    }
    return this.#profile;
  }

  /**
   * Computes the profile from this model's training records (hygiene is applied here and counted). Replaces any
   * previous profile, including its difficulty (a ranking of old data would be stale): rank again afterwards.
   */
  buildProfile(records: readonly TrainingRecord[], options: ProfileOptions = {}): ModelProfile {
    this.#profile = buildModelProfile(this.modelName, records, options);
    return this.#profile;
  }

  /**
   * Stores the model's difficulty from `computeDifficultyScores`. `score` must equal
   * `info.harderThan / info.comparedWith` (that is what makes "harder than N% of models" literally true).
   */
  setDifficulty(score: number, rankInfo: DifficultyRankInfo): void {
    const p = this.profile;
    const { harderThan, comparedWith } = rankInfo;
    if (
      !Number.isInteger(comparedWith) ||
      comparedWith < 1 ||
      !Number.isInteger(harderThan) ||
      harderThan < 0 ||
      harderThan > comparedWith
    ) {
      throw new InvalidInputError(
        `setDifficulty: rank info needs integers 0 ≤ harderThan (${harderThan}) ≤ comparedWith (${comparedWith}), comparedWith ≥ 1.`,
      );
    }
    if (!Number.isFinite(score) || Math.abs(score - harderThan / comparedWith) > 1e-12) {
      throw new InvalidInputError(
        `setDifficulty: score ${score} must equal harderThan / comparedWith = ${harderThan / comparedWith}; pass the result of computeDifficultyScores().`,
      );
    }
    this.#profile = { ...p, difficulty: { ...structuredClone(rankInfo), score } };
  }

  /** Structured insights from the profile alone, most severe first. Thresholds default to the named constants. */
  getInsights(thresholds: Partial<InsightThresholds> = {}): Insight[] {
    return generateInsights(this.profile, thresholds);
  }

  /** The profile columns of `model_ml_state`. */
  toColumns(): ProfileColumns {
    const p = this.profile;
    return {
      sigmaMean: p.sigma.mean,
      sigmaStd: p.sigma.std,
      sigmaP5: p.sigma.p5,
      sigmaP50: p.sigma.p50,
      sigmaP95: p.sigma.p95,
      errorMean: p.error.mean,
      errorStd: p.error.std,
      passRate: p.trim.passRate,
      failRate: p.trim.failRate,
      avgFailPoints: p.trim.avgFailPoints,
      trackCorrelation: p.trackCorrelation.failure.value,
      specMargin: p.specMargin,
      difficultyScore: p.difficulty?.score ?? null,
    };
  }

  /** Plain-JSON state (a deep copy). */
  toState(): ModelProfilerState {
    return {
      kind: 'ModelProfiler',
      version: 1,
      model: this.modelName,
      profile: this.#profile === null ? null : structuredClone(this.#profile),
    };
  }

  /** Restores a profiler exactly. Throws {@link StateVersionError} on an unknown kind/version. */
  static fromState(state: ModelProfilerState): ModelProfiler {
    const s: unknown = state;
    if (!isRecord(s) || s['kind'] !== 'ModelProfiler') {
      throw new StateVersionError(
        `Not a ModelProfiler state (kind ${JSON.stringify(isRecord(s) ? s['kind'] : s)}): pass what ModelProfiler.toState() returned.`,
      );
    }
    if (s['version'] !== 1) {
      throw new StateVersionError(
        `ModelProfiler state version ${JSON.stringify(s['version'])} is not supported (this library reads version 1): retrain the model to write a current state.`,
      );
    }
    const model = s['model'];
    const profile = s['profile'];
    if (typeof model !== 'string')
      throw new InvalidInputError('ModelProfiler state has no model name: the state is corrupt; retrain the model.');
    const out = new ModelProfiler(model);
    if (profile === null) return out;
    if (
      !isRecord(profile) ||
      profile['model'] !== model ||
      typeof profile['samples'] !== 'number' ||
      PROFILE_OBJECT_KEYS.some((k) => !isRecord(profile[k]))
    ) {
      throw new InvalidInputError(
        `ModelProfiler state of ${JSON.stringify(model)} has a malformed profile: the state is corrupt; retrain the model.`,
      );
    }
    out.#profile = structuredClone(profile) as unknown as ModelProfile;
    return out;
  }

  /**
   * Ranks the profilers' models against each other and stores each ranked model's difficulty (unranked ones are
   * cleared). Returns the results, in input order.
   */
  static rankAll(profilers: readonly ModelProfiler[], options: DifficultyOptions = {}): DifficultyResult[] {
    const results = computeDifficultyScores(
      profilers.map((p) => p.profile),
      options,
    );
    results.forEach((r, i) => {
      const profiler = profilers[i];
      if (profiler === undefined) return;
      if (r.score !== null && r.info !== null) profiler.setDifficulty(r.score, r.info);
      else profiler.#profile = { ...profiler.profile, difficulty: null };
    });
    return results;
  }
}
