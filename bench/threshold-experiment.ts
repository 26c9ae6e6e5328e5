/**
 * Threshold experiment: per-model own cuts, the plant-wide Fay–Herriot prior and the blend, judged against the
 * generator's true Final Test outcomes of never-linked units (every model with >= 20 such units and both outcomes).
 * Usage: tsx bench/threshold-experiment.ts [--seed 2026] [--tracks 80000] [--models 300]
 */
import { parseArgs } from 'node:util';
import { cleanTrainingRecords } from '../src/core/dataset.js';
import { formulaThreshold } from '../src/core/formula.js';
import { failPointsOf, labelOf, severityWeight } from '../src/core/labels.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant, type SyntheticRun } from '../src/synthetic/index.js';
import { blendCut, fitPlantPrior, thresholdEvidence, type ThresholdEvidence } from '../src/threshold/plant-prior.js';

const { values } = parseArgs({ options: { seed: { type: 'string' }, tracks: { type: 'string' }, models: { type: 'string' }, scenario: { type: 'string' } } });
const seed = Number(values.seed ?? 2026);
const repo = createMemoryRepository();
const runTruth = new Map<number, SyntheticRun>();
await writePlant(repo, { seed, tracks: Number(values.tracks ?? 80000), models: Number(values.models ?? 300), ...(values.scenario ? { scenario: values.scenario } : {}) } as never, {
  onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)),
});

interface M { model: string; sigma: Float64Array; fail: Uint8Array; sevW: Float64Array; sevU: Float64Array; formula: Float64Array; evalSigma: number[]; evalFormula: number[]; evalFail: boolean[] }
const models: M[] = [];
for (const s of await repo.listModels()) {
  const recs = [];
  for await (const b of repo.readTrainingRecords(s.model)) recs.push(...b);
  const clean = cleanTrainingRecords(recs).records;
  const sg: number[] = [], fl: number[] = [], sw: number[] = [], fo: number[] = [];
  const es: number[] = [], ef: number[] = [], ey: boolean[] = [];
  for (const r of clean) {
    const ft = labelOf(r, 'final_test');
    const src = ft !== null ? 'final_test' : 'trim';
    const y = ft ?? labelOf(r, 'trim');
    const run = runTruth.get(r.trimResultId);
    const truth = run?.truth.tracks.find((x) => x.trackId === r.trackId);
    if (run && truth && run.truth.ftLink === 'none' && !run.truth.duplicate && run.truth.garbage === null) {
      es.push(r.sigmaGradient!); ef.push(formulaThreshold(r)); ey.push(!truth.ftPass);
    }
    if (y === null) continue;
    sg.push(r.sigmaGradient!); fl.push(y); fo.push(formulaThreshold(r));
    sw.push(severityWeight(y, y === 1 ? failPointsOf(r, src) : 0));
  }
  models.push({ model: s.model, sigma: Float64Array.from(sg), fail: Uint8Array.from(fl), sevW: Float64Array.from(sw), sevU: Float64Array.from(fl, () => 1), formula: Float64Array.from(fo), evalSigma: es, evalFormula: ef, evalFail: ey });
}

function ba(pred: boolean[], fail: boolean[]): number | null {
  let tp = 0, fn = 0, tn = 0, fp = 0;
  pred.forEach((rej, i) => { if (fail[i]) rej ? tp++ : fn++; else rej ? fp++ : tn++; });
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}
const objective = { costRatio: 1, normalization: 'class-totals' as const };
function judge(name: string, thr: (m: M, i: number) => number | null): void {
  let better = 0, same = 0, worse = 0, served = 0;
  models.forEach((m, i) => { if (thr(m, i) !== null) served++; });
  models.forEach((m, i) => {
    if (m.evalSigma.length < 20) return;
    const t = thr(m, i);
    const f = ba(m.evalSigma.map((s, k) => s > m.evalFormula[k]!), m.evalFail);
    const l = t === null ? f : ba(m.evalSigma.map((s) => s > t), m.evalFail);
    if (f === null || l === null) return;
    if (l > f + 1e-12) better++; else if (l < f - 1e-12) worse++; else same++;
  });
  const tot = better + same + worse;
  console.log(`${name.padEnd(40)} better ${better}/${tot} = ${(100 * better / tot).toFixed(1)}%  same ${same}  worse ${worse} = ${(100 * worse / tot).toFixed(1)}%  served ${served}/${models.length}`);
}
for (const sevName of ['severity', 'unweighted'] as const) {
  const ev: (ThresholdEvidence | null)[] = models.map((m) => thresholdEvidence(m.sigma, m.fail, sevName === 'severity' ? m.sevW : m.sevU, m.formula, objective, 200, 42));
  for (const cov of [true, false]) {
    const prior = fitPlantPrior(ev, cov)!;
    console.log(`${sevName} cov=${cov}: β0 ${prior.intercept.toFixed(3)} β1 ${prior.slope.toFixed(3)} τ² ${prior.tau2.toFixed(4)} M ${prior.models}/${prior.modelsWithOutcomes}`);
    judge(`  blend ${sevName} cov=${cov}`, (_m, i) => (ev[i] ? blendCut(ev[i]!, prior).threshold : null));
    judge(`  plant-wide only ${sevName} cov=${cov}`, (_m, i) => (ev[i] ? blendCut({ ...ev[i]!, cut: null, variance: null }, prior).threshold : null));
  }
  judge(`  own only ${sevName}`, (_m, i) => (ev[i]?.cut != null ? ev[i]!.reference * Math.exp(ev[i]!.cut!) : null));
}
