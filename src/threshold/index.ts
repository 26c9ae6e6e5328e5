/**
 * The learned sigma threshold: {@link ModelThresholdOptimizer} and its building blocks.
 *
 * @module
 */
export * from './types.js';
export * from './options.js';
export * from './threshold-data.js';
export * from './sigma-groups.js';
export * from './cost-search.js';
export * from './accuracy.js';
export * from './split.js';
export * from './bootstrap.js';
export * from './confidence.js';
export * from './fit.js';
export * from './state.js';
export * from './model-threshold-optimizer.js';
export * from './plant-prior.js';
