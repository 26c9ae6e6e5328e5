/**
 * The per-model statistical profile: {@link ModelProfiler}, cross-model difficulty and comparison, insights.
 *
 * @module
 */
export * from './types.js';
export * from './distribution.js';
export * from './outcomes.js';
export * from './track-correlation.js';
export * from './capability.js';
export * from './build-profile.js';
export * from './difficulty.js';
export * from './compare.js';
export * from './insights.js';
export * from './model-profiler.js';
