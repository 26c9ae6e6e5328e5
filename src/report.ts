/**
 * `laser-trim-ml/report`: charts and the HTML plant report over a trained `MLManager`. The chart data are
 * plain JSON (`modelChartData`, `plantChartData`); the report draws them with the optional peers `vega` and
 * `vega-lite` (a `MissingDependencyError` names the install command where they are missing). See
 * docs/report.md.
 *
 * @example
 * ```ts
 * import { writePlantReport } from 'laser-trim-ml/report';
 * await writePlantReport(ml, 'plant-report.html');
 * ```
 *
 * @module
 */
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
