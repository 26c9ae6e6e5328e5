/**
 * Bootstrap draws and out-of-bag predictions. A tree's bootstrap is the first n draws of its own seeded stream, so
 * out-of-bag predictions can be recomputed after `fit` from the tree seeds alone, and `fit` does not pay for them
 * unless they are asked for.
 *
 * @module
 */
import { type Rng, createRng } from '../../core/rng.js';
import { type TreeArrays, predictTreeRow } from './tree.js';

/** Draws n row indices uniformly with replacement into `counts` (times each row was drawn). */
export function drawBootstrap(rng: Rng, n: number, counts: Uint32Array): void {
  counts.fill(0);
  for (let k = 0; k < n; k++) {
    const r = rng.nextInt(n);
    counts[r] = counts[r]! + 1;
  }
}

/** Out-of-bag probabilities and, per row, how many trees left it out. */
export interface OutOfBag {
  /** Mean over the trees that left the row out of their bootstrap; NaN where none did. */
  readonly proba: Float64Array;
  readonly treeCounts: Uint32Array;
}

/**
 * Out-of-bag predictions of bootstrapped trees on their training rows (row-major `data`, `cols` columns), each tree's
 * bootstrap regenerated from its seed with {@link drawBootstrap}.
 */
export function outOfBag(trees: readonly TreeArrays[], treeSeeds: Uint32Array, data: Float64Array, rows: number, cols: number): OutOfBag {
  const sum = new Float64Array(rows);
  const treeCounts = new Uint32Array(rows);
  const counts = new Uint32Array(rows);
  trees.forEach((tree, t) => {
    drawBootstrap(createRng(treeSeeds[t]!), rows, counts);
    for (let i = 0; i < rows; i++) {
      if (counts[i] === 0) {
        sum[i] = sum[i]! + predictTreeRow(tree, data, cols, i);
        treeCounts[i] = treeCounts[i]! + 1;
      }
    }
  });
  const proba = new Float64Array(rows);
  for (let i = 0; i < rows; i++) proba[i] = treeCounts[i]! > 0 ? sum[i]! / treeCounts[i]! : Number.NaN;
  return { proba, treeCounts };
}
