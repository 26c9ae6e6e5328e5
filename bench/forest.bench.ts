/**
 * Forest benchmark: 100 trees on 8,000 training rows × 11 plant-like features (10,000 generated, 80/20 split),
 * maxDepth 10, minSamplesLeaf 3, minSamplesSplit 5, maxFeatures sqrt. Times the fit over 5 repetitions (median),
 * scores held-out AUC and Brier, and compares with scikit-learn's RandomForestClassifier on the same CSV and the same
 * settings when /usr/bin/python3 has it. Writes bench/results/forest.json.
 *
 * Run: npx tsx bench/forest.bench.ts   (or npm run bench:forest)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RandomForestClassifier } from '../src/predictor/forest/index.js';
import { brierScore, rocAuc } from '../src/predictor/metrics.js';
import { createRng } from '../src/core/rng.js';
import { FEATURE_NAMES } from '../src/core/features.js';

/** Plant-like synthetic data: 11 features named as the design's, a nonlinear failure signal, label noise, ~35% positives. */
const BENCH_FEATURES = FEATURE_NAMES;

interface BenchData {
  readonly X: Float64Array; // row-major, n × 11
  readonly y: Uint8Array;
  readonly rows: number;
  readonly cols: number;
}

/** n seeded rows. Signal: log(sigma / formula threshold), an error-to-spec knee, a resistance × offset interaction. */
function plantLikeData(n: number, seed: number, labelNoise = 0.05): BenchData {
  const rng = createRng(seed);
  const specs = [0.01, 0.01, 0.01, 0.015, 0.02, 0.025, 0.05];
  const travels = [240, 300, 340, 120];
  const d = BENCH_FEATURES.length;
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const spec = specs[rng.nextInt(specs.length)]!;
    const unit = travels[rng.nextInt(travels.length)]!;
    const travel = unit + 2 * rng.nextNormal();
    const threshold = spec / (24 * Math.max(1, travel / 100));
    const logRatio = 0.55 * rng.nextNormal() - 0.15; // log(sigma / threshold)
    const sigma = threshold * Math.exp(logRatio);
    const offset = 0.3 * spec * rng.nextNormal();
    const resChange = 0.02 + 0.13 * rng.next();
    const errRatio = Math.exp(-0.35 + 0.6 * logRatio + 0.35 * rng.nextNormal());
    const err = errRatio * spec;
    const failPoints = errRatio > 1 ? Math.round(3 * (errRatio - 1) * 20 * rng.next()) : 0;
    const z =
      2.2 * logRatio +
      1.6 * Math.max(0, errRatio - 0.85) * 4 +
      1.2 * Math.sin(25 * resChange) * (Math.abs(offset) / spec > 0.3 ? 1 : 0.3) -
      0.95;
    let label = rng.next() < 1 / (1 + Math.exp(-2 * z)) ? 1 : 0;
    if (rng.next() < labelNoise) label = 1 - label;
    const row = [sigma, err, failPoints, offset, travel, unit, spec, resChange, sigma / spec, errRatio, Math.abs(offset)];
    for (let j = 0; j < d; j++) X[i * d + j] = row[j]!;
    y[i] = label;
  }
  return { X, y, rows: n, cols: d };
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const N = 10_000;
const TRAIN = 8_000;
const REPS = 5;
const SETTINGS = { nEstimators: 100, maxDepth: 10, minSamplesLeaf: 3, minSamplesSplit: 5, maxFeatures: 'sqrt', seed: 42 } as const;

const data = plantLikeData(N, 7);
const d = data.cols;
const train = { data: data.X.subarray(0, TRAIN * d), rows: TRAIN, cols: d };
const test = { data: data.X.subarray(TRAIN * d), rows: N - TRAIN, cols: d };
const yTrain = data.y.subarray(0, TRAIN);
const yTest = data.y.subarray(TRAIN);
let positives = 0;
for (const v of data.y) positives += v;

const times: number[] = [];
let forest: RandomForestClassifier | null = null;
for (let r = 0; r < REPS; r++) {
  const t0 = performance.now();
  forest = new RandomForestClassifier(SETTINGS).fit(train, yTrain);
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(REPS / 2)]!;
// Out-of-bag probabilities are computed on first access (ModelPredictor always asks for them): time that too.
const tOob = performance.now();
const oobNaN = Array.from(forest!.oobProba).filter(Number.isNaN).length;
const oobS = (performance.now() - tOob) / 1000;
const t0 = performance.now();
const p = forest!.predictProba(test);
const predictS = (performance.now() - t0) / 1000;
// The bar's exact wording: 100 trees on all 10,000 rows × 11 features (no hold-out), median of REPS fits.
const fullTimes: number[] = [];
for (let r = 0; r < REPS; r++) {
  const tf = performance.now();
  new RandomForestClassifier(SETTINGS).fit({ data: data.X, rows: N, cols: d }, data.y);
  fullTimes.push((performance.now() - tf) / 1000);
}
fullTimes.sort((a, b) => a - b);
const fullMedian = fullTimes[Math.floor(REPS / 2)]!;
const ours = {
  train_s: median,
  train_s_all: times,
  full_10000_rows_train_s: fullMedian,
  oob_s: oobS,
  oob_nan_rows: oobNaN,
  predict_s: predictS,
  auc: rocAuc(p, yTest),
  brier: brierScore(p, yTest),
};

// Second check, of the weighted Gini: severity-like sample weights (1 for a pass, 1 + log2(1 + fail points) for a
// failure) and balanced class weights, the ModelPredictor's setting. Fitted once.
const wrng = createRng(11);
const weights = Float64Array.from(data.y, (l) => (l === 1 ? 1 + Math.log2(1 + 1 + wrng.nextInt(60)) : 1));
const tW = performance.now();
const weighted = new RandomForestClassifier({ ...SETTINGS, classWeight: 'balanced' }).fit(train, yTrain, weights.subarray(0, TRAIN));
const weightedS = (performance.now() - tW) / 1000;
const pw = weighted.predictProba(test);
const oursWeighted = { train_s: weightedS, auc: rocAuc(pw, yTest), brier: brierScore(pw, yTest) };

/** Writes the data for scikit-learn (under .tmp/: ~2 MB, not committed). */
function writeCsv(name: string, w: Float64Array | null): string {
  const path = join(root, '.tmp', name);
  mkdirSync(dirname(path), { recursive: true });
  const lines = [[...Array.from({ length: d }, (_, j) => `f${j}`), 'label', ...(w ? ['weight'] : []), 'split'].join(',')];
  for (let i = 0; i < N; i++) {
    const row: string[] = [];
    for (let j = 0; j < d; j++) row.push(String(data.X[i * d + j]));
    lines.push([...row, String(data.y[i]), ...(w ? [String(w[i])] : []), i < TRAIN ? 'train' : 'test'].join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

type Row = { train_s: number; auc: number; brier: number };
let sklearnNote = '';
const script = '/work/shared/tools/sklearn_rf_reference.py';
function runSklearn(csv: string, extra: string[]): Row | null {
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) {
    sklearnNote = 'scikit-learn reference not available (needs /usr/bin/python3 with scikit-learn)';
    return null;
  }
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      [script, csv, '--trees', '100', '--max-depth', '10', '--min-leaf', '3', '--min-split', '5', '--seed', '42', ...extra],
      { encoding: 'utf8' },
    );
    const kv = Object.fromEntries(
      out
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => l.split('=') as [string, string]),
    );
    return { train_s: Number(kv['train_s']), auc: Number(kv['auc']), brier: Number(kv['brier']) };
  } catch (e) {
    sklearnNote = `scikit-learn reference failed: ${(e as Error).message.split('\n')[0]}`;
    return null;
  }
}
const sklearn = runSklearn(writeCsv('forest-data.csv', null), []);
const sklearnWeighted = runSklearn(writeCsv('forest-data-weighted.csv', weights), ['--balanced']);

const fmt = (v: number | undefined, k = 4): string => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(k));
console.log(
  `forest bench: ${N} rows (${TRAIN} train / ${N - TRAIN} test) × ${d} features, ${((positives / N) * 100).toFixed(1)}% positives`,
);
console.log(`settings: ${JSON.stringify(SETTINGS)}; fit repeated ${REPS}×: ${times.map((t) => t.toFixed(3)).join(', ')} s`);
console.log('');
console.log('            train_s   auc      brier');
console.log(`ours        ${fmt(ours.train_s, 3).padEnd(9)} ${fmt(ours.auc)}   ${fmt(ours.brier)}`);
if (sklearn) console.log(`sklearn     ${fmt(sklearn.train_s, 3).padEnd(9)} ${fmt(sklearn.auc)}   ${fmt(sklearn.brier)}`);
else console.log(sklearnNote);
console.log('with severity-like sample weights and classWeight balanced (one fit; raw, uncalibrated probabilities):');
console.log(`ours        ${fmt(oursWeighted.train_s, 3).padEnd(9)} ${fmt(oursWeighted.auc)}   ${fmt(oursWeighted.brier)}`);
if (sklearnWeighted)
  console.log(`sklearn     ${fmt(sklearnWeighted.train_s, 3).padEnd(9)} ${fmt(sklearnWeighted.auc)}   ${fmt(sklearnWeighted.brier)}`);
const targets = {
  fit_median_le_0_35s: ours.train_s <= 0.35,
  fit_10000_rows_median_le_0_35s: fullMedian <= 0.35,
  auc_within_0_01_of_sklearn: sklearn ? Math.abs(ours.auc - sklearn.auc) <= 0.01 : null,
  weighted_auc_within_0_01_of_sklearn: sklearnWeighted ? Math.abs(oursWeighted.auc - sklearnWeighted.auc) <= 0.01 : null,
};
console.log(`ours: fit on all ${N} rows, median of ${REPS}: ${fullMedian.toFixed(3)} s`);
console.log(
  `ours: out-of-bag probabilities on first access ${oobS.toFixed(3)} s (${oobNaN} rows never out of bag); predicting ${N - TRAIN} rows ${predictS.toFixed(3)} s`,
);
console.log(`targets: ${JSON.stringify(targets)}`);

const result = {
  benchmark: 'forest',
  data: {
    rows: N,
    train: TRAIN,
    test: N - TRAIN,
    nFeatures: d,
    positiveRate: positives / N,
    generator: 'plantLikeData(10000, seed 7) in bench/forest.bench.ts',
    features: BENCH_FEATURES,
  },
  settings: SETTINGS,
  repetitions: REPS,
  ours,
  sklearn,
  weightedBalanced: {
    weights: 'pass 1, fail 1 + log2(1 + fail points), fail points 1..60 seeded',
    ours: oursWeighted,
    sklearn: sklearnWeighted,
  },
  sklearnNote: sklearnNote || undefined,
  targets,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'forest.json'), JSON.stringify(result, null, 2) + '\n');
