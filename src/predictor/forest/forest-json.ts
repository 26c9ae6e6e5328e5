/**
 * The compact, versioned plain-JSON form of a fitted forest, and its validation on load.
 *
 * @module
 */
import { InvalidInputError, StateVersionError } from '../../core/errors.js';
import { type RandomForestParams, resolveForestParams } from './params.js';
import type { TreeArrays } from './tree.js';

/** One tree as parallel arrays (see {@link TreeArrays}); leaves have `feature = -1`, `left = right = -1`, `threshold = 0`. */
export interface TreeJSON {
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
}

/** Persisted form of a fitted {@link RandomForestClassifier}. JSON numbers round-trip doubles exactly, so a reload predicts bit-identically. */
export interface RandomForestJSON {
  readonly kind: 'RandomForestClassifier';
  readonly version: 1;
  readonly params: RandomForestParams;
  readonly nFeatures: number;
  /** Rows the forest was fitted on. */
  readonly nTrainingRows: number;
  /** Normalised mean decrease in impurity per feature (sums to 1, or all 0 when no tree split). */
  readonly impurityImportance: number[];
  readonly trees: TreeJSON[];
}

/** Tree → plain arrays. */
export function treeToJSON(t: TreeArrays): TreeJSON {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
  };
}

function bad(msg: string): never {
  throw new InvalidInputError(`RandomForestClassifier.fromJSON: ${msg}. The JSON is corrupt or was edited; retrain the model.`);
}

/** Plain arrays → tree, checking that the arrays describe a valid tree over `nFeatures` features. */
export function treeFromJSON(t: TreeJSON, nFeatures: number, which: number): TreeArrays {
  const n = Array.isArray(t?.feature) ? t.feature.length : 0;
  if (n === 0) bad(`tree ${which} has no nodes`);
  for (const key of ['threshold', 'left', 'right', 'value'] as const) {
    if (!Array.isArray(t[key]) || t[key].length !== n) bad(`tree ${which}: ${key} has a different length than feature`);
  }
  const tree: TreeArrays = {
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    value: Float64Array.from(t.value),
  };
  for (let k = 0; k < n; k++) {
    const f = t.feature[k]!;
    if (!Number.isInteger(f) || f < -1 || f >= nFeatures) bad(`tree ${which} node ${k}: feature ${f} is out of range`);
    const v = t.value[k]!;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) bad(`tree ${which} node ${k}: value ${v} is not a probability`);
    if (f >= 0) {
      const l = t.left[k]!;
      const r = t.right[k]!;
      // Children come after their parent, so traversal always terminates.
      if (!Number.isInteger(l) || !Number.isInteger(r) || l <= k || r <= k || l >= n || r >= n)
        bad(`tree ${which} node ${k}: children out of range`);
      if (!Number.isFinite(t.threshold[k])) bad(`tree ${which} node ${k}: threshold is not finite`);
    }
  }
  return tree;
}

/** Validates kind, version and shape of a forest JSON; returns the resolved params. */
export function checkForestJSON(json: RandomForestJSON): RandomForestParams {
  if (json?.kind !== 'RandomForestClassifier' || json.version !== 1) {
    throw new StateVersionError(
      `RandomForestClassifier.fromJSON: expected kind RandomForestClassifier version 1, got ${String(json?.kind)} v${String(json?.version)}. Retrain the model with this version of laser-trim-ml.`,
    );
  }
  if (!Number.isInteger(json.nFeatures) || json.nFeatures < 1) bad(`nFeatures ${json.nFeatures} is not a positive integer`);
  if (!Array.isArray(json.trees) || json.trees.length === 0) bad('it has no trees');
  if (!Array.isArray(json.impurityImportance) || json.impurityImportance.length !== json.nFeatures)
    bad('impurityImportance length differs from nFeatures');
  return resolveForestParams(json.params);
}
