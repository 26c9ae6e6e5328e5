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
import { plantLikeData } from './forest-data.js';

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
const t0 = performance.now();
const p = forest!.predictProba(test);
const predictS = (performance.now() - t0) / 1000;
const ours = { train_s: median, train_s_all: times, predict_s: predictS, auc: rocAuc(p, yTest), brier: brierScore(p, yTest) };

// The same data for scikit-learn (written under .tmp/: ~2 MB, not committed).
const csvPath = join(root, '.tmp', 'forest-data.csv');
mkdirSync(dirname(csvPath), { recursive: true });
const lines = [[...Array.from({ length: d }, (_, j) => `f${j}`), 'label', 'split'].join(',')];
for (let i = 0; i < N; i++) {
  const row: string[] = [];
  for (let j = 0; j < d; j++) row.push(String(data.X[i * d + j]));
  lines.push([...row, String(data.y[i]), i < TRAIN ? 'train' : 'test'].join(','));
}
writeFileSync(csvPath, lines.join('\n') + '\n');

let sklearn: { train_s: number; auc: number; brier: number } | null = null;
let sklearnNote = '';
const script = '/work/shared/tools/sklearn_rf_reference.py';
if (existsSync('/usr/bin/python3') && existsSync(script)) {
  try {
    const out = execFileSync(
      '/usr/bin/python3',
      [script, csvPath, '--trees', '100', '--max-depth', '10', '--min-leaf', '3', '--min-split', '5', '--seed', '42'],
      { encoding: 'utf8' },
    );
    const kv = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=') as [string, string]));
    sklearn = { train_s: Number(kv['train_s']), auc: Number(kv['auc']), brier: Number(kv['brier']) };
  } catch (e) {
    sklearnNote = `scikit-learn reference failed: ${(e as Error).message.split('\n')[0]}`;
  }
} else {
  sklearnNote = 'scikit-learn reference not available (needs /usr/bin/python3 with scikit-learn)';
}

const fmt = (v: number | undefined, k = 4): string => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(k));
console.log(`forest bench: ${N} rows (${TRAIN} train / ${N - TRAIN} test) × ${d} features, ${(positives / N * 100).toFixed(1)}% positives`);
console.log(`settings: ${JSON.stringify(SETTINGS)}; fit repeated ${REPS}×: ${times.map((t) => t.toFixed(3)).join(', ')} s`);
console.log('');
console.log('            train_s   auc      brier');
console.log(`ours        ${fmt(ours.train_s, 3).padEnd(9)} ${fmt(ours.auc)}   ${fmt(ours.brier)}`);
if (sklearn) console.log(`sklearn     ${fmt(sklearn.train_s, 3).padEnd(9)} ${fmt(sklearn.auc)}   ${fmt(sklearn.brier)}`);
else console.log(sklearnNote);
const targets = {
  fit_median_le_0_35s: ours.train_s <= 0.35,
  auc_within_0_01_of_sklearn: sklearn ? Math.abs(ours.auc - sklearn.auc) <= 0.01 : null,
};
console.log(`targets: ${JSON.stringify(targets)}`);

const result = {
  benchmark: 'forest',
  data: { rows: N, train: TRAIN, test: N - TRAIN, features: d, positiveRate: positives / N, generator: 'bench/forest-data.ts plantLikeData(10000, seed 7)' },
  settings: SETTINGS,
  repetitions: REPS,
  ours,
  sklearn,
  sklearnNote: sklearnNote || undefined,
  targets,
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'forest.json'), JSON.stringify(result, null, 2) + '\n');
