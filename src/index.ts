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
export { modelChartData, plantChartData, type PlantChartOptions } from './charts/chart-data.js';
export type {
  Chart,
  ChartUnavailable,
  DriftCharts,
  DriftStatisticPoint,
  FeatureImportancePoint,
  LnSigmaChart,
  LnSigmaPoint,
  ModelChartData,
  ModelChartSummary,
  PlantChartData,
  ReliabilityDiagram,
  ReliabilityPoint,
  SigmaBin,
  SigmaDistribution,
  UnitPhase,
} from './charts/types.js';
export { SIGMA_HISTOGRAM_BINS } from './charts/model-charts.js';
export { wilsonInterval } from './charts/wilson.js';
export { reliabilityBins, type ReliabilityBin } from './predictor/reliability.js';
export { plantReportHtml, writePlantReport, rankModels, type PlantReportOptions, type PlantReportResult } from './report/plant-report.js';
export { decimateExtremes } from './report/decimate.js';
