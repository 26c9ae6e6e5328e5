/**
 * laser-trim-ml: per-model machine learning for laser-trim potentiometer plants.
 *
 * Start with {@link MLManager} over a repository ({@link createSqliteRepository}, {@link createPostgresRepository},
 * {@link createMemoryRepository}, or your own {@link MLRepository}). The four per-model components
 * ({@link ModelProfiler}, {@link ModelPredictor}, {@link ModelThresholdOptimizer}, {@link ModelDriftDetector}) are
 * pure classes with versioned JSON state, usable on their own. Synthetic plant data lives in the
 * `laser-trim-ml/synthetic` subpath.
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
export * from './core/stats/index.js';
export * from './core/stats/descriptive.js';
export * from './core/stats/chi-square.js';
export * from './predictor/index.js';
export * from './threshold/index.js';
export * from './drift/index.js';
export * from './profiler/index.js';
export * from './storage/index.js';
export * from './manager/index.js';
export * from './insights/time-trends.js';
