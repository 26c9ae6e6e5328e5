/**
 * A small, general random forest classifier on typed arrays (binary labels, sample weights, seeded).
 *
 * @module
 */
export { RandomForestClassifier } from './random-forest.js';
export { DEFAULT_FOREST_PARAMS, featuresPerSplit, resolveForestParams, type MaxFeatures, type RandomForestParams } from './params.js';
export type { RandomForestJSON, TreeJSON } from './forest-json.js';
export type { TreeArrays } from './tree.js';
export { nodeCount, predictTreeRow } from './tree.js';
export { binFeatures, type BinnedFeatures } from './binning.js';
export { toRowMajor, type MatrixInput, type RowMajorMatrix } from './matrix.js';
export {
  permutationImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
  type PermutationScoring,
  type ProbabilityModel,
} from './permutation-importance.js';
