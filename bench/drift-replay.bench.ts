/**
 * Drift detection on exactly the series `bench:quality` gives it, in seconds instead of minutes: each seed's plant is
 * written, trained and applied once (as `bench/quality.bench.ts` does, `concurrency: 1`), the series the manager
 * hands to the detector are recorded (its baseline units with dates and rate, then the units after the baseline)
 * with the truth of every model, and cached; every later run replays the cache through the current
 * `ModelDriftDetector` and judges as `bench:quality` does (a drift is caught by an alert in its direction detected at
 * or after the onset; a stable model is flagged by any alert). The recording wraps `setBaseline` / `detectSeries` of
 * the detector's prototype, so it sees what train-all and apply pass, whatever they do to build it. A cache made
 * before a change of the manager or the generator is stale: delete it. Shifts in models that got no baseline are not
 * counted here (bench:quality counts them as missed).
 *
 * Run: npx tsx bench/drift-replay.bench.ts [--scenario realistic|classic] [--seeds 101,102,103] [--cache DIR]
 *        [--options '{"absorbDelay":10}'] [--verbose]
 * --options are ModelDriftDetectorOptions for the replay; --verbose lists every flagged stable model and every
 * missed shift with the detector's design (baseline size, B, f, ARL0, h).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MLManager } from '../src/manager/ml-manager.js';
import { ModelDriftDetector, type ModelDriftDetectorOptions } from '../src/drift/index.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { planPlant, writePlant, type SyntheticPlantOptions, type SyntheticScenario } from '../src/synthetic/index.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    seeds: { type: 'string' },
    cache: { type: 'string' },
    options: { type: 'string' },
    verbose: { type: 'boolean' },
  },
});
const scenario = (values.scenario ?? 'realistic') as SyntheticScenario;
const seeds = (values.seeds ?? (scenario === 'classic' ? '2026' : '101,102,103')).split(',').map(Number);
const cache = values.cache ?? join(tmpdir(), 'laser-trim-ml-drift-replay');
const replayOptions = JSON.parse(values.options ?? '{}') as ModelDriftDetectorOptions;

interface Recorded {
  model: string;
  stable: boolean;
  drift: null | { onset: number; direction: 'up' | 'down'; size: number; shape: string; unitsAfter: number };
  base: { sigma: number[]; dates: number[]; unitsPerYear: number | null };
  post: { sigma: number[]; dates: number[] };
}

/** Writes, trains and applies one seed's plant, recording what the detector is given. */
async function record(seed: number): Promise<Recorded[]> {
  const base = new Map<string, Recorded['base']>();
  const post = new Map<string, Recorded['post']>();
  const proto = ModelDriftDetector.prototype;
  const setBaseline = proto.setBaseline;
  const detectSeries = proto.detectSeries;
  proto.setBaseline = function (this: ModelDriftDetector, s, d, o) {
    base.set(this.modelName, { sigma: [...s], dates: (d ?? []).map((x) => x.getTime()), unitsPerYear: o?.unitsPerYear ?? null });
    return setBaseline.call(this, s, d, o);
  };
  proto.detectSeries = function (this: ModelDriftDetector, s, d) {
    post.set(this.modelName, { sigma: [...s], dates: d.map((x) => x.getTime()) });
    return detectSeries.call(this, s, d);
  };
  try {
    const options: SyntheticPlantOptions = { seed, scenario, tracks: 80_000, models: 300, driftModelFraction: 0.3 };
    const specs = planPlant(options).models;
    const repo = createMemoryRepository();
    const written = await writePlant(repo, options);
    const ml = new MLManager(repo, { seed: 42 });
    await ml.trainAllModels({ concurrency: 1 }); // in this thread, where the recording is
    await ml.applyToDatabase();
    const drifts = new Map(
      written.summary.drifts.map((d) => [
        d.model,
        { onset: d.onsetDate.getTime(), direction: d.direction, size: d.sizeSigma, shape: d.shape ?? 'step', unitsAfter: d.unitsAfter },
      ]),
    );
    return specs
      .filter((m) => base.has(m.name))
      .map((m) => ({
        model: m.name,
        stable: m.role === 'normal' && m.drift === null,
        drift: drifts.get(m.name) ?? null,
        base: base.get(m.name)!,
        post: post.get(m.name) ?? { sigma: [], dates: [] },
      }));
  } finally {
    proto.setBaseline = setBaseline;
    proto.detectSeries = detectSeries;
  }
}

mkdirSync(cache, { recursive: true });
const total = { stable: 0, flagged: 0, big: 0, bigCaught: 0, mid: 0, midCaught: 0 };
const notes: string[] = [];
for (const seed of seeds) {
  const file = join(cache, `${scenario}-${seed}.json`);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(await record(seed)));
  const models = JSON.parse(readFileSync(file, 'utf8')) as Recorded[];
  const t = { stable: 0, flagged: 0, big: 0, bigCaught: 0, mid: 0, midCaught: 0 };
  for (const m of models) {
    const det = new ModelDriftDetector(m.model, replayOptions);
    const dates = m.base.dates.length ? m.base.dates.map((x) => new Date(x)) : undefined;
    const ok = det.setBaseline(m.base.sigma, dates, m.base.unitsPerYear ? { unitsPerYear: m.base.unitsPerYear } : {});
    const episodes = ok
      ? det.detectSeries(
          m.post.sigma,
          m.post.dates.map((x) => new Date(x)),
        ).episodes
      : [];
    const p = det.params;
    const design = `${scenario} ${seed} ${m.model}: baseline ${m.base.sigma.length}, after ${m.post.sigma.length}, B ${p.blockSize}, f ${p.correlationInflation.toFixed(2)}, ARL0 ${p.targetArl0.toFixed(0)}, h ${p.h.toFixed(2)}`;
    if (m.stable && ok) {
      t.stable++;
      if (episodes.length > 0) {
        t.flagged++;
        const at = (e: (typeof episodes)[number]): number => m.post.dates.filter((x) => x <= e.detectedDate.getTime()).length;
        notes.push(
          `flagged ${design} :: ${episodes.map((e) => `${e.direction} ${e.statistic} ${e.sizeSigma.toFixed(2)}σ at unit ${at(e)}`).join('; ')}`,
        );
      }
    }
    const d = m.drift;
    if (d) {
      const caught = episodes.some((e) => e.direction === d.direction && e.detectedDate.getTime() >= d.onset);
      const miss = `missed ${design} :: ${d.size.toFixed(2)}σ ${d.direction} ${d.shape}, ${d.unitsAfter} units after onset`;
      if (d.size >= 1 && d.unitsAfter >= 30) {
        t.big++;
        if (caught) t.bigCaught++;
        else notes.push(miss);
      } else if (d.size >= 0.5 && d.size < 1 && d.unitsAfter >= 100) {
        t.mid++;
        if (caught) t.midCaught++;
        else notes.push(miss);
      }
    }
  }
  console.log(
    `${scenario} seed ${seed}: stable flagged ${t.flagged}/${t.stable}, ≥1σ (≥30 after) caught ${t.bigCaught}/${t.big}, 0.5–1σ (≥100 after) ${t.midCaught}/${t.mid}`,
  );
  for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += t[k];
}
const pct = (a: number, b: number): string => `${a}/${b} = ${b ? ((100 * a) / b).toFixed(1) : '—'}%`;
console.log(
  `${scenario} ${seeds.join(',')}: stable flagged ${pct(total.flagged, total.stable)} (bar ≤ 2%), ≥1σ caught ${pct(total.bigCaught, total.big)} (≥ 90%), 0.5–1σ caught ${pct(total.midCaught, total.mid)} (≥ 60%)`,
);
if (values.verbose) for (const n of notes) console.log(`  ${n}`);
