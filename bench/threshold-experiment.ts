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
import { blendCut, fitPlantPrior, thresholdEvidence, type PriorCovariate } from '../src/threshold/plant-prior.js';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, tracks: { type: 'string' }, models: { type: 'string' }, scenario: { type: 'string' } },
});
const seed = Number(values.seed ?? 2026);
const repo = createMemoryRepository();
const runTruth = new Map<number, SyntheticRun>();
await writePlant(
  repo,
  {
    seed,
    tracks: Number(values.tracks ?? 80000),
    models: Number(values.models ?? 300),
    ...(values.scenario ? { scenario: values.scenario } : {}),
  } as never,
  {
    onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)),
  },
);

interface M {
  model: string;
  units: number;
  allS: number[];
  allP: number[];
  isFt: Uint8Array;
  sigma: Float64Array;
  fail: Uint8Array;
  sevW: Float64Array;
  sevU: Float64Array;
  formula: Float64Array;
  evalSigma: number[];
  evalFormula: number[];
  evalFail: boolean[];
}
const models: M[] = [];
for (const s of await repo.listModels()) {
  const recs = [];
  for await (const b of repo.readTrainingRecords(s.model)) recs.push(...b);
  const clean = cleanTrainingRecords(recs).records;
  const sg: number[] = [],
    fl: number[] = [],
    sw: number[] = [],
    fo: number[] = [],
    ift: number[] = [];
  const es: number[] = [],
    ef: number[] = [],
    ey: boolean[] = [];
  const unitSet = new Set<number>();
  const allS: number[] = [],
    allP: number[] = [];
  for (const r of clean) {
    const ut = runTruth.get(r.trimResultId);
    if (ut && ut.truth.garbage === null && !ut.truth.duplicate) {
      unitSet.add(ut.truth.unitIndex);
      const tt = ut.truth.tracks.find((x) => x.trackId === r.trackId);
      if (tt) {
        allS.push(r.sigmaGradient!);
        allP.push(tt.ftFailProbability);
      }
    }
    const ft = labelOf(r, 'final_test');
    const src = ft !== null ? 'final_test' : 'trim';
    const y = ft ?? labelOf(r, 'trim');
    const run = runTruth.get(r.trimResultId);
    const truth = run?.truth.tracks.find((x) => x.trackId === r.trackId);
    if (run && truth && run.truth.ftLink === 'none' && !run.truth.duplicate && run.truth.garbage === null) {
      es.push(r.sigmaGradient!);
      ef.push(formulaThreshold(r));
      ey.push(!truth.ftPass);
    }
    if (y === null) continue;
    sg.push(r.sigmaGradient!);
    fl.push(y);
    ift.push(ft !== null ? 1 : 0);
    fo.push(formulaThreshold(r));
    sw.push(severityWeight(y, y === 1 ? failPointsOf(r, src) : 0));
  }
  models.push({
    model: s.model,
    units: unitSet.size,
    allS,
    allP,
    isFt: Uint8Array.from(ift),
    sigma: Float64Array.from(sg),
    fail: Uint8Array.from(fl),
    sevW: Float64Array.from(sw),
    sevU: Float64Array.from(fl, () => 1),
    formula: Float64Array.from(fo),
    evalSigma: es,
    evalFormula: ef,
    evalFail: ey,
  });
}

function ba(pred: boolean[], fail: boolean[]): number | null {
  let tp = 0,
    fn = 0,
    tn = 0,
    fp = 0;
  pred.forEach((rej, i) => {
    if (fail[i]) rej ? tp++ : fn++;
    else rej ? fp++ : tn++;
  });
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}
const objective = { costRatio: 1, normalization: 'class-totals' as const };
function judge(name: string, thr: (m: M, i: number) => number | null): void {
  let better = 0,
    same = 0,
    worse = 0,
    served = 0;
  models.forEach((m, i) => {
    if (thr(m, i) !== null) served++;
  });
  models.forEach((m, i) => {
    if (m.units < 20) return;
    const t = thr(m, i);
    const f = ba(
      m.evalSigma.map((s, k) => s > m.evalFormula[k]!),
      m.evalFail,
    );
    const l =
      t === null
        ? f
        : ba(
            m.evalSigma.map((s) => s > t),
            m.evalFail,
          );
    if (f === null || l === null) return;
    if (l > f + 1e-12) better++;
    else if (l < f - 1e-12) worse++;
    else same++;
  });
  const tot = better + same + worse;
  console.log(
    `${name.padEnd(40)} better ${better}/${tot} = ${((100 * better) / tot).toFixed(1)}%  same ${same}  worse ${worse} = ${((100 * worse) / tot).toFixed(1)}%  served ${served}/${models.length}`,
  );
}
const evMix = models.map((m) => thresholdEvidence(m.sigma, m.fail, m.sevU, m.formula, objective, 200, 42));
const sets: PriorCovariate[][] = [
  [],
  ['logMedianRatio'],
  ['logMedianRatio', 'logSpread'],
  ['logMedianRatio', 'failLogit'],
  ['logMedianRatio', 'logSpread', 'failLogit'],
];
for (const cov of sets) {
  const prior = fitPlantPrior(evMix, cov)!;
  console.log(
    `[${cov.join(', ')}]: β ${prior.coefficients.map((x) => x.toFixed(3)).join(' ')} τ² ${prior.tau2.toFixed(4)} M ${prior.models}`,
  );
  judge(`  blend`, (_m, i) => (evMix[i] ? blendCut(evMix[i], prior).threshold : null));
  judge(`  plant-wide only`, (_m, i) => (evMix[i] ? blendCut({ ...evMix[i], cut: null, variance: null }, prior).threshold : null));
}
judge('own only', (_m, i) => (evMix[i]?.cut != null ? evMix[i].reference * Math.exp(evMix[i].cut) : null));

{
  // Oracle: the cut maximising the expected balanced accuracy under the true FT probabilities of all the model's units.
  judge('ORACLE expected-BA cut', (m) => {
    const idx = m.allS.map((_, k) => k).sort((a, b) => m.allS[a]! - m.allS[b]!);
    const P = m.allP.reduce((a, b) => a + b, 0),
      Q = m.allP.length - P;
    if (idx.length < 2 || P <= 0 || Q <= 0) return null;
    let below1 = 0,
      below0 = 0,
      best = -1,
      cut = null as number | null;
    for (let k = 0; k < idx.length - 1; k++) {
      below1 += m.allP[idx[k]!]!;
      below0 += 1 - m.allP[idx[k]!]!;
      const v = 0.5 * ((P - below1) / P + below0 / Q);
      if (v > best && m.allS[idx[k + 1]!]! > m.allS[idx[k]!]!) {
        best = v;
        cut = Math.sqrt(m.allS[idx[k]!]! * m.allS[idx[k + 1]!]!);
      }
    }
    return cut;
  });
}
{
  const { normalCdf } = await import('../src/core/stats/normal.js');
  for (const hk of [0.5, 1, 2]) {
    judge(`smoothed own cut h×${hk}`, (m) => {
      const x = Array.from(m.sigma, Math.log);
      const nf = m.fail.reduce((a, b) => a + b, 0),
        np = x.length - nf;
      if (nf === 0 || np === 0) return null;
      const sorted = [...x].sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
      const mu = x.reduce((a, b) => a + b, 0) / x.length;
      const sd = Math.sqrt(x.reduce((a, b) => a + (b - mu) ** 2, 0) / (x.length - 1));
      const h = hk * 0.9 * Math.min(sd, (q(0.75) - q(0.25)) / 1.34) * x.length ** -0.2;
      if (!(h > 0)) return null;
      let best = -1,
        cut = 0;
      for (let g = 1; g < 200; g++) {
        const c = q(g / 200);
        let sf = 0,
          sp = 0;
        for (let k = 0; k < x.length; k++) {
          const z = normalCdf((x[k]! - c) / h);
          if (m.fail[k]) sf += z;
          else sp += 1 - z;
        }
        const v = sf / nf + sp / np;
        if (v > best) {
          best = v;
          cut = c;
        }
      }
      return Math.exp(cut);
    });
  }
}
for (const cov of [[], ['logMedianRatio']] as PriorCovariate[][]) {
  const prior = fitPlantPrior(evMix, cov)!;
  const b = new Map<string, number[]>();
  models.forEach((m, i) => {
    if (m.units < 20 || !evMix[i]) return;
    const f = ba(
      m.evalSigma.map((s, k) => s > m.evalFormula[k]!),
      m.evalFail,
    );
    const t = blendCut(evMix[i], prior).threshold;
    const l = ba(
      m.evalSigma.map((s) => s > t),
      m.evalFail,
    );
    if (f === null || l === null) return;
    const key = m.units < 60 ? 'units 20-59' : m.units < 200 ? 'units 60-199' : 'units >=200';
    const e = b.get(key) ?? [0, 0, 0];
    e[l > f + 1e-12 ? 0 : l < f - 1e-12 ? 2 : 1]!++;
    b.set(key, e);
  });
  console.log(
    `[${cov.join(',')}] ` +
      [...b]
        .sort()
        .map(([k, e]) => `${k}: ${e.join('/')}`)
        .join('  '),
  );
}
{
  const evSev = models.map((m) => thresholdEvidence(m.sigma, m.fail, m.sevW, m.formula, objective, 200, 42));
  const pS = fitPlantPrior(evSev, [])!;
  const pU = fitPlantPrior(evMix, [])!;
  judge('SEV severity-weighted blend []', (_m, i) => (evSev[i] ? blendCut(evSev[i], pS).threshold : null));
  judge('SEV unweighted blend []', (_m, i) => (evMix[i] ? blendCut(evMix[i], pU).threshold : null));
}
{
  // Logistic plug-in: fit logit P(fail) = α + β x (x = ln sigma − ln ref) by Newton; the expected-BA cut is where the
  // fitted probability equals the model's failure rate: c = (logit(rate) − α) / β; delta-method variance.
  const logit = (p: number) => Math.log(p / (1 - p));
  const evL = models.map((m, i) => {
    const e = evMix[i];
    if (!e) return null;
    const n = m.sigma.length;
    const x = Array.from(m.sigma, (s) => Math.log(s / e.reference));
    const nf = m.fail.reduce((a, b) => a + b, 0);
    if (nf === 0 || nf === n) return { ...e, cut: null, variance: null };
    let a = logit(nf / n),
      b = 0;
    let I11 = 0,
      I12 = 0,
      I22 = 0;
    for (let it = 0; it < 50; it++) {
      let g1 = 0,
        g2 = 0;
      I11 = 0;
      I12 = 0;
      I22 = 0;
      for (let k = 0; k < n; k++) {
        const p = 1 / (1 + Math.exp(-(a + b * x[k]!)));
        const r = m.fail[k]! - p,
          w = p * (1 - p);
        g1 += r;
        g2 += r * x[k]!;
        I11 += w;
        I12 += w * x[k]!;
        I22 += w * x[k]! * x[k]!;
      }
      // small ridge on β for separation
      I22 += 1e-3;
      g2 -= 1e-3 * b;
      const det = I11 * I22 - I12 * I12;
      const da = (I22 * g1 - I12 * g2) / det,
        db = (I11 * g2 - I12 * g1) / det;
      a += da;
      b += db;
      if (Math.abs(da) + Math.abs(db) < 1e-10) break;
    }
    if (!(b > 0)) return { ...e, cut: null, variance: null };
    const det = I11 * I22 - I12 * I12;
    const vaa = I22 / det,
      vbb = I11 / det,
      vab = -I12 / det;
    const c = (logit(nf / n) - a) / b;
    const ga = -1 / b,
      gb = -c / b;
    return { ...e, cut: c, variance: ga * ga * vaa + 2 * ga * gb * vab + gb * gb * vbb };
  });
  judge('LOGIT own only', (_m, i) => (evL[i]?.cut != null ? evL[i].reference * Math.exp(evL[i].cut) : null));
  for (const cov of [[], ['logMedianRatio']] as PriorCovariate[][]) {
    const p = fitPlantPrior(evL, cov)!;
    console.log(
      `LOGIT prior [${cov.join(',')}] β ${p.coefficients.map((v) => v.toFixed(3)).join(',')} τ² ${p.tau2.toFixed(4)} M ${p.models}`,
    );
    judge(`LOGIT blend [${cov.join(',')}]`, (_m, i) => (evL[i] ? blendCut(evL[i], p).threshold : null));
  }
}
