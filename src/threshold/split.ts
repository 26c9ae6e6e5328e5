/**
 * The hold-out split of the threshold's out-of-sample comparison with the formula.
 *
 * @module
 */
import type { Rng } from '../core/rng.js';
import type { HeldOutSplit } from './types.js';

/** Unit indices of the two parts, each ascending. */
export interface TrainHeldOut {
  readonly split: HeldOutSplit;
  readonly train: Int32Array;
  readonly heldOut: Int32Array;
}

/**
 * Splits units into a training part and a held-out part.
 *
 * - With `dates` (`split: 'time'`): units are ordered by date (ties by index) and the latest
 *   `round(n · fraction)` are held out, as a threshold is used on units made after it was learned.
 * - Without (`split: 'stratified'`): failures and passes are shuffled separately (Fisher–Yates with `rng`) and
 *   `round(count · fraction)` of each class is held out, so both parts keep the model's failure rate.
 *
 * @example
 * ```ts
 * const { train, heldOut } = splitHeldOut(fail, 0.3, createRng(42));
 * ```
 */
export function splitHeldOut(fail: Uint8Array, fraction: number, rng: Rng, dates?: readonly Date[]): TrainHeldOut {
  const n = fail.length;
  const held: number[] = [];
  let split: HeldOutSplit;
  if (dates) {
    split = 'time';
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => dates[a]!.getTime() - dates[b]!.getTime() || a - b);
    const nHeld = Math.round(n * fraction);
    for (let k = n - nHeld; k < n; k++) held.push(order[k]!);
  } else {
    split = 'stratified';
    for (const cls of [1, 0]) {
      const idx: number[] = [];
      for (let i = 0; i < n; i++) if (fail[i] === cls) idx.push(i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const tmp = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = tmp;
      }
      const nHeld = Math.round(idx.length * fraction);
      for (let k = 0; k < nHeld; k++) held.push(idx[k]!);
    }
  }
  const isHeld = new Uint8Array(n);
  for (const i of held) isHeld[i] = 1;
  const train: number[] = [];
  const heldOut: number[] = [];
  for (let i = 0; i < n; i++) (isHeld[i] ? heldOut : train).push(i);
  return { split, train: Int32Array.from(train), heldOut: Int32Array.from(heldOut) };
}
