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

interface M { model: string; isFt: Uint8Array; sigma: Float64Array; fail: Uint8Array; sevW: Float64Array; sevU: Float64Array; formula: Float64Array; evalSigma: number[]; evalFormula: number[]; evalFail: boolean[] }
const models: M[] = [];
for (const s of await repo.listModels()) {
  const recs = [];
  for await (const b of repo.readTrainingRecords(s.model)) recs.push(...b);
  const clean = cleanTrainingRecords(recs).records;
  const sg: number[] = [], fl: number[] = [], sw: number[] = [], fo: number[] = [], ift: number[] = [];
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
    sg.push(r.sigmaGradient!); fl.push(y); ift.push(ft !== null ? 1 : 0); fo.push(formulaThreshold(r));
    sw.push(severityWeight(y, y === 1 ? failPointsOf(r, src) : 0));
  }
  models.push({ model: s.model, isFt: Uint8Array.from(ift), sigma: Float64Array.from(sg), fail: Uint8Array.from(fl), sevW: Float64Array.from(sw), sevU: Float64Array.from(fl, () => 1), formula: Float64Array.from(fo), evalSigma: es, evalFormula: ef, evalFail: ey });
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
const sub = (m: M, ft: 0 | 1) => Int32Array.from([...m.isFt.keys()].filter((k) => m.isFt[k] === ft));
const evMix = models.map((m) => thresholdEvidence(m.sigma, m.fail, m.sevU, m.formula, objective, 200, 42));
const evFt = models.map((m) => thresholdEvidence(m.sigma, m.fail, m.sevU, m.formula, objective, 200, 42, sub(m, 1)));
const evTr = models.map((m) => thresholdEvidence(m.sigma, m.fail, m.sevU, m.formula, objective, 200, 42, sub(m, 0)));
{
  const prior = fitPlantPrior(evMix)!;
  judge('mixed labels', (_m, i) => (evMix[i] ? blendCut(evMix[i]!, prior).threshold : null));
}
{
  // FT only; the reference / covariate from all units
  const ev = evFt.map((e, i) => (evMix[i] ? { ...evMix[i]!, cut: e?.cut != null ? e.cut + Math.log(e.reference / evMix[i]!.reference) : null, variance: e?.variance ?? null } : null));
  const prior = fitPlantPrior(ev)!;
  console.log(`FT-only prior β0 ${prior.intercept.toFixed(3)} β1 ${prior.slope.toFixed(3)} τ² ${prior.tau2.toFixed(4)} M ${prior.models}`);
  judge('FT-only evidence', (_m, i) => (ev[i] ? blendCut(ev[i]!, prior).threshold : null));
  // combined: trim cut shifted by delta with extra variance
  const diffs: { d: number; v: number }[] = [];
  const ref = (e: ThresholdEvidence | null, i: number) => (e?.cut != null ? e.cut + Math.log(e.reference / evMix[i]!.reference) : null);
  models.forEach((_m, i) => {
    const a = ref(evFt[i]!, i), b = ref(evTr[i]!, i);
    if (a !== null && b !== null) diffs.push({ d: a - b, v: evFt[i]!.variance! + evTr[i]!.variance! });
  });
  // DerSimonian–Laird
  const w = diffs.map((x) => 1 / x.v);
  const sw = w.reduce((a, b) => a + b, 0);
  const mu0 = diffs.reduce((a, x, k) => a + w[k]! * x.d, 0) / sw;
  const Q = diffs.reduce((a, x, k) => a + w[k]! * (x.d - mu0) ** 2, 0);
  const tauD = Math.max(0, (Q - (diffs.length - 1)) / (sw - w.reduce((a, b) => a + b * b, 0) / sw));
  const ws = diffs.map((x) => 1 / (x.v + tauD));
  const delta = diffs.reduce((a, x, k) => a + ws[k]! * x.d, 0) / ws.reduce((a, b) => a + b, 0);
  console.log(`trim→FT offset δ ${delta.toFixed(3)} τ_δ² ${tauD.toFixed(4)} over ${diffs.length} models`);
  const evC = models.map((_m, i) => {
    if (!evMix[i]) return null;
    const a = ref(evFt[i]!, i), b = ref(evTr[i]!, i);
    const parts: { c: number; v: number }[] = [];
    if (a !== null) parts.push({ c: a, v: evFt[i]!.variance! });
    if (b !== null) parts.push({ c: b + delta, v: evTr[i]!.variance! + tauD });
    if (!parts.length) return { ...evMix[i]!, cut: null, variance: null };
    const P = parts.reduce((s2, p) => s2 + 1 / p.v, 0);
    return { ...evMix[i]!, cut: parts.reduce((s2, p) => s2 + p.c / p.v, 0) / P, variance: 1 / P };
  });
  const priorC = fitPlantPrior(evC)!;
  console.log(`combined prior β0 ${priorC.intercept.toFixed(3)} β1 ${priorC.slope.toFixed(3)} τ² ${priorC.tau2.toFixed(4)} M ${priorC.models}`);
  judge('FT + shifted trim evidence', (_m, i) => (evC[i] ? blendCut(evC[i]!, priorC).threshold : null));
}
if (process.env.FULL) for (const sevName of ['severity', 'unweighted'] as const) {
  const ev: (ThresholdEvidence | null)[] = models.map((m) => thresholdEvidence(m.sigma, m.fail, sevName === 'severity' ? m.sevW : m.sevU, m.formula, objective, 200, 42));
  for (const cov of [true, false]) {
    const prior = fitPlantPrior(ev, cov)!;
    console.log(`${sevName} cov=${cov}: β0 ${prior.intercept.toFixed(3)} β1 ${prior.slope.toFixed(3)} τ² ${prior.tau2.toFixed(4)} M ${prior.models}/${prior.modelsWithOutcomes}`);
    judge(`  blend ${sevName} cov=${cov}`, (_m, i) => (ev[i] ? blendCut(ev[i]!, prior).threshold : null));
    judge(`  plant-wide only ${sevName} cov=${cov}`, (_m, i) => (ev[i] ? blendCut({ ...ev[i]!, cut: null, variance: null }, prior).threshold : null));
  }
  judge(`  own only ${sevName}`, (_m, i) => (ev[i]?.cut != null ? ev[i]!.reference * Math.exp(ev[i]!.cut!) : null));
}
{
  // oracle: max BA over cuts on the eval units themselves; where the worse models stand
  const prior = fitPlantPrior(evMix)!;
  const gaps: string[] = [];
  let nearOpt = 0, tot = 0;
  models.forEach((m, i) => {
    if (m.evalSigma.length < 20 || !evMix[i]) return;
    const f = ba(m.evalSigma.map((s, k) => s > m.evalFormula[k]!), m.evalFail);
    const t = blendCut(evMix[i]!, prior).threshold;
    const l = ba(m.evalSigma.map((s) => s > t), m.evalFail);
    if (f === null || l === null) return;
    tot++;
    const sorted = [...new Set(m.evalSigma)].sort((a, b) => a - b);
    let best = 0;
    for (let k = 0; k < sorted.length - 1; k++) { const c = (sorted[k]! + sorted[k + 1]!) / 2; best = Math.max(best, ba(m.evalSigma.map((s) => s > c), m.evalFail)!); }
    if (best - f < 0.01) nearOpt++;
    if (l < f) gaps.push(`${m.model} n=${m.evalSigma.length} oracle ${best.toFixed(3)} formula ${f.toFixed(3)} learned ${l.toFixed(3)} w ${blendCut(evMix[i]!, prior).weight.toFixed(2)} ln(t/f) ${Math.log(t / m.evalFormula[0]!).toFixed(3)}`);
  });
  console.log(`formula within 0.01 of the in-sample oracle on ${nearOpt}/${tot}`);
  console.log(gaps.join('\n'));
}
for (const k of [0.5, 2, 4, 8]) {
  const ev = evMix.map((e) => (e && e.variance !== null ? { ...e, variance: e.variance * k } : e));
  const prior = fitPlantPrior(ev)!;
  judge(`variance x${k} (τ² ${prior.tau2.toFixed(4)})`, (_m, i) => (ev[i] ? blendCut(ev[i]!, prior).threshold : null));
}
