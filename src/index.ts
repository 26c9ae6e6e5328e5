/**
 * laser-trim-ml: per-model machine learning for laser-trim potentiometer plants.
 *
 * @packageDocumentation
 */
export * from './core/types.js';
export * from './core/errors.js';
export * from './core/rng.js';
export * from './core/formula.js';
export * from './core/features.js';
export * from './core/imputer.js';
export * from './core/labels.js';
export * from './core/dataset.js';
