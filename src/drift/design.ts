/**
 * Chart design from a target in-control ARL: the decision interval h of a two-sided CUSUM and the limit multiplier
 * L of an EWMA, by bisection on the ARL calculators of `./arl.ts` (both ARLs increase monotonically with h / L).
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { cusumArl, ewmaArl, type ArlOptions } from './arl.js';

/** Options of the design functions: the ARL method options plus the bisection tolerance. */
export interface DesignOptions extends Pick<ArlOptions, 'method' | 'nodes' | 'states' | 'shift' | 'sd'> {
  /** Relative tolerance on the achieved ARL. Default 1e-6. */
  readonly relTol?: number;
}

function checkTarget(targetArl0: number): void {
  if (!Number.isFinite(targetArl0) || targetArl0 <= 1) {
    throw new InvalidInputError(`targetArl0 must be a finite number > 1 (samples between false alarms), got ${targetArl0}.`);
  }
}

/**
 * Root of arl(x) = target on x > 0, arl increasing: a bracket by growing x from `start`, then the Illinois variant of
 * regula falsi (Dowell & Jarratt 1971) on ln arl(x) − ln target, which is close to linear in h and L, so a handful
 * of ARL evaluations reach the tolerance (plain bisection took ~40). Far beyond any useful target the linear solve
 * loses precision (I − R is then singular to working precision) and may return a negative or infinite value: that
 * is read as "above the target".
 */
function solveIncreasing(arl: (x: number) => number, target: number, start: number, relTol: number, what: string): number {
  const above = (v: number): boolean => !(Number.isFinite(v) && v >= 0 && v < target);
  // g(x) = ln arl(x) − ln target, with "above" values that are not finite treated as a large positive g.
  const g = (v: number): number => (Number.isFinite(v) && v > 0 ? Math.log(v / target) : above(v) ? 50 : -50);
  let lo = 0;
  let glo = Math.log(1 / target); // ARL → 1 as x → 0
  let hi = start;
  let vhi = arl(hi);
  let guard = 0;
  while (!above(vhi)) {
    lo = hi;
    glo = g(vhi);
    hi *= 1.5;
    vhi = arl(hi);
    if (++guard > 40) throw new InvalidInputError(`${what}: target ARL ${target} is out of reach; use a smaller target.`);
  }
  let ghi = g(vhi);
  let side = 0;
  for (let i = 0; i < 200; i++) {
    const mid = ghi - glo > 0 ? (lo * ghi - hi * glo) / (ghi - glo) : (lo + hi) / 2;
    const x = mid > lo && mid < hi ? mid : (lo + hi) / 2;
    const v = arl(x);
    if (Math.abs(v - target) <= relTol * target || hi - lo <= 1e-12 * hi) return x;
    const gx = g(v);
    if (above(v)) {
      hi = x;
      ghi = gx;
      if (side === 1) glo /= 2; // Illinois: halve the stale end's value
      side = 1;
    } else {
      lo = x;
      glo = gx;
      if (side === -1) ghi /= 2;
      side = -1;
    }
  }
  return (lo + hi) / 2;
}

/**
 * The decision interval h of the two-sided CUSUM with reference value k whose in-control ARL equals `targetArl0`
 * (zero start; see {@link cusumArl}).
 *
 * @example
 * ```ts
 * designCusumH(465.4, 0.5); // ≈ 5.0
 * designCusumH(100_000, 0.5); // ≈ 10.36
 * ```
 */
export function designCusumH(targetArl0: number, k: number, opts?: DesignOptions): number {
  checkTarget(targetArl0);
  if (!Number.isFinite(k) || k < 0) throw new InvalidInputError(`CUSUM k must be ≥ 0, got ${k}.`);
  const arlOpts: ArlOptions = { ...opts };
  return solveIncreasing((h) => cusumArl(k, h, arlOpts), targetArl0, 4, opts?.relTol ?? 1e-6, 'designCusumH');
}

/**
 * The limit multiplier L of the two-sided EWMA with smoothing λ and asymptotic limits whose in-control ARL equals
 * `targetArl0` (see {@link ewmaArl}).
 *
 * @example
 * ```ts
 * designEwmaL(500, 0.1); // ≈ 2.814 (Lucas & Saccucci 1990, Table 3)
 * ```
 */
export function designEwmaL(targetArl0: number, lambda: number, opts?: DesignOptions): number {
  checkTarget(targetArl0);
  const arlOpts: ArlOptions = { ...opts };
  return solveIncreasing((L) => ewmaArl(lambda, L, arlOpts), targetArl0, 2, opts?.relTol ?? 1e-6, 'designEwmaL');
}
