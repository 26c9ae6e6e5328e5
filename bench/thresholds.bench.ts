/**
 * Learned thresholds against the plant formula, as issue 11 judges them (`npx tsx bench/thresholds.bench.ts`).
 *
 * Train-all + apply with default options on a generated plant; then, over **every** model with ≥ 20 units whose
 * Final Test the library never saw (never linked, no garbage, no duplicates) and both true FT outcomes among them:
 * balanced accuracy (fail = positive) of `sigma > stored sigma_threshold` against `sigma > formula` → better / same /
 * worse. Coverage: the share of all models whose threshold is learned (own, blended or plant-wide), from the status
 * table. Usage: tsx bench/thresholds.bench.ts [--seed 2026] [--tracks 80000] [--models 300] [--scenario name]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formulaThreshold } from '../src/core/formula.js';
import { MLManager } from '../src/manager/ml-manager.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant, type SyntheticRun } from '../src/synthetic/index.js';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, tracks: { type: 'string' }, models: { type: 'string' }, scenario: { type: 'string' } },
});
const seed = Number(values.seed ?? 2026);
const repo = createMemoryRepository();
const runTruth = new Map<number, SyntheticRun>();
const plantOptions = {
  seed,
  tracks: Number(values.tracks ?? 80_000),
  models: Number(values.models ?? 300),
  ...(values.scenario ? { scenario: values.scenario } : {}),
};
await writePlant(repo, plantOptions as Parameters<typeof writePlant>[1], {
  onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)),
});
const ml = new MLManager(repo, { seed: 42 });
const t0 = Date.now();
await ml.trainAllModels();
const trainMs = Date.now() - t0;
const t1 = Date.now();
await ml.applyToDatabase();
const applyMs = Date.now() - t1;

function balancedAccuracy(pred: boolean[], fail: boolean[]): number | null {
  let tp = 0,
    fn = 0,
    tn = 0,
    fp = 0;
  pred.forEach((rejected, i) => {
    if (fail[i]) rejected ? tp++ : fn++;
    else rejected ? fp++ : tn++;
  });
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}

const status = await ml.getTrainingStatus();
const sourceOf = new Map(status.rows.map((r) => [r.model, r]));
const rows: {
  model: string;
  n: number;
  source: string;
  weight: number | null;
  learned: number;
  formula: number;
  verdict: 'better' | 'same' | 'worse';
}[] = [];
for (const m of await repo.listModels()) {
  const threshold = await ml.getThreshold(m.model);
  const sigma: number[] = [],
    formula: number[] = [],
    fail: boolean[] = [];
  for await (const batch of repo.readTracksForApply(m.model)) {
    for (const t of batch) {
      const run = runTruth.get(t.trimResultId);
      const truth = run?.truth.tracks.find((x) => x.trackId === t.trackId);
      if (!run || !truth || run.truth.ftLink !== 'none' || run.truth.garbage !== null || run.truth.duplicate) continue;
      if (t.sigmaGradient === null || !(t.sigmaGradient > 0) || t.sigmaGradient === 999.999) continue;
      sigma.push(t.sigmaGradient);
      formula.push(formulaThreshold(t));
      fail.push(!truth.ftPass);
    }
  }
  if (sigma.length < 20) continue;
  const f = balancedAccuracy(
    sigma.map((s, i) => s > formula[i]!),
    fail,
  );
  const l =
    threshold === undefined
      ? f
      : balancedAccuracy(
          sigma.map((s) => s > threshold),
          fail,
        );
  if (f === null || l === null) continue;
  const st = sourceOf.get(m.model);
  rows.push({
    model: m.model,
    n: sigma.length,
    source: st?.thresholdSource ?? (threshold !== undefined ? 'own' : 'formula'),
    weight: st?.thresholdWeight ?? null,
    learned: l,
    formula: f,
    verdict: l > f + 1e-12 ? 'better' : l < f - 1e-12 ? 'worse' : 'same',
  });
}
const count = (v: string, src?: string) => rows.filter((r) => r.verdict === v && (src === undefined || r.source === src)).length;
const sourceName = (r: (typeof status.rows)[number]): string => r.thresholdSource ?? (r.sigmaThreshold !== null ? 'own' : 'formula');
const served = status.rows.filter((r) => sourceName(r) !== 'formula').length;
const bySource = ['own', 'blended', 'plant_wide', 'formula'].map((s) => ({
  source: s,
  models: status.rows.filter((r) => sourceName(r) === s).length,
  judged: rows.filter((r) => r.source === s).length,
  better: count('better', s),
  same: count('same', s),
  worse: count('worse', s),
}));
const summary = {
  seed,
  scenario: values.scenario ?? 'default',
  trainMs,
  applyMs,
  judged: rows.length,
  better: count('better'),
  same: count('same'),
  worse: count('worse'),
  betterShare: count('better') / rows.length,
  worseShare: count('worse') / rows.length,
  models: status.rows.length,
  served,
  servedShare: served / status.rows.length,
  bySource,
};
console.log(`seed ${seed} (${summary.scenario}): train ${(trainMs / 1000).toFixed(1)} s, apply ${(applyMs / 1000).toFixed(1)} s`);
console.log(
  `thresholds vs formula over ${rows.length} models (>= 20 never-linked units, both outcomes): better ${summary.better} (${(100 * summary.betterShare).toFixed(1)}%), same ${summary.same}, worse ${summary.worse} (${(100 * summary.worseShare).toFixed(1)}%)   bars: >= 85%, <= 5%`,
);
console.log(
  `models served by a learned threshold: ${served}/${status.rows.length} = ${(100 * summary.servedShare).toFixed(1)}%   bar: >= 95%`,
);
for (const s of bySource)
  console.log(
    `  ${s.source.padEnd(10)} ${String(s.models).padStart(4)} models; judged ${s.judged}: better ${s.better}, same ${s.same}, worse ${s.worse}`,
  );
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/thresholds-${summary.scenario}-${seed}.json`, `${JSON.stringify({ ...summary, rows }, null, 2)}\n`);
