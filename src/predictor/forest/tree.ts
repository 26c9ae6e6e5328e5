/**
 * One fitted decision tree as flat typed arrays (structure of arrays), and its prediction on raw feature values.
 *
 * @module
 */

/**
 * A fitted tree. Node 0 is the root. For an internal node k, rows with `x[feature[k]] <= threshold[k]` go to
 * `left[k]`, the others to `right[k]`. A leaf has `feature[k] = -1` (and `left = right = -1`). `value[k]` is the
 * weighted fraction of class 1 (fail) among the node's in-bag training rows (weights = sample weight × bootstrap count
 * × class weight), as scikit-learn's `predict_proba` of a tree.
 */
export interface TreeArrays {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

/**
 * Number of nodes of a tree.
 *
 * @example
 * ```ts
 * nodeCount(forest.trees[0]!); // e.g. 57
 * ```
 */
export function nodeCount(tree: TreeArrays): number {
  return tree.feature.length;
}

/**
 * The leaf value reached by one row of a row-major matrix (`data`, `cols` columns, row `row`).
 *
 * @example
 * ```ts
 * predictTreeRow(tree, Float64Array.of(0.2, 3), 2, 0); // P(fail) of the leaf reached by [0.2, 3]
 * ```
 */
export function predictTreeRow(tree: TreeArrays, data: Float64Array, cols: number, row: number): number {
  const { feature, threshold, left, right, value } = tree;
  const base = row * cols;
  let k = 0;
  let f = feature[0]!;
  while (f >= 0) {
    k = data[base + f]! <= threshold[k]! ? left[k]! : right[k]!;
    f = feature[k]!;
  }
  return value[k]!;
}
