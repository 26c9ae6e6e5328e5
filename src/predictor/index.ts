/**
 * The per-model failure predictor, its metrics and calibration, and the random forest behind it.
 *
 * @module
 */
export * from './forest/index.js';
export { rocAuc, brierScore, confusionMetrics, type ConfusionMetrics } from './metrics.js';
export { fitPlatt, applyPlatt, probabilityLogit, LOGIT_CLIP, type PlattCalibration } from './calibration.js';
export { ModelPredictor, type PredictorFeatures } from './model-predictor.js';
export {
  PREDICTOR_FOREST_DEFAULTS,
  PREDICTOR_MIN_CLASS_COUNT,
  PREDICTOR_MIN_SAMPLES,
  type ModelPredictorOptions,
  type ModelPredictorState,
  type PredictorMetrics,
  type PredictorSkipReason,
  type PredictorTrainingResult,
} from './predictor-types.js';
