/**
 * The shape of a model's statistical profile. Everything is plain JSON (numbers, strings, `null`; dates as ISO
 * strings) so a profile persists and restores exactly; a statistic that is undefined for the data is `null`, never
 * NaN, and where the reason is not obvious from a count a {@link NullReason} says why.
 *
 * @module
 */
import type { ExclusionCounts } from '../core/features.js';

/** Why a statistic is `null`. */
export interface NullReason {
  readonly code: 'no_data' | 'too_few' | 'zero_variance' | 'single_track';
  /** A sentence for the UI. */
  readonly message: string;
}

/** A correlation coefficient with the number of pairs it was computed on. */
export interface CorrelationStat {
  /** In [−1, 1]; `null` when undefined (see `reason`). */
  readonly value: number | null;
  /** Pairs used. */
  readonly n: number;
  /** `pearson` on the stated quantity, `phi` (Pearson on 0/1 indicators) or `spearman` (Pearson on average ranks). */
  readonly method: 'pearson' | 'phi' | 'spearman';
  readonly reason: NullReason | null;
}

/** Distribution of `sigma_gradient` over the clean records (all are > 0 after hygiene). */
export interface SigmaSummary {
  readonly n: number;
  /** Arithmetic mean. */
  readonly mean: number | null;
  /** Sample std, ddof = 1 (`null` when n < 2). */
  readonly std: number | null;
  /** numpy-linear percentiles (R type 7). */
  readonly p5: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  /** Mean of log10(sigma). */
  readonly log10Mean: number | null;
  /** Sample std (ddof = 1) of log10(sigma), in decades. */
  readonly log10Std: number | null;
  /**
   * Median (numpy-linear p50) of log10(sigma × travel_length / linearity_spec) over records with travel > 0 and a
   * spec. Sigma is volts per degree (rotary) or per inch (linear), so sigma × travel is volts and the ratio to the
   * spec is dimensionless: this is the sigma measure that compares rotary and inch-based models fairly.
   */
  readonly log10SigmaTravelPerSpecP50: number | null;
  readonly sigmaTravelPerSpecN: number;
}

/** Distribution of `linearity_error` (max |error| after offset, volts) over records where it is finite and ≥ 0. */
export interface ErrorSummary {
  readonly n: number;
  readonly mean: number | null;
  /** Sample std, ddof = 1. */
  readonly std: number | null;
  /** numpy-linear p95 of `linearity_error / linearity_spec` (records with both). */
  readonly toSpecP95: number | null;
  /** Records with both an error and a spec (the base of `toSpecP95`, spec margin and capability). */
  readonly toSpecN: number;
  /** Of those, records whose error exceeds the spec (`error / spec > 1`). */
  readonly overSpec: number;
}

/** Pass/fail counts of one outcome (trim linearity, or Final Test linearity). */
export interface OutcomeSummary {
  /** Records with a non-null outcome. */
  readonly outcomes: number;
  readonly passes: number;
  readonly failures: number;
  /** passes / outcomes (`null` when there are no outcomes). */
  readonly passRate: number | null;
  /** failures / outcomes. */
  readonly failRate: number | null;
  /** Mean fail points over failing records whose fail points are known (finite, ≥ 0). */
  readonly avgFailPoints: number | null;
  /** Failing records with known fail points (the base of `avgFailPoints`). */
  readonly failPointsKnown: number;
}

/** Final Test outcome summary of the linked records, with trim-vs-FT escapes. */
export interface FinalTestSummary extends OutcomeSummary {
  /** Records with a linked Final Test record (with or without an outcome). */
  readonly linked: number;
  /** Records that passed trim and have an FT outcome. */
  readonly trimPassedWithOutcome: number;
  /** Of those, how many failed Final Test (units that passed trim and failed later). */
  readonly escapes: number;
}

/** TRK1 vs TRK2 of the same unit (same trim run), paired by `trimResultId`. */
export interface TrackCorrelationSummary {
  /** Trim runs that have exactly one TRK1 and one TRK2 record. */
  readonly pairs: number;
  /** Phi coefficient of the two tracks' trim fail indicators: "do tracks fail together?". */
  readonly failure: CorrelationStat;
  /** Pearson correlation of log10(sigma) of the two tracks. */
  readonly sigma: CorrelationStat;
}

/** Process capability of the linearity error against the spec (see `capability.ts` for the definitions). */
export interface CapabilitySummary {
  /** Records used (with error and spec), in file-date order. */
  readonly n: number;
  /** Mean of `linearity_error / linearity_spec`. */
  readonly mean: number | null;
  /** Mean moving range (date order) / 1.128, in spec units. */
  readonly sigmaWithin: number | null;
  /** Sample std (ddof = 1), in spec units. */
  readonly sigmaOverall: number | null;
  /** One-sided (USL = spec on |error|): Cp is Montgomery's Cpu, equal to Cpk. */
  readonly cp: number | null;
  readonly cpk: number | null;
  readonly pp: number | null;
  readonly ppk: number | null;
  readonly reason: NullReason | null;
}

/** Where a model stands among the models it was ranked with (see `computeDifficultyScores`). */
export interface DifficultyRankInfo {
  /** Number of other ranked models whose composite is strictly lower (easier). */
  readonly harderThan: number;
  /** Number of other models ranked (all ranked models minus this one). */
  readonly comparedWith: number;
  /** 1 = hardest; tied models share the best rank. */
  readonly rank: number;
  /** Mean of the component percentile ranks, in [0, 1]. */
  readonly composite: number;
  /** Each component's value and its percentile rank among the models that have it (`null` when missing). */
  readonly components: {
    readonly failRate: { readonly value: number; readonly percentile: number } | null;
    readonly specTightness: { readonly value: number; readonly percentile: number } | null;
    readonly sigmaToSpec: { readonly value: number; readonly percentile: number } | null;
  };
}

/** The stored difficulty of a model: score = harderThan / comparedWith. */
export interface DifficultySummary extends DifficultyRankInfo {
  readonly score: number;
}

/** One model's statistical profile. */
export interface ModelProfile {
  readonly model: string;
  /** Clean records the profile was computed on. */
  readonly samples: number;
  /** Records passed in, before hygiene. */
  readonly rowsRead: number;
  /** Records excluded by hygiene, by reason (`missing_outcome` is always 0 here: the profile keeps them). */
  readonly excluded: ExclusionCounts;
  /** First and last `fileDate` (ISO 8601), `null` when there are no valid dates. */
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  /** Most common `linearity_spec` (smallest on ties) and how many distinct specs the model has. */
  readonly spec: number | null;
  readonly distinctSpecs: number;
  readonly sigma: SigmaSummary;
  readonly error: ErrorSummary;
  readonly trim: OutcomeSummary;
  readonly finalTest: FinalTestSummary;
  readonly trackCorrelation: TrackCorrelationSummary;
  /** Spearman correlation of sigma_gradient with linearity_error / spec (rank-based: sigma's skew does not matter). */
  readonly sigmaErrorCorrelation: CorrelationStat;
  /**
   * `1 − p95(linearity_error / spec)` (numpy-linear p95): the fraction of the band left unused by 95% of units.
   * 0.3 means 95% of units have an error of at most ~70% of the spec; negative when the p95 error exceeds the spec (then at least
   * ~5% of units exceed it: `error.overSpec` has the exact count).
   */
  readonly specMargin: number | null;
  readonly capability: CapabilitySummary;
  /** Set by `ModelProfiler.setDifficulty` after ranking against other models; `null` until then. */
  readonly difficulty: DifficultySummary | null;
}

/** Severity of an insight. */
export type InsightSeverity = 'info' | 'warning' | 'critical';

/** What an insight is about. */
export type InsightKind =
  | 'no_data'
  | 'small_sample'
  | 'tight_spec_margin'
  | 'low_cpk'
  | 'high_fail_rate'
  | 'all_pass'
  | 'all_fail'
  | 'tracks_fail_together'
  | 'difficulty'
  | 'few_linked_final_test'
  | 'final_test_escapes';

/** A structured, human-readable finding about one model. */
export interface Insight {
  readonly kind: InsightKind;
  readonly severity: InsightSeverity;
  readonly message: string;
  /** The numbers behind the message (never NaN). */
  readonly values: Record<string, number | string | null>;
}
