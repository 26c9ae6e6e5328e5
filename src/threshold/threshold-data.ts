/**
 * Validation of {@link ThresholdData} and resolution of the severity weights.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { severityWeight } from '../core/labels.js';
import type { ThresholdData } from './types.js';

/** Validated columns, with the severity weight of every unit resolved. */
export interface PreparedThresholdData {
  readonly sigma: Float64Array;
  readonly fail: Uint8Array;
  readonly severity: Float64Array;
  readonly formulaThreshold: Float64Array;
  readonly dates: readonly Date[] | undefined;
  /** `q_i` = `failProbability[i]` where finite, else `fail[i]`; `undefined` without `failProbability`. */
  readonly softFail: Float64Array | undefined;
}

/**
 * Checks lengths and values (throws {@link InvalidInputError} saying which unit is wrong) and resolves severity:
 * `data.severity` if given, else `severityWeight(fail, failPoints)` (core labels), else `severityWeight(fail, null)`.
 *
 * @example
 * ```ts
 * prepareThresholdData({ sigma, fail, failPoints, formulaThreshold, labelSource: 'trim' }).severity;
 * ```
 */
export function prepareThresholdData(data: ThresholdData): PreparedThresholdData {
  const { sigma, fail, formulaThreshold, dates } = data;
  if (!(sigma instanceof Float64Array) || !(fail instanceof Uint8Array) || !(formulaThreshold instanceof Float64Array)) {
    throw new InvalidInputError('ThresholdData: sigma and formulaThreshold must be Float64Array and fail a Uint8Array.');
  }
  if (data.labelSource !== 'final_test' && data.labelSource !== 'trim') {
    throw new InvalidInputError(`ThresholdData.labelSource must be 'final_test' or 'trim', got ${String(data.labelSource)}.`);
  }
  const n = sigma.length;
  const check = (name: string, len: number | undefined): void => {
    if (len !== undefined && len !== n) {
      throw new InvalidInputError(
        `ThresholdData.${name} has ${len} entries but sigma has ${n}: pass one entry per unit, in the same order.`,
      );
    }
  };
  check('fail', fail.length);
  check('formulaThreshold', formulaThreshold.length);
  check('failPoints', data.failPoints?.length);
  check('severity', data.severity?.length);
  check('dates', dates?.length);
  check('failProbability', data.failProbability?.length);
  for (let i = 0; i < n; i++) {
    const s = sigma[i]!;
    if (!Number.isFinite(s) || s <= 0) {
      throw new InvalidInputError(
        `ThresholdData.sigma[${i}] = ${s}: sigma must be finite and > 0. Drop placeholder (999.999), zero and missing sigma rows first (cleanTrainingRecords does).`,
      );
    }
    if (fail[i]! > 1) throw new InvalidInputError(`ThresholdData.fail[${i}] = ${fail[i]}: use 1 for a failure and 0 for a pass.`);
    const f = formulaThreshold[i]!;
    if (!Number.isFinite(f) || f <= 0) {
      throw new InvalidInputError(`ThresholdData.formulaThreshold[${i}] = ${f}: must be finite and > 0 (use core formulaThreshold).`);
    }
    if (dates && !(dates[i] instanceof Date && Number.isFinite(dates[i]!.getTime()))) {
      throw new InvalidInputError(`ThresholdData.dates[${i}] is not a valid Date: pass the trim file_date of every unit, or no dates.`);
    }
  }
  const severity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const label = fail[i] as 0 | 1;
    if (data.severity) {
      const w = data.severity[i]!;
      if (!Number.isFinite(w) || w <= 0) {
        throw new InvalidInputError(`ThresholdData.severity[${i}] = ${w}: severity weights must be finite and > 0 (see severityWeight).`);
      }
      severity[i] = w;
    } else {
      const fp = data.failPoints ? data.failPoints[i]! : Number.NaN;
      severity[i] = severityWeight(label, Number.isNaN(fp) ? null : fp);
    }
  }
  let softFail: Float64Array | undefined;
  if (data.failProbability) {
    if (!(data.failProbability instanceof Float64Array))
      throw new InvalidInputError('ThresholdData.failProbability must be a Float64Array (NaN where unknown).');
    softFail = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = data.failProbability[i]!;
      if (Number.isNaN(p)) softFail[i] = fail[i]!;
      else if (p >= 0 && p <= 1) softFail[i] = p;
      else throw new InvalidInputError(`ThresholdData.failProbability[${i}] = ${p}: a probability must be in [0, 1] (NaN where unknown).`);
    }
  }
  return { sigma, fail, severity, formulaThreshold, dates, softFail };
}
