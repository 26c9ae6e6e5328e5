/**
 * The public surface is a promise: this test pins every name the root entry and the `/stats` subpath export (types
 * included), so that adding or removing one is a decision made in review, and checks that every exported function
 * and class carries a doc comment with an `@example`.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// One alphabetical list, many names a line.
// prettier-ignore
const ROOT_EXPORTS = [
  'AbortedError', 'ApplyModelResult', 'ApplyOptions', 'ApplyReadOptions', 'ApplyResult', 'Artifact', 'ArtifactStore',
  'BatchEffects', 'BatchReadOptions', 'BusyError', 'createFileArtifactStore', 'createMemoryRepository',
  'createPostgresRepository', 'createReferenceSchema', 'createSqliteRepository', 'CrossModelInsights', 'CrossModelRow',
  'DiskFullError', 'DriftAlert', 'DriftDirection', 'DriftEpisode', 'DriftResult', 'DriftScore', 'DriftStateColumns',
  'DriftStateUpdate', 'DriftStatistic', 'ExclusionCounts', 'FinalTestLinking', 'FinalTestOutcome', 'formulaThreshold',
  'FormulaThresholdFn', 'HostColumn', 'HostDataWriter', 'HostFinalTestInput', 'HostTable', 'HostTrackInput',
  'HostTrimRunInput', 'Insight', 'InsightKind', 'InsightSeverity', 'InsufficientDataError', 'InvalidInputError',
  'KyselyRepository', 'KyselyRepositoryOptions', 'LabelOptions', 'LabelSource', 'LaserTrimMLError',
  'LaserTrimMLErrorCode', 'LockHandle', 'ManyTrainingReadOptions', 'MemoryRepository', 'MemoryRepositoryOptions',
  'migrateDown', 'migrateToLatest', 'MigrationOptions', 'MigrationReport', 'MissingDependencyError', 'MLInsight', 'MLManager', 'MLManagerOptions',
  'MLRepository', 'ModelDriftDetector', 'ModelDriftDetectorOptions', 'ModelDriftDetectorParams',
  'ModelDriftDetectorState', 'ModelInsights', 'ModelMLState', 'ModelName', 'ModelPredictor', 'ModelPredictorOptions',
  'ModelPredictorState', 'ModelProfile', 'ModelProfiler', 'ModelProfilerState', 'ModelReadRequest', 'ModelRecordsBatch',
  'ModelSummary', 'ModelThresholdOptimizer', 'ModelThresholdOptimizerState', 'ModelTracksBatch', 'NotTrainedError',
  'PlantThresholdPrior', 'PooledSummary', 'PostgresSource', 'PredictorFeatures', 'PredictorKind', 'PredictorMetrics',
  'PredictorTrainingResult', 'ProfileOptions', 'ProgressCallback', 'ProgressEvent', 'QualityTrend', 'RandomForestParams',
  'ResolvedManagerOptions', 'RiskCategory', 'SchemaMapping', 'SchemaMappingError', 'SchemaMissingError', 'SqliteSource',
  'StateVersionError', 'StorageError', 'ThresholdData', 'ThresholdEvidence', 'ThresholdObjective', 'ThresholdOptions',
  'ThresholdReason', 'ThresholdResult', 'ThresholdSource', 'TimeBin', 'TrackResultWrite', 'TrainAllOptions',
  'TrainAllResult', 'TrainingReadOptions', 'TrainingRecord', 'TrainingResult', 'TrainingStatus', 'TrainingStatusRow',
  'TrimTrack',
];

// prettier-ignore
const STATS_EXPORTS = [
  'arl0ForHorizon', 'ArlOptions', 'brierScore', 'chiSquareSurvival', 'cochranArmitage', 'CombinedScheme',
  'ConfusionMetrics', 'confusionMetrics', 'cusumArl', 'cusumArlOneSided', 'designCusumH', 'designEwmaL',
  'DesignOptions', 'ewmaArl', 'gaussHermiteNormal', 'gaussLegendre', 'logGamma', 'mannKendall', 'mean',
  'meanMovingRange', 'normalCdf', 'normalPdf', 'normalQuantile', 'normalSurvival', 'pearsonCorrelation',
  'QuadratureRule', 'quantileLinear', 'quantilesLinear', 'regularizedBeta', 'regularizedGammaQ', 'rocAuc', 'sampleStd',
  'sampleVariance', 'selfStartingScore', 'SimulateArlOptions', 'simulateCombinedArl', 'SimulatedArl',
  'spearmanCorrelation', 'studentTCdf',
];

// prettier-ignore
const REPORT_EXPORTS = [
  'Chart', 'ChartUnavailable', 'decimateExtremes', 'DriftCharts', 'DriftStatisticPoint', 'FeatureImportancePoint',
  'LnSigmaChart', 'LnSigmaPoint', 'ModelChartData', 'modelChartData', 'ModelChartSummary', 'PlantChartData',
  'plantChartData', 'PlantChartOptions', 'plantReportHtml', 'PlantReportOptions', 'PlantReportResult', 'rankModels',
  'ReliabilityBin', 'reliabilityBins', 'ReliabilityDiagram', 'ReliabilityPoint', 'SigmaBin', 'SigmaDistribution',
  'SIGMA_HISTOGRAM_BINS', 'UnitPhase', 'wilsonInterval', 'writePlantReport',
];

const src = (file: string): string => fileURLToPath(new URL(`../src/${file}`, import.meta.url));
const program = ts.createProgram([src('index.ts'), src('stats.ts'), src('report.ts')], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

function exportsOf(file: string): ts.Symbol[] {
  const sf = program.getSourceFile(src(file));
  if (!sf) throw new Error(`${file} is not in the program`);
  return checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!);
}

/** The function and class exports whose doc comment has no `@example` (a value's own declaration, not its alias). */
function withoutExample(file: string): { checked: number; missing: string[] } {
  const missing: string[] = [];
  let checked = 0;
  for (const alias of exportsOf(file)) {
    const sym = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias;
    const decl = sym.declarations?.[0];
    if (!decl) continue;
    const isFunctionLike =
      ts.isFunctionDeclaration(decl) ||
      ts.isClassDeclaration(decl) ||
      (ts.isVariableDeclaration(decl) && decl.initializer !== undefined && ts.isArrowFunction(decl.initializer));
    if (!isFunctionLike) continue;
    checked++;
    const tags = ts.getJSDocTags(ts.isVariableDeclaration(decl) ? decl.parent.parent : decl);
    if (!tags.some((t) => t.tagName.text === 'example')) missing.push(alias.name);
  }
  return { checked, missing };
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort((a, b) => a.localeCompare(b, 'en'));

describe('public API', () => {
  it('the root entry exports exactly the pinned names, at most 120', () => {
    expect(sorted(exportsOf('index.ts').map((s) => s.name))).toEqual(sorted(ROOT_EXPORTS));
    expect(ROOT_EXPORTS.length).toBeLessThanOrEqual(120);
  });

  it('laser-trim-ml/stats exports exactly the pinned names', () => {
    expect(sorted(exportsOf('stats.ts').map((s) => s.name))).toEqual(sorted(STATS_EXPORTS));
  });

  it('laser-trim-ml/report exports exactly the pinned names', () => {
    expect(sorted(exportsOf('report.ts').map((s) => s.name))).toEqual(sorted(REPORT_EXPORTS));
  });

  it('every exported function and class has a doc comment with an example', () => {
    // 8 functions and 17 classes at the root (the manager, the four components, 12 errors); the functions of /stats.
    expect(withoutExample('index.ts')).toEqual({ checked: 25, missing: [] });
    expect(withoutExample('stats.ts')).toEqual({ checked: 32, missing: [] });
    expect(withoutExample('report.ts').missing).toEqual([]);
  });

  it('the runtime values of the root entry are the pinned value exports', async () => {
    const root = (await import('../src/index.js')) as Record<string, unknown>;
    for (const name of Object.keys(root)) expect(ROOT_EXPORTS).toContain(name);
    expect(typeof root['MLManager']).toBe('function');
  });
});
