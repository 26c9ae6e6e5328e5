/**
 * Pass/fail rates and failure severity, at trim and at Final Test.
 *
 * @module
 */
import { finiteOrNull } from '../core/features.js';
import { mean } from '../core/stats/descriptive.js';
import type { TrainingRecord } from '../core/types.js';
import type { FinalTestSummary, OutcomeSummary } from './types.js';

function knownFailPoints(v: number | null | undefined): number | null {
  const x = finiteOrNull(v);
  return x !== null && x >= 0 ? x : null;
}

function summarise(outcomes: readonly { pass: boolean; failPoints: number | null }[]): OutcomeSummary {
  let passes = 0;
  const fp: number[] = [];
  for (const o of outcomes) {
    if (o.pass) passes++;
    else if (o.failPoints !== null) fp.push(o.failPoints);
  }
  const n = outcomes.length;
  return {
    outcomes: n,
    passes,
    failures: n - passes,
    passRate: n === 0 ? null : passes / n,
    failRate: n === 0 ? null : (n - passes) / n,
    avgFailPoints: mean(fp),
    failPointsKnown: fp.length,
  };
}

/**
 * Trim linearity outcome: rates over records whose `linearity_pass` is not null; `avgFailPoints` is the mean of
 * `linearity_fail_points` over the failing ones whose fail points are known (finite, ≥ 0).
 *
 * @example
 * ```ts
 * summariseTrimOutcomes(records).failRate; // failures / records with an outcome
 * ```
 */
export function summariseTrimOutcomes(records: readonly TrainingRecord[]): OutcomeSummary {
  const outcomes: { pass: boolean; failPoints: number | null }[] = [];
  for (const r of records) {
    if (r.linearityPass === null || r.linearityPass === undefined) continue;
    outcomes.push({ pass: r.linearityPass, failPoints: knownFailPoints(r.linearityFailPoints) });
  }
  return summarise(outcomes);
}

/**
 * Final Test outcome of the linked records: rates over records whose linked FT `linearityPass` is not null,
 * `avgFailPoints` over failing ones with known FT fail points, and escapes (passed trim, failed FT) among the
 * records that have both outcomes and passed trim.
 *
 * @example
 * ```ts
 * const ft = summariseFinalTestOutcomes(records);
 * ft.linked; ft.failRate; ft.escapes;
 * ```
 */
export function summariseFinalTestOutcomes(records: readonly TrainingRecord[]): FinalTestSummary {
  const outcomes: { pass: boolean; failPoints: number | null }[] = [];
  let linked = 0;
  let trimPassedWithOutcome = 0;
  let escapes = 0;
  for (const r of records) {
    const ft = r.finalTest;
    if (ft === null || ft === undefined) continue;
    linked++;
    if (ft.linearityPass === null || ft.linearityPass === undefined) continue;
    outcomes.push({ pass: ft.linearityPass, failPoints: knownFailPoints(ft.failPoints) });
    if (r.linearityPass === true) {
      trimPassedWithOutcome++;
      if (!ft.linearityPass) escapes++;
    }
  }
  return { ...summarise(outcomes), linked, trimPassedWithOutcome, escapes };
}
