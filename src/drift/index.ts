/**
 * Per-model drift detection: ARL calculators, chart design and the {@link ModelDriftDetector}.
 *
 * @module
 */
export * from './arl.js';
export * from './design.js';
export * from './baseline.js';
export * from './rank-score.js';
export * from './lot-allowance.js';
export * from './horizon.js';
export * from './types.js';
export * from './model-drift-detector.js';
export * from './simulate.js';
