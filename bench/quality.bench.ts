/**
 * Learning quality judged as a plant would (`npm run bench:quality`; `docs/quality.md` describes every figure).
 *
 * For each scenario and seed of the synthetic plant (`docs/synthetic.md`), this writes the plant into the in-memory
 * repository, trains and applies with default options, and judges the result against the generator's ground truth
 * on units whose Final Test the library never saw:
 * - failure_probability: ROC AUC and Brier on never-linked units, with two baselines computed in the same run on the
 *   same units — the trim error/spec ratio (Brier after a logistic fit of ln(ratio) on the linked units) and
 *   scikit-learn's pooled HistGradientBoostingClassifier (`bench/hgb_baseline.py`) trained on the linked units the
 *   library reads (their FT labels) with the same unit-free features as the pooled forest;
 * - thresholds against the plant formula over every model with ≥ 20 units and both true outcomes among its
 *   never-linked units: better / same / worse by balanced accuracy of `sigma ≤ threshold` (FT fail = positive);
 * - drift: injected shifts caught (an alert in the right direction detected at or after the onset) by size band ×
 *   units after onset × direction, with the median delay in units; stable models flagged over their whole history;
 * - coverage (models with trained ML, models served by a learned threshold and a predictor, tracks with a
 *   probability) and train / apply wall time.
 * Each figure is printed next to its bar from issue 11 with PASS / MISS; JSON goes to bench/results/quality.json.
 *
 * Usage: tsx bench/quality.bench.ts [--scenario all|realistic|classic] [--seeds 101,102,103] [--classic-seeds 2026]
 *        [--tracks 80000] [--models 300] [--drift-fraction 0.3] [--python /usr/bin/python3] [--no-sklearn]
 *        [--realistic-options '{"betweenLotRatio":[0,0]}'] (a sensitivity run: realistic parameters overridden)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exclusionReason, extractFeatures } from '../src/core/features.js';
import { formulaThreshold } from '../src/core/formula.js';
import type { TrimTrack } from '../src/core/types.js';
import { MLManager } from '../src/manager/ml-manager.js';
import type { MLManagerOptions } from '../src/manager/types.js';
import { applyPlatt, fitPlatt } from '../src/predictor/calibration.js';
import { brierScore, rocAuc } from '../src/predictor/metrics.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import {
  planPlant,
  writePlant,
  type RealisticScenarioOptions,
  type SyntheticModelSpec,
  type SyntheticPlantOptions,
  type SyntheticRun,
  type SyntheticScenario,
  type SyntheticTrackTruth,
} from '../src/synthetic/index.js';
import { machineInfo } from './machine.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    seeds: { type: 'string' },
    'classic-seeds': { type: 'string' },
    tracks: { type: 'string' },
    models: { type: 'string' },
    'drift-fraction': { type: 'string' },
    python: { type: 'string' },
    'no-sklearn': { type: 'boolean' },
    out: { type: 'string' },
    'realistic-options': { type: 'string' },
    // MLManager options as JSON, for A/B runs of one option (e.g. '{"minPlantBackedSamples":50}': one training tier).
    'manager-options': { type: 'string' },
  },
});
const scenarioArg = values.scenario ?? 'all';
if (!['all', 'realistic', 'classic'].includes(scenarioArg))
  throw new Error(`--scenario must be all, realistic or classic, got ${scenarioArg}`);
const seedList = (s: string | undefined, d: number[]): number[] =>
  s === undefined
    ? d
    : s
        .split(',')
        .map((x) => Number(x.trim()))
        .filter((x) => Number.isInteger(x));
const plans: { scenario: SyntheticScenario; seeds: number[] }[] = [];
if (scenarioArg !== 'classic') plans.push({ scenario: 'realistic', seeds: seedList(values.seeds, [101, 102, 103]) });
if (scenarioArg !== 'realistic')
  plans.push({
    scenario: 'classic',
    seeds: seedList(scenarioArg === 'classic' ? (values['classic-seeds'] ?? values.seeds) : values['classic-seeds'], [2026]),
  });
const tracks = Number(values.tracks ?? 80_000);
const models = Number(values.models ?? 300);
// A drift in 30 % of the eligible models (the realistic default; classic's default is 10 %), so the drift figures
// rest on dozens of injected shifts per seed.
const driftFraction = Number(values['drift-fraction'] ?? 0.3);
const outPath = values.out ?? 'bench/results/quality.json';
const realisticOptions =
  values['realistic-options'] === undefined ? undefined : (JSON.parse(values['realistic-options']) as RealisticScenarioOptions);
const managerOptions = values['manager-options'] === undefined ? {} : (JSON.parse(values['manager-options']) as MLManagerOptions);

// ------------------------------------------------------------------------------------------------ statistics

/** Median (numpy: mean of the two middle values for an even count); null for none. */
function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Balanced accuracy of `rejected` (predicted fail) against `fail`: (TPR + TNR) / 2; null without both classes. */
function balancedAccuracy(rejected: readonly boolean[], fail: readonly boolean[]): number | null {
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

/** Sample skewness m3 / m2^1.5 (population moments). */
function skewness(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  let m2 = 0,
    m3 = 0;
  for (const x of xs) {
    m2 += (x - m) ** 2;
    m3 += (x - m) ** 3;
  }
  return m3 / xs.length / (m2 / xs.length) ** 1.5;
}

// ------------------------------------------------------------------------------------------------ features

/**
 * The unit-free features the baseline learns from: the eight track columns of the library's pooled forest
 * (src/manager/pooled/pooled-features.ts, every column that uses no Final Test outcome; the forest's four FT context columns
 * are the library's own engineering and are left out), computed here so that the baseline stays fixed when the
 * library's features change. ctx: median of ln(sigma) and of the resistance change over the model's clean tracks
 * (linked or not: no label involved).
 */
const BASELINE_FEATURES = [
  'log_sigma_rel_model',
  'log_sigma_to_spec',
  'error_to_spec_ratio',
  'log1p_fail_points',
  'offset_to_spec',
  'resistance_change',
  'log10_spec',
  'resistance_change_rel_model',
] as const;
function baselineRow(t: TrimTrack, ctx: { logSigma: number; resistanceChange: number | null }): number[] {
  const f = extractFeatures(t);
  const s = f.sigma_gradient as number;
  const spec = f.linearity_spec;
  return [
    Math.log(s) - ctx.logSigma,
    spec !== null ? Math.log(s) - Math.log(spec) : Number.NaN,
    f.error_to_spec_ratio ?? Number.NaN,
    f.linearity_fail_points !== null && f.linearity_fail_points >= 0 ? Math.log1p(f.linearity_fail_points) : Number.NaN,
    f.offset_magnitude !== null && spec !== null ? f.offset_magnitude / spec : Number.NaN,
    f.resistance_change ?? Number.NaN,
    spec !== null ? Math.log10(spec) : Number.NaN,
    f.resistance_change !== null && ctx.resistanceChange !== null ? f.resistance_change - ctx.resistanceChange : Number.NaN,
  ];
}
const csvCell = (v: number): string => (Number.isFinite(v) ? String(v) : '');

const python =
  values.python ??
  (() => {
    for (const p of ['/usr/bin/python3', 'python3']) {
      try {
        execFileSync(p, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' });
        return p;
      } catch {
        /* try the next one */
      }
    }
    return null;
  })();
const sklearnNote = values['no-sklearn']
  ? 'skipped (--no-sklearn)'
  : python === null
    ? 'skipped: python3 with scikit-learn and pandas not found (Debian: apt-get install -y python3-sklearn python3-pandas)'
    : null;

/** Trains the HGB baseline on (train, labels) and scores test rows; null when sklearn is unavailable. */
function hgbScores(train: number[][], labels: number[], test: number[][], seed: number): { p: number[]; info: string } | null {
  if (sklearnNote !== null || python === null) return null;
  const dir = mkdtempSync(join(tmpdir(), 'quality-hgb-'));
  try {
    const header = BASELINE_FEATURES.join(',');
    writeFileSync(
      join(dir, 'train.csv'),
      `${header},label\n${train.map((r, i) => `${r.map(csvCell).join(',')},${labels[i]}`).join('\n')}\n`,
    );
    writeFileSync(join(dir, 'test.csv'), `${header}\n${test.map((r) => r.map(csvCell).join(',')).join('\n')}\n`);
    const info = execFileSync(
      python,
      ['bench/hgb_baseline.py', join(dir, 'train.csv'), join(dir, 'test.csv'), join(dir, 'out.csv'), '--seed', String(seed)],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    const p = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1).map(Number);
    if (p.length !== test.length) throw new Error(`hgb_baseline.py returned ${p.length} probabilities for ${test.length} rows`);
    return { p, info: info.trim().replace(/\n/g, ' ') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------ one seed

const SIZE_BANDS = [
  { key: '<0.5σ', lo: 0, hi: 0.5 },
  { key: '0.5–1σ', lo: 0.5, hi: 1 },
  { key: '≥1σ', lo: 1, hi: Infinity },
] as const;
const AFTER_BANDS = [30, 100] as const;

interface DriftRow {
  model: string;
  sizeSigma: number;
  direction: 'up' | 'down';
  shape: string;
  unitsBefore: number;
  unitsAfter: number;
  monitored: boolean;
  caught: boolean;
  delayUnits: number | null;
  wrongDirectionAfterOnset: boolean;
  alarmBeforeOnset: boolean;
}

async function runSeed(scenario: SyntheticScenario, seed: number) {
  const options: SyntheticPlantOptions = {
    seed,
    scenario,
    tracks,
    models,
    driftModelFraction: driftFraction,
    ...(realisticOptions ? { realistic: realisticOptions } : {}),
  };
  const specs = new Map<string, SyntheticModelSpec>(planPlant(options).models.map((m) => [m.name, m]));
  const repo = createMemoryRepository();
  const runTruth = new Map<number, SyntheticRun>();
  const written = await writePlant(repo, options, { onRunsWritten: (runs, ids) => runs.forEach((r, i) => runTruth.set(ids[i]!, r)) });
  const ml = new MLManager(repo, { seed: 42, ...managerOptions });
  const t0 = Date.now();
  const trained = await ml.trainAllModels();
  const trainMs = Date.now() - t0;
  const t1 = Date.now();
  const applied = await ml.applyToDatabase();
  const applyMs = Date.now() - t1;

  // Every stored track with its truth and what apply wrote.
  interface Row {
    track: TrimTrack;
    run: SyntheticRun;
    truth: SyntheticTrackTruth;
    p: number | null;
    threshold: number;
  }
  const rows: Row[] = [];
  const byModel = new Map<string, Row[]>();
  const dbModels = await repo.listModels();
  for (const m of dbModels) {
    const list: Row[] = [];
    for await (const batch of repo.readTracksForApply(m.model)) {
      for (const t of batch) {
        const run = runTruth.get(t.trimResultId);
        const truth = run?.truth.tracks.find((x) => x.trackId === t.trackId);
        const res = repo.trackResults(t.trackResultId);
        if (!run || !truth) continue;
        const row: Row = { track: t, run, truth, p: res?.failureProbability ?? null, threshold: res?.sigmaThreshold ?? Number.NaN };
        rows.push(row);
        list.push(row);
      }
    }
    list.sort((a, b) => a.track.fileDate.getTime() - b.track.fileDate.getTime() || a.track.trackResultId - b.track.trackResultId);
    byModel.set(m.model, list);
  }
  const clean = (r: Row): boolean => exclusionReason(r.track) === null && r.run.truth.garbage === null && !r.run.truth.duplicate;
  // Units whose FT the library never saw: no FT record written, not a superseded first trim, clean.
  const neverLinked = (r: Row): boolean => r.run.truth.ftLink === 'none' && !r.run.truth.superseded && clean(r);

  // The FT labels exactly as the library reads them (its linking, its hygiene).
  const seen = new Map<number, 0 | 1>();
  for (const m of dbModels) {
    for await (const batch of repo.readTrainingRecords(m.model)) {
      for (const rec of batch) {
        if (rec.finalTest?.linearityPass === null || rec.finalTest === null || exclusionReason(rec) !== null) continue;
        seen.set(rec.trackResultId, rec.finalTest.linearityPass ? 0 : 1);
      }
    }
  }

  // 1. failure_probability on never-linked units, library vs baselines on the same rows.
  const ctx = new Map<string, { logSigma: number; resistanceChange: number | null }>();
  for (const [model, list] of byModel) {
    const usable = list.filter((r) => exclusionReason(r.track) === null);
    const logs = usable.map((r) => Math.log(r.track.sigmaGradient as number));
    const changes = usable
      .map((r) => extractFeatures(r.track).resistance_change)
      .filter((x): x is number => x !== null && Number.isFinite(x));
    ctx.set(model, { logSigma: median(logs) ?? 0, resistanceChange: median(changes) });
  }
  const evalRows = rows.filter((r) => neverLinked(r) && r.p !== null && Number.isFinite(r.p));
  const evalAll = rows.filter(neverLinked);
  const y = evalRows.map((r) => (r.truth.ftPass ? 0 : 1));
  const trainRows = rows.filter((r) => seen.has(r.track.trackResultId));
  const trainY = trainRows.map((r) => seen.get(r.track.trackResultId)!);
  const ratioOf = (r: Row): number => extractFeatures(r.track).error_to_spec_ratio ?? Number.NaN;
  const ratioMedian = median(trainRows.map(ratioOf).filter(Number.isFinite)) ?? 1;
  const lnRatio = (r: Row): number => Math.log(Math.max(1e-6, Number.isFinite(ratioOf(r)) ? ratioOf(r) : ratioMedian));
  const platt = fitPlatt(trainRows.map(lnRatio), trainY);
  const hgb = hgbScores(
    trainRows.map((r) => baselineRow(r.track, ctx.get(r.track.model)!)),
    trainY,
    evalRows.map((r) => baselineRow(r.track, ctx.get(r.track.model)!)),
    seed,
  );
  const probability = {
    n: evalRows.length,
    neverLinkedClean: evalAll.length,
    failures: y.reduce<number>((s, v) => s + v, 0),
    trainRows: trainRows.length,
    auc: rocAuc(
      evalRows.map((r) => r.p!),
      y,
    ),
    brier: brierScore(
      evalRows.map((r) => r.p!),
      y,
    ),
    ratioAuc: rocAuc(evalRows.map(lnRatio), y),
    ratioBrier: brierScore(
      evalRows.map((r) => applyPlatt(platt, lnRatio(r))),
      y,
    ),
    hgbAuc: hgb ? rocAuc(hgb.p, y) : null,
    hgbBrier: hgb ? brierScore(hgb.p, y) : null,
    hgbInfo: hgb?.info ?? sklearnNote,
    oracleAuc: rocAuc(
      evalRows.map((r) => r.truth.ftFailProbability),
      y,
    ),
    oracleBrier: brierScore(
      evalRows.map((r) => r.truth.ftFailProbability),
      y,
    ),
  };

  // 2. Thresholds vs the formula, every model with ≥ 20 units and both true outcomes among its never-linked units.
  const status = await ml.getTrainingStatus();
  const statusBy = new Map(status.rows.map((r) => [r.model, r]));
  const states = new Map((await repo.listModelStates()).map((s) => [s.model, s]));
  const sourceOf = (model: string, learned: boolean): string => {
    const row = statusBy.get(model) as unknown as Record<string, unknown> | undefined;
    const st = states.get(model) as unknown as Record<string, unknown> | undefined;
    const v = row?.['thresholdSource'] ?? st?.['thresholdSource'];
    if (typeof v === 'string') return v;
    if (v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)['kind'] === 'string')
      return (v as Record<string, string>)['kind']!;
    return learned ? 'learned (source not exposed)' : 'formula';
  };
  const thresholdModels: {
    model: string;
    units: number;
    n: number;
    learned: number;
    formula: number;
    verdict: 'better' | 'same' | 'worse';
    source: string;
  }[] = [];
  let eligibleModels = 0;
  for (const [model, list] of byModel) {
    const units = new Set(list.filter(clean).map((r) => r.run.truth.unitIndex)).size;
    const evalM = list.filter(neverLinked);
    const fail = evalM.map((r) => !r.truth.ftPass);
    if (units < 20 || !fail.includes(true) || !fail.includes(false)) continue;
    eligibleModels++;
    const sigma = (r: Row) => r.track.sigmaGradient as number;
    const lib = balancedAccuracy(
      evalM.map((r) => !(sigma(r) <= r.threshold)),
      fail,
    )!;
    const frm = balancedAccuracy(
      evalM.map((r) => !(sigma(r) <= formulaThreshold(r.track))),
      fail,
    )!;
    const learned = (await ml.getThreshold(model)) !== undefined;
    const verdict = Math.abs(lib - frm) < 1e-12 ? 'same' : lib > frm ? 'better' : 'worse';
    thresholdModels.push({ model, units, n: evalM.length, learned: lib, formula: frm, verdict, source: sourceOf(model, learned) });
  }
  const count = (v: string) => thresholdModels.filter((t) => t.verdict === v).length;
  const sources: Record<string, number> = {};
  for (const t of thresholdModels) sources[t.source] = (sources[t.source] ?? 0) + 1;
  const threshold = {
    models: eligibleModels,
    better: count('better'),
    same: count('same'),
    worse: count('worse'),
    sources,
    medianBalancedAccuracy: median(thresholdModels.map((t) => t.learned)),
    medianBalancedAccuracyFormula: median(thresholdModels.map((t) => t.formula)),
  };

  // 3. Drift.
  const alerts = await ml.getDriftAlerts();
  const monitored = new Set([...states.values()].filter((s) => s.driftBaselineMean !== null).map((s) => s.model));
  const driftRows: DriftRow[] = written.summary.drifts.map((d) => {
    const units = (byModel.get(d.model) ?? []).filter(clean);
    const mine = alerts.filter((a) => a.model === d.model);
    const hit = mine
      .filter((a) => a.direction === d.direction && a.detectedDate.getTime() >= d.onsetDate.getTime())
      .sort((a, b) => a.detectedDate.getTime() - b.detectedDate.getTime())[0];
    const delayUnits = hit
      ? new Set(
          units.filter((r) => r.track.fileDate >= d.onsetDate && r.track.fileDate <= hit.detectedDate).map((r) => r.run.truth.unitIndex),
        ).size
      : null;
    return {
      model: d.model,
      sizeSigma: d.sizeSigma,
      direction: d.direction,
      shape: d.shape ?? 'step',
      unitsBefore: d.unitsBefore,
      unitsAfter: d.unitsAfter,
      monitored: monitored.has(d.model),
      caught: hit !== undefined,
      delayUnits,
      wrongDirectionAfterOnset: mine.some((a) => a.direction !== d.direction && a.detectedDate.getTime() >= d.onsetDate.getTime()),
      alarmBeforeOnset: mine.some((a) => a.detectedDate.getTime() < d.onsetDate.getTime()),
    };
  });
  const stable = [...specs.values()].filter((m) => m.role === 'normal' && m.drift === null && byModel.has(m.name));
  const stableMonitored = stable.filter((m) => monitored.has(m.name));
  // Skewness of ln sigma over each stable monitored model's clean tracks, to see where false alarms fall.
  const skew = new Map(
    stableMonitored.map((m) => [
      m.name,
      skewness((byModel.get(m.name) ?? []).filter(clean).map((r) => Math.log(r.track.sigmaGradient as number))),
    ]),
  );
  const skewSorted = [...skew.values()].sort((a, b) => a - b);
  const tertile = (s: number): 'low' | 'mid' | 'high' =>
    s <= skewSorted[Math.floor(skewSorted.length / 3)]!
      ? 'low'
      : s <= skewSorted[Math.floor((2 * skewSorted.length) / 3)]!
        ? 'mid'
        : 'high';
  const stableFlagged = stableMonitored
    .filter((m) => alerts.some((a) => a.model === m.name))
    .map((m) => {
      const mine = alerts.filter((a) => a.model === m.name);
      return {
        model: m.name,
        units: m.units,
        skewness: skew.get(m.name)!,
        skewTertile: tertile(skew.get(m.name)!),
        alerts: mine.map((a) => ({
          direction: a.direction,
          detected: a.detectedDate.toISOString().slice(0, 10),
          sizeSigma: Number(a.sizeSigma.toFixed(2)),
          statistic: a.statistic,
        })),
      };
    });
  const drift = {
    injected: driftRows.length,
    stable: stable.length,
    stableMonitored: stableMonitored.length,
    stableFlagged: stableFlagged.length,
    stableFlaggedModels: stableFlagged,
  };

  // 4. Coverage.
  const learnedThreshold = new Set<string>();
  for (const m of dbModels) if ((await ml.getThreshold(m.model)) !== undefined) learnedThreshold.add(m.model);
  const served = status.rows.filter(
    (r) =>
      r.predictorKind !== 'none' &&
      (learnedThreshold.has(r.model) ||
        !['formula', 'none', undefined, null].includes((r as unknown as Record<string, unknown>)['thresholdSource'] as string)),
  ).length;
  const coverage = {
    models: dbModels.length,
    trainedMl: [...states.values()].filter((s) => s.isTrained).length,
    plantBacked: status.rows.filter((r) => r.tier === 'plant-backed').length,
    learnedThreshold: learnedThreshold.size,
    withPredictor: status.rows.filter((r) => r.predictorKind !== 'none').length,
    servedByLearned: served,
    tracks: applied.tracks,
    tracksWithProbability: applied.probabilityTracks,
  };
  const result = {
    scenario,
    seed,
    tracks: written.tracksWritten,
    models: dbModels.length,
    trainMs,
    applyMs,
    trained: {
      trained: trained.trained,
      skipped: trained.skipped,
      failed: trained.failed,
      pooledSamples: trained.pooled?.samples ?? null,
      pooledAuc: trained.pooled?.auc ?? null,
    },
    probability,
    threshold,
    thresholdModels,
    drift,
    driftRows,
    coverage,
  };
  console.log(
    `  ${scenario} seed ${seed}: ${written.tracksWritten} tracks, ${dbModels.length} models; train ${(trainMs / 1000).toFixed(1)} s, apply ${(applyMs / 1000).toFixed(1)} s; ` +
      `AUC ${probability.auc.toFixed(4)} (HGB ${probability.hgbAuc?.toFixed(4) ?? '-'}); thresholds ${threshold.better}/${threshold.same}/${threshold.worse} of ${threshold.models}; ` +
      `drifts caught ${driftRows.filter((r) => r.caught).length}/${driftRows.length}; stable flagged ${stableFlagged.length}/${stableMonitored.length}`,
  );
  return result;
}

type SeedResult = Awaited<ReturnType<typeof runSeed>>;

// ------------------------------------------------------------------------------------------------ report

const f = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
const ok = (b: boolean | null): string => (b === null ? 'n/a' : b ? 'PASS' : 'MISS');

interface Bar {
  metric: string;
  bar: string;
  perSeed: string[];
  overall: string;
  pass: boolean | null;
}

function driftCells(rs: readonly DriftRow[]) {
  const cells: {
    size: string;
    after: string;
    direction: string;
    n: number;
    caught: number;
    rate: number | null;
    medianDelay: number | null;
  }[] = [];
  const afterBands: { key: string; test: (n: number) => boolean }[] = [
    { key: '<30', test: (n) => n < 30 },
    ...AFTER_BANDS.map((a) => ({ key: `≥${a}`, test: (n: number) => n >= a })),
  ];
  for (const s of SIZE_BANDS) {
    for (const a of afterBands) {
      for (const dir of ['up', 'down', 'both'] as const) {
        const sel = rs.filter(
          (r) => r.sizeSigma >= s.lo && r.sizeSigma < s.hi && a.test(r.unitsAfter) && (dir === 'both' || r.direction === dir),
        );
        const caught = sel.filter((r) => r.caught);
        cells.push({
          size: s.key,
          after: a.key,
          direction: dir,
          n: sel.length,
          caught: caught.length,
          rate: sel.length ? caught.length / sel.length : null,
          medianDelay: median(caught.map((r) => r.delayUnits!)),
        });
      }
    }
  }
  return cells;
}

function report(scenario: SyntheticScenario, results: readonly SeedResult[]) {
  const seeds = results.map((r) => `seed ${r.seed}`);
  const every = (xs: (boolean | null)[]): boolean | null => (xs.some((x) => x === null) ? null : xs.every(Boolean));
  const sum = (g: (r: SeedResult) => number) => results.reduce((a, r) => a + g(r), 0);
  const allDrift = results.flatMap((r) => r.driftRows);
  const cellRate = (rs: readonly DriftRow[], lo: number, hi: number, after: number) => {
    const sel = rs.filter((r) => r.sizeSigma >= lo && r.sizeSigma < hi && r.unitsAfter >= after);
    return { n: sel.length, caught: sel.filter((r) => r.caught).length };
  };
  const bars: Bar[] = [
    {
      metric: 'AUC, never-linked units (library)',
      bar: '≥ HGB + 0.005, every seed',
      perSeed: results.map((r) => f(r.probability.auc, 4)),
      overall: '',
      pass: every(results.map((r) => (r.probability.hgbAuc === null ? null : r.probability.auc >= r.probability.hgbAuc + 0.005))),
    },
    {
      metric: '  sklearn HistGradientBoosting AUC',
      bar: 'baseline',
      perSeed: results.map((r) => f(r.probability.hgbAuc, 4)),
      overall: '',
      pass: null,
    },
    {
      metric: '  error/spec ratio AUC',
      bar: 'baseline',
      perSeed: results.map((r) => f(r.probability.ratioAuc, 4)),
      overall: '',
      pass: null,
    },
    {
      metric: '  oracle (true probability) AUC',
      bar: 'ceiling',
      perSeed: results.map((r) => f(r.probability.oracleAuc, 4)),
      overall: '',
      pass: null,
    },
    {
      metric: 'Brier, never-linked units (library)',
      bar: '≤ HGB, every seed',
      perSeed: results.map((r) => f(r.probability.brier, 4)),
      overall: '',
      pass: every(results.map((r) => (r.probability.hgbBrier === null ? null : r.probability.brier <= r.probability.hgbBrier))),
    },
    {
      metric: '  sklearn HistGradientBoosting Brier',
      bar: 'baseline',
      perSeed: results.map((r) => f(r.probability.hgbBrier, 4)),
      overall: '',
      pass: null,
    },
    {
      metric: '  error/spec ratio Brier (logistic fit)',
      bar: 'baseline',
      perSeed: results.map((r) => f(r.probability.ratioBrier, 4)),
      overall: '',
      pass: null,
    },
    { metric: '  oracle Brier', bar: 'ceiling', perSeed: results.map((r) => f(r.probability.oracleBrier, 4)), overall: '', pass: null },
    {
      metric: '  evaluated units (failures)',
      bar: '',
      perSeed: results.map((r) => `${r.probability.n} (${r.probability.failures})`),
      overall: '',
      pass: null,
    },
    {
      metric: 'thresholds better than formula',
      bar: '≥ 85% of models, pooled',
      perSeed: results.map((r) => `${r.threshold.better}/${r.threshold.models} ${pct(r.threshold.better, r.threshold.models)}`),
      overall: `${sum((r) => r.threshold.better)}/${sum((r) => r.threshold.models)} ${pct(
        sum((r) => r.threshold.better),
        sum((r) => r.threshold.models),
      )}`,
      pass: sum((r) => r.threshold.models) ? sum((r) => r.threshold.better) / sum((r) => r.threshold.models) >= 0.85 : null,
    },
    {
      metric: 'thresholds worse than formula',
      bar: '≤ 5% of models, pooled',
      perSeed: results.map((r) => `${r.threshold.worse}/${r.threshold.models} ${pct(r.threshold.worse, r.threshold.models)}`),
      overall: `${sum((r) => r.threshold.worse)}/${sum((r) => r.threshold.models)} ${pct(
        sum((r) => r.threshold.worse),
        sum((r) => r.threshold.models),
      )}`,
      pass: sum((r) => r.threshold.models) ? sum((r) => r.threshold.worse) / sum((r) => r.threshold.models) <= 0.05 : null,
    },
    {
      metric: '  same as formula (incl. formula kept)',
      bar: '',
      perSeed: results.map((r) => `${r.threshold.same}/${r.threshold.models}`),
      overall: `${sum((r) => r.threshold.same)}/${sum((r) => r.threshold.models)}`,
      pass: null,
    },
    {
      metric: '  threshold source (models counted)',
      bar: '',
      perSeed: results.map((r) =>
        Object.entries(r.threshold.sources)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ),
      overall: '',
      pass: null,
    },
    {
      metric: 'stable models flagged (whole history)',
      bar: '≤ 2%, pooled',
      perSeed: results.map(
        (r) => `${r.drift.stableFlagged}/${r.drift.stableMonitored} ${pct(r.drift.stableFlagged, r.drift.stableMonitored)}`,
      ),
      overall: `${sum((r) => r.drift.stableFlagged)}/${sum((r) => r.drift.stableMonitored)} ${pct(
        sum((r) => r.drift.stableFlagged),
        sum((r) => r.drift.stableMonitored),
      )}`,
      pass: sum((r) => r.drift.stableMonitored) ? sum((r) => r.drift.stableFlagged) / sum((r) => r.drift.stableMonitored) <= 0.02 : null,
    },
    ...(
      [
        ['shifts ≥ 1σ, ≥ 30 units after onset, caught', 1, Infinity, 30, 0.9, '≥ 90%, pooled'],
        ['shifts 0.5–1σ, ≥ 100 units after onset, caught', 0.5, 1, 100, 0.6, '≥ 60%, pooled'],
      ] as const
    ).map(([metric, lo, hi, after, target, bar]): Bar => {
      const per = results.map((r) => cellRate(r.driftRows, lo, hi, after));
      const all = cellRate(allDrift, lo, hi, after);
      return {
        metric,
        bar,
        perSeed: per.map((c) => `${c.caught}/${c.n} ${pct(c.caught, c.n)}`),
        overall: `${all.caught}/${all.n} ${pct(all.caught, all.n)}`,
        pass: all.n ? all.caught / all.n >= target : null,
      };
    }),
    {
      metric: 'models with trained ML (design metric)',
      bar: '> 80%, every seed',
      perSeed: results.map(
        (r) =>
          `${r.coverage.trainedMl}/${r.coverage.models} ${pct(r.coverage.trainedMl, r.coverage.models)} (${r.coverage.plantBacked} plant-backed)`,
      ),
      overall: '',
      pass: every(results.map((r) => r.coverage.trainedMl / r.coverage.models > 0.8)),
    },
    {
      metric: 'models served by learned threshold + predictor',
      bar: '≥ 95%, every seed',
      perSeed: results.map(
        (r) => `${r.coverage.servedByLearned}/${r.coverage.models} ${pct(r.coverage.servedByLearned, r.coverage.models)}`,
      ),
      overall: '',
      pass: every(results.map((r) => r.coverage.servedByLearned / r.coverage.models >= 0.95)),
    },
    {
      metric: 'tracks with a probability',
      bar: '≥ 98%, every seed',
      perSeed: results.map((r) => pct(r.coverage.tracksWithProbability, r.coverage.tracks)),
      overall: '',
      pass: every(results.map((r) => r.coverage.tracksWithProbability / r.coverage.tracks >= 0.98)),
    },
    {
      metric: 'train all / apply (wall s)',
      bar: 'ratio vs main, same run',
      perSeed: results.map((r) => `${(r.trainMs / 1000).toFixed(1)} / ${(r.applyMs / 1000).toFixed(1)}`),
      overall: '',
      pass: null,
    },
  ];
  const w0 = 48;
  const wS = Math.max(16, ...bars.flatMap((b) => b.perSeed.map((s) => s.length + 2)));
  const wO = 18;
  const wB = 28;
  console.log(
    `\n=== ${scenario} scenario (${seeds.join(', ')}; ${tracks} tracks, ${models} models, drift in ${Math.round(driftFraction * 100)} % of eligible models) ===`,
  );
  console.log(`${'metric'.padEnd(w0)}${seeds.map((s) => s.padEnd(wS)).join('')}${'pooled'.padEnd(wO)}${'bar'.padEnd(wB)}verdict`);
  for (const b of bars)
    console.log(
      `${b.metric.padEnd(w0)}${b.perSeed.map((s) => s.padEnd(wS)).join('')}${b.overall.padEnd(wO)}${b.bar.padEnd(wB)}${b.pass === null ? '' : ok(b.pass)}`,
    );
  if (sklearnNote) console.log(`note: scikit-learn baseline ${sklearnNote}`);
  console.log(
    `\ndrift caught (alert in the true direction detected at/after onset), pooled over seeds; delay = median units from onset to detection`,
  );
  console.log(`${'size'.padEnd(9)}${'after'.padEnd(7)}${'up'.padEnd(20)}${'down'.padEnd(20)}${'both'.padEnd(20)}`);
  const cells = driftCells(allDrift);
  for (const s of SIZE_BANDS) {
    for (const a of ['<30', '≥30', '≥100']) {
      const line = (['up', 'down', 'both'] as const).map((d) => {
        const c = cells.find((x) => x.size === s.key && x.after === a && x.direction === d)!;
        return `${c.caught}/${c.n}${c.n ? ` ${pct(c.caught, c.n)}` : ''}${c.medianDelay !== null ? ` d${c.medianDelay}` : ''}`.padEnd(20);
      });
      console.log(`${s.key.padEnd(9)}${a.padEnd(7)}${line.join('')}`);
    }
  }
  const flagged = results.flatMap((r) => r.drift.stableFlaggedModels);
  if (flagged.length) {
    const t = (k: string) => flagged.filter((x) => x.skewTertile === k).length;
    console.log(
      `stable models flagged by skewness tertile of ln sigma (low / mid / high): ${t('low')} / ${t('mid')} / ${t('high')}; alarms up ${flagged.flatMap((x) => x.alerts).filter((a) => a.direction === 'up').length}, down ${flagged.flatMap((x) => x.alerts).filter((a) => a.direction === 'down').length}`,
    );
  }
  return { bars, driftCells: cells };
}

// ------------------------------------------------------------------------------------------------ main

console.log(
  `bench:quality — ${plans.map((p) => `${p.scenario} seeds ${p.seeds.join(',')}`).join('; ')}; ${tracks} tracks / ${models} models per seed`,
);
const out: Record<string, unknown> = {
  machine: machineInfo(),
  date: new Date().toISOString(),
  tracks,
  models,
  driftFraction,
  realisticOptions: realisticOptions ?? null,
  sklearn: sklearnNote ?? 'used',
  scenarios: {},
};
const tables: [SyntheticScenario, SeedResult[]][] = [];
for (const p of plans) {
  const results: SeedResult[] = [];
  for (const seed of p.seeds) results.push(await runSeed(p.scenario, seed));
  tables.push([p.scenario, results]);
}
for (const [scenario, results] of tables) {
  const summary = report(scenario, results);
  (out['scenarios'] as Record<string, unknown>)[scenario] = { seeds: results, bars: summary.bars, driftCells: summary.driftCells };
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(outPath, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote ${outPath}`);
