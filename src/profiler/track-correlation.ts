/**
 * Do the two tracks of a dual-element unit behave together? TRK1 and TRK2 records of the same trim run (same
 * `trimResultId`) are paired, and two correlations are taken over the pairs:
 * - **failure**: the phi coefficient (Pearson on 0/1 trim fail indicators) — "do tracks fail together?";
 * - **sigma**: Pearson on log10(sigma) of the two tracks (log, because sigma is right-skewed).
 *
 * @module
 */
import { finiteOrNull } from '../core/features.js';
import { pearsonCorrelation } from '../core/stats/descriptive.js';
import type { TrainingRecord } from '../core/types.js';
import type { CorrelationStat, NullReason, TrackCorrelationSummary } from './types.js';

/** Fewest pairs a correlation is computed on (with 2 pairs any non-constant data give ±1). */
export const MIN_CORRELATION_PAIRS = 3;

/** Options of {@link trackCorrelation}. */
export interface TrackCorrelationOptions {
  /** Host names of the two tracks, compared case-insensitively ignoring spaces, `_` and `-`. Default TRK1 / TRK2. */
  readonly trackIds?: readonly [string, string];
  /** Fewest pairs for a correlation (≥ 3). Default {@link MIN_CORRELATION_PAIRS}. */
  readonly minPairs?: number;
}

const norm = (id: string): string =>
  id
    .trim()
    .toUpperCase()
    .replace(/[\s_-]/g, '');

/**
 * Builds a {@link CorrelationStat} from paired values, with the reason when it is null.
 *
 * @example
 * ```ts
 * correlationStat([0, 1, 0, 1], [0, 1, 1, 1], 'phi', 3, 'TRK1/TRK2 failure pairs'); // value 1/√3
 * ```
 */
export function correlationStat(
  x: readonly number[],
  y: readonly number[],
  method: CorrelationStat['method'],
  minPairs: number,
  what: string,
  compute: (x: readonly number[], y: readonly number[]) => number | null = pearsonCorrelation,
): CorrelationStat {
  const n = x.length;
  let reason: NullReason | null = null;
  let value: number | null = null;
  if (n < minPairs) {
    reason = { code: 'too_few', message: `Only ${n} ${what} (fewer than ${minPairs}): too few for a correlation.` };
  } else {
    value = compute(x, y);
    if (value === null) {
      reason = {
        code: 'zero_variance',
        message: `One side of the ${n} ${what} does not vary (constant values): the correlation is undefined.`,
      };
    }
  }
  return { value, n, method, reason };
}

/**
 * Pairs TRK1 and TRK2 of each trim run and correlates their fail indicators (phi) and log10 sigma (Pearson).
 * A trim run with more than one record of the same track is skipped (ambiguous). Both correlations are `null`
 * with reason `single_track` when no run has both tracks.
 *
 * @example
 * ```ts
 * const tc = trackCorrelation(records);
 * tc.failure.value; // e.g. 0.92: tracks fail together
 * ```
 */
export function trackCorrelation(records: readonly TrainingRecord[], options: TrackCorrelationOptions = {}): TrackCorrelationSummary {
  const [firstId, secondId] = (options.trackIds ?? ['TRK1', 'TRK2']).map(norm) as [string, string];
  const minPairs = Math.max(MIN_CORRELATION_PAIRS, options.minPairs ?? MIN_CORRELATION_PAIRS);
  const runs = new Map<number, { first: TrainingRecord[]; second: TrainingRecord[] }>();
  for (const r of records) {
    const id = norm(r.trackId ?? '');
    if (id !== firstId && id !== secondId) continue;
    let run = runs.get(r.trimResultId);
    if (run === undefined) {
      run = { first: [], second: [] };
      runs.set(r.trimResultId, run);
    }
    (id === firstId ? run.first : run.second).push(r);
  }
  const failX: number[] = [];
  const failY: number[] = [];
  const sigX: number[] = [];
  const sigY: number[] = [];
  let pairs = 0;
  for (const run of runs.values()) {
    const [a] = run.first;
    const [b] = run.second;
    if (run.first.length !== 1 || run.second.length !== 1 || a === undefined || b === undefined) continue;
    pairs++;
    if (typeof a.linearityPass === 'boolean' && typeof b.linearityPass === 'boolean') {
      failX.push(a.linearityPass ? 0 : 1);
      failY.push(b.linearityPass ? 0 : 1);
    }
    const sa = finiteOrNull(a.sigmaGradient);
    const sb = finiteOrNull(b.sigmaGradient);
    if (sa !== null && sb !== null && sa > 0 && sb > 0) {
      sigX.push(Math.log10(sa));
      sigY.push(Math.log10(sb));
    }
  }
  if (pairs === 0) {
    const reason: NullReason = {
      code: 'single_track',
      message: 'No trim run has both TRK1 and TRK2: a single-track model has no track correlation.',
    };
    return {
      pairs: 0,
      failure: { value: null, n: 0, method: 'phi', reason },
      sigma: { value: null, n: 0, method: 'pearson', reason },
    };
  }
  return {
    pairs,
    failure: correlationStat(failX, failY, 'phi', minPairs, 'TRK1/TRK2 pairs with both trim outcomes'),
    sigma: correlationStat(sigX, sigY, 'pearson', minPairs, 'TRK1/TRK2 pairs with both sigmas'),
  };
}
