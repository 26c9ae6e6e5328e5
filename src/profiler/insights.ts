/**
 * Structured insights generated from a persisted {@link ModelProfile} alone (so they survive `toState`/`fromState`).
 * Every threshold is a named constant; every number in a message is in `values`; wording is literally true of the
 * numbers (percentages that claim a bound are floored, comparisons are shown with enough digits to hold).
 *
 * @module
 */
import { DEFAULT_LABEL_OPTIONS } from '../core/labels.js';
import type { Insight, InsightSeverity, ModelProfile } from './types.js';

/** Fewer clean samples than this: `small_sample` warning. */
export const SMALL_SAMPLE_THRESHOLD = 30;
/** Spec margin below this: `tight_spec_margin` warning (below 0: critical). */
export const TIGHT_SPEC_MARGIN_THRESHOLD = 0.1;
/** Cpk below this: `low_cpk` warning (the common acceptance level). */
export const LOW_CPK_WARNING = 1.33;
/** Cpk below this: `low_cpk` critical (the process cannot hold the spec). */
export const LOW_CPK_CRITICAL = 1.0;
/** Trim fail rate at or above this: `high_fail_rate` warning (plant-wide trim fail rates are ~33–40%). */
export const HIGH_FAIL_RATE_WARNING = 0.5;
/** Trim fail rate at or above this: `high_fail_rate` critical. */
export const HIGH_FAIL_RATE_CRITICAL = 0.8;
/** Phi of TRK1/TRK2 fail indicators at or above this: `tracks_fail_together`. */
export const TRACKS_FAIL_TOGETHER_PHI = 0.7;
/** Difficulty score at or above this: the `difficulty` insight is a warning (else info). */
export const HARD_MODEL_SCORE = 0.75;
/** Fewer linked Final Test outcomes than this: `few_linked_final_test` (the default FT-label minimum). */
export const FEW_LINKED_FINAL_TEST = DEFAULT_LABEL_OPTIONS.minFinalTestSamples;
/** FT fail rate this much (absolute) above the trim fail rate: `final_test_escapes`. */
export const ESCAPE_RATE_GAP = 0.1;
/** Fewest FT outcomes for the escape comparison. */
export const MIN_FINAL_TEST_OUTCOMES_FOR_ESCAPES = 10;

/** All insight thresholds; `ModelProfiler.getInsights` accepts overrides. */
export interface InsightThresholds {
  readonly smallSample: number;
  readonly tightSpecMargin: number;
  readonly lowCpkWarning: number;
  readonly lowCpkCritical: number;
  readonly highFailRateWarning: number;
  readonly highFailRateCritical: number;
  readonly tracksFailTogether: number;
  readonly hardModel: number;
  readonly fewLinkedFinalTest: number;
  readonly escapeRateGap: number;
  readonly minFinalTestOutcomesForEscapes: number;
}

/** The default thresholds (the constants above). */
export const DEFAULT_INSIGHT_THRESHOLDS: InsightThresholds = {
  smallSample: SMALL_SAMPLE_THRESHOLD,
  tightSpecMargin: TIGHT_SPEC_MARGIN_THRESHOLD,
  lowCpkWarning: LOW_CPK_WARNING,
  lowCpkCritical: LOW_CPK_CRITICAL,
  highFailRateWarning: HIGH_FAIL_RATE_WARNING,
  highFailRateCritical: HIGH_FAIL_RATE_CRITICAL,
  tracksFailTogether: TRACKS_FAIL_TOGETHER_PHI,
  hardModel: HARD_MODEL_SCORE,
  fewLinkedFinalTest: FEW_LINKED_FINAL_TEST,
  escapeRateGap: ESCAPE_RATE_GAP,
  minFinalTestOutcomesForEscapes: MIN_FINAL_TEST_OUTCOMES_FOR_ESCAPES,
};

/** A fraction as a percentage with at most one decimal: 0.625 → "62.5%". */
const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/** `x` with 2 decimals, or more when 2 would make it look equal to `bound` (so "1.33 is below 1.33" never shows). */
function fmtVs(x: number, bound: number): string {
  for (let d = 2; d <= 6; d++) {
    const s = x.toFixed(d);
    if (Number(s) !== bound) return s;
  }
  return x.toPrecision(10);
}

/** A fraction as a percentage, with more decimals when rounding would make it look equal to `bound`. */
function pctVs(x: number, bound: number): string {
  for (let d = 1; d <= 6; d++) {
    const v = Math.round(x * 100 * 10 ** d) / 10 ** d;
    if (v !== Math.round(bound * 100 * 10 ** d) / 10 ** d) return `${v}%`;
  }
  return `${x * 100}%`;
}

const SEVERITY_ORDER: Record<InsightSeverity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Insights about one model, most severe first.
 *
 * @example
 * ```ts
 * generateInsights(profile).map((i) => `${i.severity}: ${i.message}`);
 * ```
 */
export function generateInsights(p: ModelProfile, overrides: Partial<InsightThresholds> = {}): Insight[] {
  const t: InsightThresholds = { ...DEFAULT_INSIGHT_THRESHOLDS, ...overrides };
  const out: Insight[] = [];
  const add = (kind: Insight['kind'], severity: InsightSeverity, message: string, values: Insight['values']): void => {
    out.push({ kind, severity, message, values });
  };

  if (p.samples === 0) {
    const reasons = Object.entries(p.excluded).filter(([, n]) => n > 0);
    add(
      'no_data',
      'critical',
      p.rowsRead === 0
        ? 'No records for this model: nothing can be profiled or learned.'
        : `No usable records: ${p.rowsRead} read, all excluded (${reasons.map(([k, n]) => `${k}: ${n}`).join(', ')}).`,
      { rowsRead: p.rowsRead, samples: 0 },
    );
    return out;
  }
  if (p.samples < t.smallSample) {
    add(
      'small_sample',
      'warning',
      `Only ${p.samples} clean samples (fewer than ${t.smallSample}): every statistic of this model is uncertain.`,
      {
        samples: p.samples,
        threshold: t.smallSample,
      },
    );
  }

  const m = p.specMargin;
  if (m !== null && m < t.tightSpecMargin) {
    const p95 = p.error.toSpecP95 ?? 1 - m;
    const over = `${p.error.overSpec} of ${p.error.toSpecN} tracks (${pct(p.error.overSpec / p.error.toSpecN)}) exceed the spec`;
    add(
      'tight_spec_margin',
      m < 0 ? 'critical' : 'warning',
      m < 0
        ? `No spec margin: the 95th percentile of linearity error is ${pct(p95)} of the spec (margin ${pct(m)}); ${over}.`
        : `Tight spec margin: the 95th percentile of linearity error is ${pct(p95)} of the spec, leaving a margin of ${pctVs(m, t.tightSpecMargin)} (below ${pct(t.tightSpecMargin)}).`,
      { specMargin: m, errorToSpecP95: p95, overSpec: p.error.overSpec, n: p.error.toSpecN, threshold: t.tightSpecMargin },
    );
  }

  const cpk = p.capability.cpk;
  if (cpk !== null && cpk < t.lowCpkWarning) {
    const critical = cpk < t.lowCpkCritical;
    const bound = critical ? t.lowCpkCritical : t.lowCpkWarning;
    add(
      'low_cpk',
      critical ? 'critical' : 'warning',
      `Cpk ${fmtVs(cpk, bound)} is below ${bound} (one-sided, |error| against the spec, σ within from moving ranges of ${p.capability.n} tracks in date order)` +
        (critical ? ': the process cannot reliably hold the linearity spec.' : '.'),
      { cpk, ppk: p.capability.ppk, n: p.capability.n, threshold: bound },
    );
  }

  const trim = p.trim;
  if (trim.outcomes > 0 && trim.failures === 0) {
    add(
      'all_pass',
      'warning',
      `All ${trim.outcomes} trim outcomes passed: there are no failures to learn a threshold or a predictor from.`,
      {
        outcomes: trim.outcomes,
      },
    );
  } else if (trim.outcomes > 0 && trim.passes === 0) {
    add(
      'all_fail',
      'critical',
      `All ${trim.outcomes} trim outcomes failed: there are no passes to learn a threshold or a predictor from.`,
      {
        outcomes: trim.outcomes,
        avgFailPoints: trim.avgFailPoints,
      },
    );
  } else if (trim.failRate !== null && trim.failRate >= t.highFailRateWarning) {
    const critical = trim.failRate >= t.highFailRateCritical;
    add(
      'high_fail_rate',
      critical ? 'critical' : 'warning',
      `Trim fail rate is ${pct(trim.failRate)} (${trim.failures} of ${trim.outcomes} tracks), at or above ${pct(critical ? t.highFailRateCritical : t.highFailRateWarning)}` +
        (trim.avgFailPoints !== null ? `; failing tracks average ${trim.avgFailPoints.toFixed(1)} fail points.` : '.'),
      { failRate: trim.failRate, failures: trim.failures, outcomes: trim.outcomes, avgFailPoints: trim.avgFailPoints },
    );
  }

  const phi = p.trackCorrelation.failure.value;
  if (phi !== null && phi >= t.tracksFailTogether) {
    add(
      'tracks_fail_together',
      'warning',
      `Track 1 and Track 2 failures are highly correlated (${phi.toFixed(2)} over ${p.trackCorrelation.failure.n} units): the tracks tend to fail together, which points to a unit-level cause.`,
      { phi, pairs: p.trackCorrelation.failure.n, sigmaCorrelation: p.trackCorrelation.sigma.value, threshold: t.tracksFailTogether },
    );
  }

  const d = p.difficulty;
  if (d !== null) {
    const floorPct = Math.floor((100 * d.harderThan) / d.comparedWith);
    const by = 'by trim fail rate, error vs spec and sigma vs spec';
    add(
      'difficulty',
      d.score >= t.hardModel ? 'warning' : 'info',
      d.harderThan === 0
        ? `Not harder to trim than any of the other ${d.comparedWith} ranked models (rank ${d.rank} of ${d.comparedWith + 1}, ${by}).`
        : d.harderThan === d.comparedWith
          ? `Harder to trim than all ${d.comparedWith} other ranked models (rank ${d.rank} of ${d.comparedWith + 1}, ${by}).`
          : `Harder to trim than ${floorPct}% of the other ranked models (${d.harderThan} of ${d.comparedWith}; rank ${d.rank} of ${d.comparedWith + 1}, ${by}).`,
      { score: d.score, harderThan: d.harderThan, comparedWith: d.comparedWith, rank: d.rank },
    );
  }

  const ft = p.finalTest;
  if (ft.outcomes < t.fewLinkedFinalTest) {
    add(
      'few_linked_final_test',
      'info',
      ft.outcomes === 0
        ? `No track has a linked Final Test outcome (${ft.linked} linked records): only trim linearity describes this model.`
        : `Only ${ft.outcomes} tracks have a linked Final Test outcome (fewer than ${t.fewLinkedFinalTest}, the default needed to learn from Final Test): Final Test rates are uncertain.`,
      { finalTestOutcomes: ft.outcomes, linked: ft.linked, threshold: t.fewLinkedFinalTest },
    );
  }
  if (ft.outcomes >= t.minFinalTestOutcomesForEscapes && ft.failRate !== null && trim.failRate !== null) {
    const gap = ft.failRate - trim.failRate;
    if (gap >= t.escapeRateGap) {
      add(
        'final_test_escapes',
        'warning',
        `Final Test fail rate ${pct(ft.failRate)} (${ft.failures} of ${ft.outcomes} linked tracks) is ${Math.round(gap * 1000) / 10} percentage points above the trim fail rate ${pct(trim.failRate)}; ` +
          `${ft.escapes} of ${ft.trimPassedWithOutcome} tracks that passed trim failed Final Test (escapes).`,
        {
          finalTestFailRate: ft.failRate,
          trimFailRate: trim.failRate,
          gap,
          escapes: ft.escapes,
          trimPassedWithOutcome: ft.trimPassedWithOutcome,
        },
      );
    }
  }
  return out
    .map((x, i) => ({ x, i }))
    .sort((a, b) => SEVERITY_ORDER[a.x.severity] - SEVERITY_ORDER[b.x.severity] || a.i - b.i)
    .map((y) => y.x);
}
