/**
 * The threshold decision as train-all makes it, judged as `bench:quality` judges it, fast enough to compare decision
 * rules: the plant is written once per (scenario, seed) and each model's threshold data (exactly `thresholdDataOf`
 * over its clean training records, seed 42) and its judging units (never-linked, clean, with their true Final Test)
 * are cached in /tmp. Then the plant-wide prior is fitted and every model's threshold learned with
 * `ModelThresholdOptimizer.calculateThreshold(data, prior, evidence)`; better / same / worse than the formula by
 * balanced accuracy on the judging units, for every model with >= 20 units and both true outcomes.
 *
 * Per model it also dumps an out-of-fold (5-fold, stratified) paired comparison of the blended cut with the formula on
 * the model's own labelled units and on its FT-linked ones (the candidate "formula measurably better" rules of
 * docs/thresholds.md section 6) and the expected balanced accuracy of both under the true FT probabilities.
 * THR_SPIKE=mean|map: a spike-and-slab prior (the true cut is the formula with probability π, fitted by marginal
 * likelihood), posterior-mean cut or formula where the spike is more probable.
 * It trains no pooled forest, so it measures the label-only threshold (no `failProbability`).
 *
 * Usage: tsx bench/threshold-decision.ts [--scenario realistic] [--seeds 101,102,103] [--dump out.json]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cleanTrainingRecords } from '../src/core/dataset.js';
import { exclusionReason } from '../src/core/features.js';
import { formulaThreshold } from '../src/core/formula.js';
import { labelOf } from '../src/core/labels.js';
import { thresholdDataOf } from '../src/manager/train/train-model.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant, type SyntheticPlantOptions, type SyntheticRun, type SyntheticScenario } from '../src/synthetic/index.js';
import { fitPlantPrior, ModelThresholdOptimizer, type ThresholdData } from '../src/threshold/index.js';
import { blendCut, thresholdEvidence } from '../src/threshold/plant-prior.js';

import { createRng } from '../src/core/rng.js';

/** Out-of-fold paired BA difference (formula − learned) over all labelled units and over the FT-linked ones. */
function oof(
  m: CachedModel,
  dd: ThresholdData,
  prior: NonNullable<ReturnType<typeof fitPlantPrior>>,
  evAll: NonNullable<ReturnType<typeof thresholdEvidence>>,
  K: number,
  seed: number,
) {
  const n = m.sigma.length;
  const rng = createRng(seed);
  const fold = new Int32Array(n);
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (m.fail[i] === cls) idx.push(i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    idx.forEach((u, k) => (fold[u] = k % K));
  }
  const tOof = new Float64Array(n);
  const sev = new Float64Array(n).fill(1);
  for (let k = 0; k < K; k++) {
    const train = Int32Array.from([...Array(n).keys()].filter((i) => fold[i] !== k));
    const e = thresholdEvidence(
      dd.sigma,
      dd.fail,
      sev,
      dd.formulaThreshold,
      { costRatio: 1, normalization: 'class-totals' },
      200,
      42,
      train,
      evAll,
    );
    const t = e === null ? Number.NaN : blendCut(e, prior).threshold;
    for (let i = 0; i < n; i++) if (fold[i] === k) tOof[i] = t;
  }
  const stat = (units: number[]) => {
    let nf = 0;
    for (const i of units) nf += m.fail[i]!;
    if (nf === 0 || nf === units.length) return null;
    // per-unit learned threshold: evaluate d with a per-unit 'learned' array
    const acc = [
      { n: 0, sum: 0, dis: 0 },
      { n: 0, sum: 0, dis: 0 },
    ];
    for (const i of units) {
      const d = (m.sigma[i]! > tOof[i]! ? 1 : 0) - (m.sigma[i]! > m.formula[i]! ? 1 : 0);
      const a = acc[m.fail[i]!]!;
      a.n++;
      a.sum += d;
      if (d) a.dis++;
    }
    const [p, f] = acc as [(typeof acc)[0], (typeof acc)[0]];
    return {
      adv: -0.5 * (f.sum / f.n - p.sum / p.n),
      se: 0.5 * Math.sqrt((f.dis + 1) / (f.n + 2) / f.n + (p.dis + 1) / (p.n + 2) / p.n),
      nf: f.n,
      np: p.n,
      disF: f.dis,
      disP: p.dis,
    };
  };
  const all = [...Array(n).keys()];
  return { all: stat(all), ft: stat(all.filter((i) => m.isFt[i])) };
}

const { values } = parseArgs({ options: { scenario: { type: 'string' }, seeds: { type: 'string' }, dump: { type: 'string' } } });
const scenario = (values.scenario ?? 'realistic') as SyntheticScenario;
const seeds = (values.seeds ?? '101').split(',').map(Number);

interface CachedModel {
  model: string;
  units: number;
  sigma: number[];
  fail: number[];
  failPoints: number[];
  formula: number[];
  dates: number[];
  isFt: number[];
  evalSigma: number[];
  evalFormula: number[];
  evalFail: number[];
  allS: number[];
  allF: number[];
  allP: number[];
}

async function load(seed: number): Promise<CachedModel[]> {
  const path = `/tmp/thr-cache2-${scenario}-${seed}.json`;
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as CachedModel[];
  const options: SyntheticPlantOptions = { seed, scenario, tracks: 80_000, models: 300, driftModelFraction: 0.3 };
  const repo = createMemoryRepository();
  const runTruth = new Map<number, SyntheticRun>();
  await writePlant(repo, options, { onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)) });
  const out: CachedModel[] = [];
  for (const m of await repo.listModels()) {
    const recs = [];
    for await (const b of repo.readTrainingRecords(m.model)) recs.push(...b);
    const clean = cleanTrainingRecords(recs).records;
    const d = thresholdDataOf(clean, (r) => formulaThreshold(r), 'final_test');
    const isFt: number[] = [];
    for (const r of clean) {
      const ft = labelOf(r, 'final_test');
      if ((ft ?? labelOf(r, 'trim')) !== null) isFt.push(ft !== null ? 1 : 0);
    }
    const es: number[] = [],
      ef: number[] = [],
      ey: number[] = [];
    const unitSet = new Set<number>();
    const allS: number[] = [],
      allF: number[] = [],
      allP: number[] = [];
    for await (const batch of repo.readTracksForApply(m.model)) {
      for (const t of batch) {
        const run = runTruth.get(t.trimResultId);
        const truth = run?.truth.tracks.find((x) => x.trackId === t.trackId);
        if (!run || !truth) continue;
        const ok = exclusionReason(t) === null && run.truth.garbage === null && !run.truth.duplicate;
        if (!ok) continue;
        unitSet.add(run.truth.unitIndex);
        allS.push(t.sigmaGradient as number);
        allF.push(formulaThreshold(t));
        allP.push(truth.ftFailProbability);
        if (run.truth.ftLink === 'none' && !run.truth.superseded) {
          es.push(t.sigmaGradient as number);
          ef.push(formulaThreshold(t));
          ey.push(truth.ftPass ? 0 : 1);
        }
      }
    }
    out.push({
      model: m.model,
      units: unitSet.size,
      sigma: Array.from(d.sigma),
      fail: Array.from(d.fail),
      failPoints: Array.from(d.failPoints!),
      formula: Array.from(d.formulaThreshold),
      dates: d.dates!.map((x) => x.getTime()),
      isFt,
      evalSigma: es,
      evalFormula: ef,
      evalFail: ey,
      allS,
      allF,
      allP,
    });
  }
  writeFileSync(path, JSON.stringify(out));
  return out;
}

/** Expected balanced accuracy of rejecting sigma > t (per-unit t) under the true FT probabilities of all units. */
function expectedBa(m: CachedModel, t: (k: number) => number): number {
  let P = 0,
    Q = 0,
    tp = 0,
    tn = 0;
  m.allS.forEach((s, k) => {
    const p = m.allP[k]!;
    P += p;
    Q += 1 - p;
    if (s > t(k)) tp += p;
    else tn += 1 - p;
  });
  return 0.5 * (tp / P + tn / Q);
}
function ba(rejected: boolean[], fail: number[]): number | null {
  let tp = 0,
    fn = 0,
    tn = 0,
    fp = 0;
  rejected.forEach((r, i) => {
    if (fail[i]) r ? tp++ : fn++;
    else r ? fp++ : tn++;
  });
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}

const dump: unknown[] = [];
const total = { better: 0, same: 0, worse: 0, models: 0 };
for (const seed of seeds) {
  const ms = await load(seed);
  const data: ThresholdData[] = ms.map((m) => ({
    sigma: Float64Array.from(m.sigma),
    fail: Uint8Array.from(m.fail),
    failPoints: Float64Array.from(m.failPoints),
    formulaThreshold: Float64Array.from(m.formula),
    dates: m.dates.map((t) => new Date(t)),
    labelSource: 'final_test',
  }));
  const ev = ms.map((m, i) => new ModelThresholdOptimizer(m.model, { seed: 42 }).evidenceOf(data[i]!));
  const prior = fitPlantPrior(ev);
  const c = { better: 0, same: 0, worse: 0, models: 0 };
  // Spike-and-slab variant (THR_SPIKE=1): the true cut is the formula (0) with probability π, else N(β0, τ²).
  const spike = process.env['THR_SPIKE'] !== undefined;
  const normPdf = (x: number, v: number) => Math.exp((-x * x) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
  let pi = 0;
  if (spike && prior) {
    const b0 = prior.coefficients[0]!;
    let best = -Infinity;
    for (let g = 0; g <= 100; g++) {
      const p = g / 200;
      let ll = 0;
      for (const e of ev)
        if (e?.cut != null)
          ll += Math.log(p * normPdf(e.cut, Math.max(e.variance!, 1e-6)) + (1 - p) * normPdf(e.cut - b0, prior.tau2 + e.variance!));
      if (ll > best) {
        best = ll;
        pi = p;
      }
    }
    console.log(`π = ${pi}`);
  }
  const spikeThreshold = (i: number, t: number): number => {
    const e = ev[i];
    if (!spike || !e || e.cut == null || !prior) return t;
    const a = pi * normPdf(e.cut, Math.max(e.variance!, 1e-6));
    const b = (1 - pi) * normPdf(e.cut - prior.coefficients[0]!, prior.tau2 + e.variance!);
    const ps = a / (a + b);
    if (process.env['THR_SPIKE'] === 'map') return ps > 0.5 ? Number.NaN : t;
    return e.reference * Math.exp((1 - ps) * Math.log(t / e.reference));
  };
  ms.forEach((m, i) => {
    if (m.units < 20) return;
    const f = ba(
      m.evalSigma.map((s, k) => s > m.evalFormula[k]!),
      m.evalFail,
    );
    if (f === null) return;
    const r = new ModelThresholdOptimizer(m.model, { seed: 42 }).calculateThreshold(data[i]!, prior, ev[i]);
    let t = r.learned ? r.threshold : null;
    if (t !== null) {
      t = spikeThreshold(i, t);
      if (Number.isNaN(t)) t = null;
    }
    const l =
      t === null
        ? f
        : ba(
            m.evalSigma.map((s) => s > t),
            m.evalFail,
          )!;
    const eL = t === null ? null : expectedBa(m, () => t);
    const eF = expectedBa(m, (k) => m.allF[k]!);
    const verdict = l > f + 1e-12 ? 'better' : l < f - 1e-12 ? 'worse' : 'same';
    c[verdict]++;
    c.models++;
    const e = ev[i];
    dump.push({
      seed,
      model: m.model,
      units: m.units,
      n: m.sigma.length,
      failures: m.fail.reduce((a, b) => a + b, 0),
      ft: m.isFt.reduce((a, b) => a + b, 0),
      nEval: m.evalSigma.length,
      eL,
      eF,
      evalFail: m.evalFail.reduce((a, b) => a + b, 0),
      verdict,
      baL: l,
      baF: f,
      source: r.source,
      reason: r.reason,
      weight: r.weight,
      cut: e?.cut ?? null,
      v: e?.variance ?? null,
      priorCut: r.blend?.priorCut ?? null,
      blendCut: r.blend?.cut ?? null,
      d: e?.logMedianRatio ?? null,
      spread: e?.logSpread ?? null,
      oof: ev[i] ? oof(m, data[i]!, prior!, ev[i], 5, 7) : null,
      ho: r.heldOut?.evaluated ? { adv: r.heldOut.formulaAdvantage, se: r.heldOut.formulaAdvantageSe, n: r.heldOut.heldOutN } : null,
    });
  });
  console.log(
    `${scenario} ${seed}: prior β ${prior?.coefficients.map((x) => x.toFixed(3))} τ² ${prior?.tau2.toFixed(4)}  better ${c.better}/${c.models} = ${((100 * c.better) / c.models).toFixed(1)}%  same ${c.same}  worse ${c.worse} = ${((100 * c.worse) / c.models).toFixed(1)}%`,
  );
  for (const k of ['better', 'same', 'worse', 'models'] as const) total[k] += c[k];
}
if (seeds.length > 1)
  console.log(
    `pooled: better ${((100 * total.better) / total.models).toFixed(1)}%  worse ${((100 * total.worse) / total.models).toFixed(1)}%  (${total.models})`,
  );
if (values.dump) writeFileSync(values.dump, JSON.stringify(dump, null, 0));
