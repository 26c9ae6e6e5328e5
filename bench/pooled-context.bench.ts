/**
 * The pooled forest against scikit-learn's HistGradientBoostingClassifier on the same plant (`tsx
 * bench/pooled-context.bench.ts --seed 7`): train-all + apply with default options, then the failure probability's ROC
 * AUC and Brier score on never-linked units (their true Final Test outcome from the generator), the same for HGB
 * trained on the pooled forest's training rows (every model's FT-linked units) with (a) the track features only and
 * (b) the track and context features (the context columns out of fold, as the pooled forest trains on them), scored on
 * the never-linked units' apply-time features, and the pooled forest alone on them. HGB runs through Debian's python3-sklearn
 * (bench/pooled-context-reference.py); without it the HGB lines are skipped with a note.
 *
 * Usage: tsx bench/pooled-context.bench.ts [--scenario realistic|classic] [--seed 2026] [--tracks 80000] [--models 300] [--drift-fraction 0.3]
 *   [--out bench/results/pooled-context.json]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cleanTrainingRecords } from '../src/core/dataset.js';
import { exclusionReason } from '../src/core/features.js';
import type { TrainingRecord, TrimTrack } from '../src/core/types.js';
import { parseComponents } from '../src/manager/components-state.js';
import { MLManager } from '../src/manager/ml-manager.js';
import { finalTestHistory } from '../src/manager/pooled/pooled-context.js';
import {
  POOLED_FEATURE_NAMES,
  POOLED_V1_FEATURE_COUNT,
  medianLogSigma,
  medianOf,
  resistanceChangeOf,
} from '../src/manager/pooled/pooled-features.js';
import { PooledRows, fillContextColumns, loadPooledModel } from '../src/manager/pooled/pooled.js';
import { brierScore, rocAuc } from '../src/predictor/metrics.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant, type SyntheticRun, type SyntheticScenario } from '../src/synthetic/index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    tracks: { type: 'string' },
    models: { type: 'string' },
    out: { type: 'string' },
    'drift-fraction': { type: 'string' },
    scenario: { type: 'string' },
  },
});
const seed = Number(values.seed ?? 2026);
const tracks = Number(values.tracks ?? 80_000);
const models = Number(values.models ?? 300);
const driftFraction = Number(values['drift-fraction'] ?? 0.3);
const scenario = (values.scenario ?? 'realistic') as SyntheticScenario;
const MANAGER_SEED = 42;

const repo = createMemoryRepository();
const runTruth = new Map<number, SyntheticRun>();
// The plant of bench/quality.bench.ts (a third of the eligible models drift).
await writePlant(
  repo,
  { seed, scenario, tracks, models, driftModelFraction: driftFraction },
  { onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)) },
);
const ml = new MLManager(repo, { seed: MANAGER_SEED });
const t0 = performance.now();
await ml.trainAllModels();
const trainMs = performance.now() - t0;
const t1 = performance.now();
const applied = await ml.applyToDatabase();
const applyMs = performance.now() - t1;

// Training rows of the pooled forest, as train-all builds them (context columns out of fold).
const rows = new PooledRows(MANAGER_SEED);
for (const m of await repo.listModels()) {
  const recs: TrainingRecord[] = [];
  for await (const b of repo.readTrainingRecords(m.model)) recs.push(...b);
  const clean = cleanTrainingRecords(recs).records;
  const med = medianLogSigma(clean.map((r) => r.sigmaGradient));
  if (med === null) continue;
  rows.add(
    m.model,
    {
      medianLogSigma: med,
      samples: clean.length,
      medianResistanceChange: medianOf(clean.map(resistanceChangeOf)),
      finalTest: finalTestHistory(clean),
    },
    clean,
  );
}
const view = rows.view();
const trainX = Float64Array.from(view.data);
fillContextColumns(rows, trainX);
const D = POOLED_FEATURE_NAMES.length;

// Never-linked usable units: the library's probability, and the pooled features as apply computes them.
const pooled = await loadPooledModel(repo);
if (!pooled) throw new Error('no pooled forest');
const states = new Map((await repo.listModelStates()).map((s) => [s.model, s]));
const y: number[] = [];
const p: number[] = [];
const testX: number[] = [];
for (const m of await repo.listModels()) {
  const st = states.get(m.model);
  const ctx = st ? parseComponents(st.componentsJson, m.model).context : null;
  const scorer = ctx ? pooled.scorer(m.model, ctx) : null;
  for await (const batch of repo.readTracksForApply(m.model)) {
    const keep: TrimTrack[] = [];
    const labels: number[] = [];
    const probs: number[] = [];
    for (const t of batch) {
      const run = runTruth.get(t.trimResultId);
      const truth = run?.truth.tracks.find((x) => x.trackId === t.trackId);
      const res = repo.trackResults(t.trackResultId);
      if (
        !run ||
        !truth ||
        !res ||
        run.truth.ftLink !== 'none' ||
        run.truth.superseded ||
        run.truth.duplicate ||
        run.truth.garbage !== null
      )
        continue;
      if (res.failureProbability === null || exclusionReason(t) !== null) continue;
      keep.push(t);
      labels.push(truth.ftPass ? 0 : 1);
      probs.push(res.failureProbability);
    }
    if (keep.length === 0) continue;
    if (!scorer) throw new Error(`model ${m.model} scored without a context`);
    const f = scorer.features(keep);
    for (let i = 0; i < keep.length; i++) for (let j = 0; j < D; j++) testX.push(f.data[i * D + j]!);
    y.push(...labels);
    p.push(...probs);
  }
}
const lib = { auc: rocAuc(p, y), brier: brierScore(p, y), n: y.length, failures: y.reduce((a, b) => a + b, 0) };
// The pooled forest alone on the same units (where a model's own forest serves, the library's figure is the own one).
const pooledOnly = Array.from(pooled.predictor.predictMany(Float64Array.from(testX)));
const pooledAlone = { auc: rocAuc(pooledOnly, y), brier: brierScore(pooledOnly, y) };

// CSV for the HGB reference.
mkdirSync('bench/results', { recursive: true });
const csv = `/tmp/pooled-context-${seed}-${process.pid}.csv`;
const lines = [[...POOLED_FEATURE_NAMES, 'label', 'split', 'severity'].join(',')];
for (let i = 0; i < rows.rows; i++)
  lines.push(`${Array.from(trainX.subarray(i * D, (i + 1) * D)).join(',')},${view.labels[i]},train,${view.severity[i]}`);
for (let i = 0; i < y.length; i++) lines.push(`${testX.slice(i * D, (i + 1) * D).join(',')},${y[i]},test,1`);
writeFileSync(csv, `${lines.join('\n')}\n`);
const hgb: Record<string, { auc: number; brier: number } | string> = {};
for (const [name, cols] of [
  ['track', POOLED_FEATURE_NAMES.slice(0, POOLED_V1_FEATURE_COUNT)],
  ['track+context', POOLED_FEATURE_NAMES],
] as const) {
  try {
    const out = execFileSync('/usr/bin/python3', ['bench/pooled-context-reference.py', csv, cols.join(',')], { encoding: 'utf8' });
    const kv = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    hgb[name] = { auc: Number(kv['auc']), brier: Number(kv['brier']) };
  } catch (e) {
    hgb[name] = `skipped: ${(e as Error).message.split('\n')[0]}`;
  }
}
const f4 = (x: number) => x.toFixed(4);
console.log(
  `${scenario} seed ${seed}: ${applied.tracks} tracks, ${rows.rows} FT rows; never-linked units n=${lib.n} (${lib.failures} failed); train ${(trainMs / 1000).toFixed(2)} s, apply ${(applyMs / 1000).toFixed(2)} s`,
);
console.log(
  `library          AUC ${f4(lib.auc)}  Brier ${f4(lib.brier)}  probability on ${f4(applied.probabilityTracks / applied.tracks)} of tracks`,
);
console.log(`pooled alone     AUC ${f4(pooledAlone.auc)}  Brier ${f4(pooledAlone.brier)}`);
for (const [k, v] of Object.entries(hgb))
  console.log(`HGB ${k.padEnd(14)}${typeof v === 'string' ? v : `AUC ${f4(v.auc)}  Brier ${f4(v.brier)}`}`);
writeFileSync(
  values.out ?? 'bench/results/pooled-context.json',
  `${JSON.stringify({ seed, tracks: applied.tracks, trainMs, applyMs, coverage: applied.probabilityTracks / applied.tracks, library: lib, pooledAlone, hgb }, null, 2)}\n`,
);
