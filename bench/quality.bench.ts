/**
 * Learning quality against the generator's ground truth (`npm run bench:quality`).
 *
 * The generator knows what a real plant never does: the Final Test outcome of every unit (also never-linked ones)
 * and where drift was injected. On a plant generated with a seed the library was never tuned on, this trains and
 * applies, then reports the design's success metrics with two baselines computed in the same run:
 * - failure_probability: ROC AUC and Brier score on tracks whose Final Test was never linked, against the trim
 *   `linearity_error / linearity_spec` ratio used as the score;
 * - thresholds: per model with a learned threshold, balanced accuracy of `sigma ≤ threshold` as a predictor of the
 *   true Final Test outcome (fail = positive) on its never-linked units, against the plant formula on the same units;
 * - drift: injected shifts caught (right direction; delay in samples after onset), by shift size and samples after
 *   onset; stable models flagged at any time over their whole history;
 * - coverage: the share of tracks that got a probability.
 *
 * Usage: tsx bench/quality.bench.ts [--seed 2026] [--tracks 80000] [--models 300] [--drift-fraction 0.3]
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { extractFeatures } from '../src/core/features.js';
import { formulaThreshold } from '../src/core/formula.js';
import type { TrimTrack } from '../src/core/types.js';
import { MLManager } from '../src/manager/ml-manager.js';
import { brierScore, rocAuc } from '../src/predictor/metrics.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant, type SyntheticRun, type SyntheticTrackTruth } from '../src/synthetic/index.js';
import { machineInfo } from './machine.js';

const { values } = parseArgs({ options: { seed: { type: 'string' }, tracks: { type: 'string' }, models: { type: 'string' }, 'drift-fraction': { type: 'string' } } });
const seed = Number(values.seed ?? 2026);
const tracks = Number(values.tracks ?? 80_000);
const models = Number(values.models ?? 300);
const driftFraction = Number(values['drift-fraction'] ?? 0.3);

const repo = createMemoryRepository();
const runTruth = new Map<number, SyntheticRun>();
// A third of the eligible models get a drift (the default is a tenth), so that the drift figures rest on dozens of
// injected shifts rather than a handful.
const written = await writePlant(repo, { seed, tracks, models, driftModelFraction: driftFraction }, { onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)) });
const ml = new MLManager(repo, { seed: 42 });
const t0 = Date.now();
const trained = await ml.trainAllModels();
const trainMs = Date.now() - t0;
const t1 = Date.now();
const applied = await ml.applyToDatabase();
const applyMs = Date.now() - t1;

// Join every stored track with its truth.
interface Row {
  track: TrimTrack;
  truth: SyntheticTrackTruth;
  linked: boolean;
  p: number | null;
  threshold: number;
}
const rows: Row[] = [];
const byModel = new Map<string, Row[]>();
for (const m of await repo.listModels()) {
  for await (const batch of repo.readTracksForApply(m.model)) {
    for (const t of batch) {
      const run = runTruth.get(t.trimResultId);
      const truth = run?.truth.tracks.find((x) => x.trackId === t.trackId);
      const res = repo.trackResults(t.trackResultId);
      if (!run || !truth || !res) continue;
      const row: Row = { track: t, truth, linked: run.truth.ftLink !== 'none', p: res.failureProbability, threshold: res.sigmaThreshold };
      rows.push(row);
      const list = byModel.get(t.model) ?? [];
      list.push(row);
      byModel.set(t.model, list);
    }
  }
}

// 1. failure_probability on never-linked units with a usable trim record (not duplicates/garbage).
const unlinked = rows.filter((r) => !r.linked && r.p !== null && !run(r).truth.duplicate && run(r).truth.garbage === null);
function run(r: Row): SyntheticRun {
  return runTruth.get(r.track.trimResultId)!;
}
const yU = unlinked.map((r) => (r.truth.ftPass ? 0 : 1));
const pU = unlinked.map((r) => r.p!);
const ratioRows = unlinked.filter((r) => extractFeatures(r.track).error_to_spec_ratio !== null);
const ratioAuc = rocAuc(
  ratioRows.map((r) => extractFeatures(r.track).error_to_spec_ratio!),
  ratioRows.map((r) => (r.truth.ftPass ? 0 : 1)),
);
const oracleAuc = rocAuc(unlinked.map((r) => r.truth.ftFailProbability), yU);
const probability = { n: unlinked.length, failures: yU.reduce<number>((s, v) => s + v, 0), auc: rocAuc(pU, yU), brier: brierScore(pU, yU), ratioAuc, oracleAuc, oracleBrier: brierScore(unlinked.map((r) => r.truth.ftFailProbability), yU) };

// 2. Learned threshold vs formula, per model with a learned threshold, on all its usable units.
function balancedAccuracy(pred: boolean[], fail: boolean[]): number | null {
  let tp = 0, fn = 0, tn = 0, fp = 0;
  pred.forEach((rejected, i) => {
    if (fail[i]) rejected ? tp++ : fn++;
    else rejected ? fp++ : tn++;
  });
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}
const thresholdRows: { model: string; n: number; learned: number; formula: number }[] = [];
for (const [model, list] of byModel) {
  const learned = await ml.getThreshold(model);
  if (learned === undefined) continue;
  // Only units whose Final Test outcome the training never saw (never linked), so the learned threshold is not scored
  // on its own training labels.
  const usable = list.filter(
    (r) => !r.linked && r.track.sigmaGradient !== null && r.track.sigmaGradient > 0 && r.track.sigmaGradient !== 999.999 && run(r).truth.garbage === null && !run(r).truth.duplicate,
  );
  const fail = usable.map((r) => !r.truth.ftPass);
  const l = balancedAccuracy(usable.map((r) => r.track.sigmaGradient! > learned), fail);
  const f = balancedAccuracy(usable.map((r) => r.track.sigmaGradient! > formulaThreshold(r.track)), fail);
  if (l !== null && f !== null) thresholdRows.push({ model, n: usable.length, learned: l, formula: f });
}
const better = thresholdRows.filter((r) => r.learned > r.formula).length;
const threshold = {
  models: thresholdRows.length,
  betterThanFormula: better,
  share: thresholdRows.length ? better / thresholdRows.length : null,
  medianLearned: median(thresholdRows.map((r) => r.learned)),
  medianFormula: median(thresholdRows.map((r) => r.formula)),
};
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

// 3. Drift.
const alerts = await ml.getDriftAlerts();
const driftTruth = new Map(written.summary.drifts.map((d) => [d.model, d]));
const states = new Map((await repo.listModelStates()).map((s) => [s.model, s]));
const monitored = [...states.values()].filter((s) => s.driftBaselineMean !== null).map((s) => s.model);
const driftRows = written.summary.drifts.map((d) => {
  const list = (byModel.get(d.model) ?? []).filter((r) => run(r).truth.garbage === null && !run(r).truth.duplicate).sort((a, b) => a.track.fileDate.getTime() - b.track.fileDate.getTime());
  const hits = alerts
    .filter((a) => a.model === d.model && a.direction === d.direction && a.detectedDate.getTime() >= d.onsetDate.getTime())
    .sort((a, b) => a.detectedDate.getTime() - b.detectedDate.getTime());
  const hit = hits[0];
  const delay = hit ? list.filter((r) => r.track.fileDate >= d.onsetDate && r.track.fileDate <= hit.detectedDate).length : null;
  const falseBefore = alerts.some((a) => a.model === d.model && a.detectedDate.getTime() < d.onsetDate.getTime());
  return { model: d.model, size: d.sizeSigma, direction: d.direction, after: d.unitsAfter, monitored: monitored.includes(d.model), caught: hit !== undefined, delay, within50: delay !== null && delay <= 50, falseBefore };
});
const stable = monitored.filter((m) => !driftTruth.has(m));
const stableFlagged = stable.filter((m) => alerts.some((a) => a.model === m));
const groups = new Map<string, typeof driftRows>();
for (const r of driftRows) {
  const key = `${r.size}σ, ${r.after >= 100 ? '≥100' : '<100'} after onset`;
  groups.set(key, [...(groups.get(key) ?? []), r]);
}
const drift = {
  injected: driftRows.length,
  byGroup: [...groups.entries()].sort().map(([key, rs]) => ({
    group: key,
    models: rs.length,
    monitored: rs.filter((r) => r.monitored).length,
    caught: rs.filter((r) => r.caught).length,
    within50: rs.filter((r) => r.within50).length,
    medianDelay: median(rs.filter((r) => r.delay !== null).map((r) => r.delay!)),
  })),
  stableMonitored: stable.length,
  stableFlagged: stableFlagged.length,
  stableFlaggedShare: stable.length ? stableFlagged.length / stable.length : null,
  stableFlaggedModels: stableFlagged.map((m) => {
    const list = byModel.get(m) ?? [];
    return {
      model: m,
      tracks: list.length,
      dualTrack: list.some((r) => r.track.trackId !== 'default'),
      alerts: alerts.filter((a) => a.model === m).map((a) => ({ direction: a.direction, onset: a.onsetDate.toISOString().slice(0, 10), detected: a.detectedDate.toISOString().slice(0, 10), sizeSigma: Number(a.sizeSigma.toFixed(2)), statistic: a.statistic })),
    };
  }),
};
const big = driftRows.filter((r) => r.size >= 1 && r.after >= 100);
const coverage = { tracks: applied.tracks, withProbability: applied.probabilityTracks, share: applied.probabilityTracks / applied.tracks };

const targets = {
  aucAtLeast093: probability.auc >= 0.93,
  beatsRatio: probability.auc > ratioAuc,
  thresholdBetterOn80pct: (threshold.share ?? 0) >= 0.8,
  drift1SigmaCaught90pctWithin50: big.length > 0 && big.filter((r) => r.within50).length / big.length >= 0.9,
  stableFlaggedAtMost3pct: (drift.stableFlaggedShare ?? 0) <= 0.03,
  probabilityCoverage95pct: coverage.share >= 0.95,
};

const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '-' : x.toFixed(d));
console.log(`\nQuality on a fresh plant (seed ${seed}): ${written.tracksWritten} tracks, ${models} models; train ${(trainMs / 1000).toFixed(1)} s, apply ${(applyMs / 1000).toFixed(1)} s`);
console.log(`Trained ${trained.trained}, skipped ${trained.skipped}, failed ${trained.failed}; pooled forest on ${trained.pooled?.samples} FT units (OOB AUC ${f(trained.pooled?.auc)})\n`);
console.log('metric                                              ML        baseline   target');
console.log(`failure_probability AUC, never-linked units (n=${probability.n})`.padEnd(52) + `${f(probability.auc)}     ${f(ratioAuc)} (error/spec)   ≥ 0.93 (oracle ${f(oracleAuc)})`);
console.log('failure_probability Brier'.padEnd(52) + `${f(probability.brier)}     -          (oracle ${f(probability.oracleBrier)})`);
console.log(`learned threshold beats formula, never-linked units (${threshold.models} models)`.padEnd(52) + `${f(threshold.share)}     -          ≥ 0.80`);
console.log('median balanced accuracy, learned vs formula'.padEnd(52) + `${f(threshold.medianLearned)}     ${f(threshold.medianFormula)} (formula)`);
for (const g of drift.byGroup) console.log(`drift ${g.group}: caught ${g.caught}/${g.models} (monitored ${g.monitored}), within 50: ${g.within50}, median delay ${f(g.medianDelay, 0)}`);
console.log(`stable models flagged over their whole history`.padEnd(52) + `${drift.stableFlagged}/${drift.stableMonitored} = ${f(drift.stableFlaggedShare)}   ≤ 0.03`);
console.log('tracks with a probability'.padEnd(52) + `${f(coverage.share)}                ≥ 0.95`);
console.log('\ntargets:', targets);

mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/quality.json',
  `${JSON.stringify({ machine: machineInfo(), seed, driftFraction, tracks: written.tracksWritten, models, trainMs, applyMs, probability, threshold, drift, driftRows, coverage, targets }, null, 2)}\n`,
);
