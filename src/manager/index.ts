/**
 * The orchestrator and its public types.
 *
 * @module
 */
export { MLManager } from './ml-manager.js';
export type { ResolvedManagerOptions } from './options.js';
export * from './types.js';
export type {
  ComponentsState,
  PredictorChoice,
  ServingMetrics,
  DriftBaselineEnd,
  DriftMonitoring,
  DriftThrough,
} from './components-state.js';
export { POOLED_FEATURE_NAMES, type PooledFeatureName, type ModelContext } from './pooled/pooled-features.js';
export { POOLED_MAX_ROWS } from './pooled/pooled.js';
export type { FinalTestHistory } from './pooled/pooled-context.js';
export { buildCrossModelInsights, type CrossModelInsights, type CrossModelRow, type MLInsight, type ModelInsights } from './insights.js';
