/**
 * Experiment: the expected-balanced-accuracy cut under the library's own failure probabilities (the pooled
 * predictor's, as apply writes them for every track) against the learned sigma_pass, judged like bench:quality.
 * Usage: tsx bench/threshold-plugin-experiment.ts [--seed 101] [--scenario realistic]
 */
import { parseArgs } from 'node:util';
import { exclusionReason } from '../src/core/features.js';
import { formulaThreshold } from '../src/core/formula.js';
import { MLManager } from '../src/manager/ml-manager.js';
import { loadPooledModel } from '../src/manager/pooled/pooled.js';
import { parseComponents } from '../src/manager/components-state.js';
import { scoreNow } from '../src/manager/scorer.js';
import { labelOf } from '../src/core/labels.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant, type SyntheticRun, type SyntheticScenario } from '../src/synthetic/index.js';

const { values } = parseArgs({ options: { seed: { type: 'string' }, scenario: { type: 'string' } } });
const seed = Number(values.seed ?? 101);
const scenario = (values.scenario ?? 'realistic') as SyntheticScenario;
const repo = createMemoryRepository();
const runTruth = new Map<number, SyntheticRun>();
await writePlant(
  repo,
  { seed, scenario, tracks: 80_000, models: 300, driftModelFraction: 0.3 },
  { onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)) },
);
const ml = new MLManager(repo, { seed: 42 });
await ml.trainAllModels();
await ml.applyToDatabase();
function ba(rej: boolean[], fail: boolean[]): number | null {
  let tp = 0,
    fn = 0,
    tn = 0,
    fp = 0;
  rej.forEach((r, i) => {
    if (fail[i]) r ? tp++ : fn++;
    else r ? fp++ : tn++;
  });
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}
/** argmax_t of Σ p [σ > t] / Σ p + Σ (1 − p) [σ ≤ t] / Σ (1 − p), the geometric midpoint between sigma values. */
function plugInCut(s: number[], p: number[]): number | null {
  const idx = s.map((_, k) => k).sort((a, b) => s[a]! - s[b]!);
  const P = p.reduce((a, b) => a + b, 0),
    Q = p.length - P;
  if (idx.length < 2 || !(P > 0) || !(Q > 0)) return null;
  let b1 = 0,
    b0 = 0,
    best = -1,
    cut: number | null = null;
  for (let k = 0; k < idx.length - 1; k++) {
    b1 += p[idx[k]!]!;
    b0 += 1 - p[idx[k]!]!;
    const v = 0.5 * ((P - b1) / P + b0 / Q);
    if (v > best && s[idx[k + 1]!]! > s[idx[k]!]!) {
      best = v;
      cut = Math.sqrt(s[idx[k]!]! * s[idx[k + 1]!]!);
    }
  }
  return cut;
}
const tally: Record<string, { better: number; same: number; worse: number }> = {};
const pooledModel = await loadPooledModel(repo);
const states = new Map((await repo.listModelStates()).map((s) => [s.model, s]));
let n = 0;
for (const m of await repo.listModels()) {
  const rows: {
    s: number;
    f: number;
    thr: number;
    p: number | null;
    pp: number;
    y: number | null;
    fail: boolean;
    evalU: boolean;
    unit: number;
  }[] = [];
  const seen = new Map<number, 0 | 1>();
  for await (const b of repo.readTrainingRecords(m.model))
    for (const r of b) {
      const y = labelOf(r, 'final_test');
      if (y !== null) seen.set(r.trackResultId, y);
    }
  const st = states.get(m.model);
  const ctx = st ? parseComponents(st.componentsJson, m.model).context : null;
  const scorer = pooledModel && ctx ? pooledModel.scorer(m.model, ctx) : null;
  for await (const batch of repo.readTracksForApply(m.model)) {
    for (const t of batch) {
      const run = runTruth.get(t.trimResultId);
      const truth = run?.truth.tracks.find((x) => x.trackId === t.trackId);
      if (!run || !truth || exclusionReason(t) !== null || run.truth.garbage !== null || run.truth.duplicate) continue;
      const res = repo.trackResults(t.trackResultId);
      rows.push({
        s: t.sigmaGradient as number,
        f: formulaThreshold(t),
        thr: res?.sigmaThreshold ?? Number.NaN,
        p: res?.failureProbability ?? null,
        pp: scorer ? scoreNow(scorer, [t])[0]! : Number.NaN,
        y: seen.get(t.trackResultId) ?? null,
        fail: !truth.ftPass,
        evalU: run.truth.ftLink === 'none' && !run.truth.superseded,
        unit: run.truth.unitIndex,
      });
    }
  }
  if (new Set(rows.map((r) => r.unit)).size < 20) continue;
  const ev = rows.filter((r) => r.evalU);
  const fail = ev.map((r) => r.fail);
  const frm = ba(
    ev.map((r) => r.s > r.f),
    fail,
  );
  if (frm === null) continue;
  n++;
  const lib = ba(
    ev.map((r) => !(r.s <= r.thr)),
    fail,
  )!;
  const v = (l: number) => (l > frm + 1e-12 ? 'better' : l < frm - 1e-12 ? 'worse' : 'same') as 'better';
  const add = (k: string, l: number) => {
    tally[k] ??= { better: 0, same: 0, worse: 0 };
    tally[k][v(l)]++;
  };
  add('lib', lib);
  const variant = (k: string, q: (r: (typeof rows)[0]) => number | null) => {
    const withP = rows.filter((r) => {
      const x = q(r);
      return x !== null && Number.isFinite(x);
    });
    const cut = plugInCut(
      withP.map((r) => r.s),
      withP.map((r) => q(r)!),
    );
    add(
      k,
      cut === null
        ? frm
        : ba(
            ev.map((r) => r.s > cut),
            fail,
          )!,
    );
  };
  variant('apply p', (r) => r.p);
  variant('apply p, FT label where linked', (r) => r.y ?? r.p);
  variant('pooled p', (r) => r.pp);
  variant('pooled p, FT label where linked', (r) => r.y ?? r.pp);
}
const pc = (x: number) => `${((100 * x) / n).toFixed(1)}%`;
for (const [k, t] of Object.entries(tally))
  console.log(`${scenario} ${seed} ${k.padEnd(32)} better ${t.better}/${n} ${pc(t.better)} same ${t.same} worse ${t.worse} ${pc(t.worse)}`);
