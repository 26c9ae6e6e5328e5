/**
 * Drift detector design numbers (seeded; quote these in the docs). Run: npx tsx bench/drift.bench.ts
 *
 * 1. Default design (targetArl0 = 50,000, k = 0.375, λ = 0.1): h, L and the ARL of each chart at 0, 0.5σ, 1σ, 2σ
 *    (ARL calculator, known parameters).
 * 2. Combined CUSUM-or-EWMA scheme by simulation (known parameters): ARL0, ARL at 0.5σ / 1σ, P(RL ≤ 50) at 1σ.
 * 3. The real detector (self-starting score) with a baseline of n = 30 and n = 300: fraction of stable models flagged
 *    within 1,000 samples, and detection of a 1σ (and 0.5σ) step 100 samples after the baseline within 50 samples.
 *    The plain z score (selfStarting: false) is shown for comparison.
 */
import { createRng } from '../src/core/rng.js';
import { cusumArl, ewmaArl } from '../src/drift/arl.js';
import { ModelDriftDetector } from '../src/drift/model-drift-detector.js';
import { simulateCombinedArl } from '../src/drift/simulate.js';

const reps = Number(process.env.REPS ?? 1000);
const det0 = new ModelDriftDetector('bench');
const { k, h, lambda, L, targetArl0 } = det0.params;
console.log(`design: targetArl0=${targetArl0} k=${k} h=${h.toFixed(4)} lambda=${lambda} L=${L.toFixed(4)}`);
for (const d of [0, 0.5, 1, 2]) {
  console.log(
    `  shift ${d}σ: CUSUM ARL ${cusumArl(k, h, { shift: d }).toFixed(1)}  EWMA ARL ${ewmaArl(lambda, L, { shift: d }).toFixed(1)}`,
  );
}
let t0 = performance.now();
for (const [d, r] of [
  [0, 300],
  [0.5, 4000],
  [1, 4000],
  [2, 4000],
] as const) {
  const s = simulateCombinedArl({ k, h, lambda, L }, { shift: d, replicates: r, seed: 11 });
  console.log(
    `  combined (sim, ${r} reps) shift ${d}σ: ARL ${s.arl.toFixed(1)} ± ${s.se.toFixed(1)}, P(RL≤50) ${s.withinHorizon.toFixed(3)}`,
  );
}
console.log(`  [${((performance.now() - t0) / 1000).toFixed(1)} s]`);

function runModel(seed: number, n: number, stable: boolean, shift: number, selfStarting: boolean): { fa: boolean; caught: boolean } {
  const rng = createRng(seed);
  const mu = Math.log(3.5e-4);
  const sd = 0.4; // ~0.17 decades
  const base = Array.from({ length: n }, () => Math.exp(mu + sd * rng.nextNormal()));
  const det = new ModelDriftDetector('m', { selfStarting });
  if (!det.setBaseline(base)) throw new Error(det.baselineFailureReason ?? '');
  const day = 86_400_000;
  if (stable) {
    for (let i = 0; i < 1000; i++)
      if (det.detect(Math.exp(mu + sd * rng.nextNormal()), new Date(i * day)).alarm) return { fa: true, caught: false };
    return { fa: false, caught: false };
  }
  const onset = 100;
  for (let i = 0; i < onset + 50; i++) {
    const r = det.detect(Math.exp(mu + sd * (rng.nextNormal() + (i >= onset ? shift : 0))), new Date(i * day));
    if (r.alarm) return { fa: i < onset, caught: i >= onset };
  }
  return { fa: false, caught: false };
}

for (const selfStarting of [true, false]) {
  for (const n of [30, 300]) {
    t0 = performance.now();
    let fa = 0;
    for (let r = 0; r < reps; r++) if (runModel(1000 + r, n, true, 0, selfStarting).fa) fa++;
    const caught: string[] = [];
    for (const shift of [0.5, 1]) {
      let c = 0;
      for (let r = 0; r < reps; r++) if (runModel(50_000 + r, n, false, shift, selfStarting).caught) c++;
      caught.push(`${shift}σ caught within 50: ${(c / reps).toFixed(3)}`);
    }
    const ms = performance.now() - t0;
    console.log(
      `detector selfStarting=${selfStarting} n=${n}: stable models flagged within 1000 samples ${(fa / reps).toFixed(4)} (${reps} models); ${caught.join('; ')}  [${(ms / 1000).toFixed(1)} s]`,
    );
  }
}
