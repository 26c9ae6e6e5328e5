/**
 * The CLI's commands. Each returns an exit code; output goes to the given streams.
 *
 * @module
 */
import { existsSync, rmSync } from 'node:fs';
import { DiskFullError, InvalidInputError } from '../core/errors.js';
import { MLManager } from '../manager/ml-manager.js';
import { buildCrossModelInsights } from '../manager/insights.js';
import type { CrossModelRow } from '../manager/insights.js';
import type { TrainingStatus } from '../manager/types.js';
import { trainingStatusText } from '../manager/status.js';
import { writePlant } from '../synthetic/index.js';
import { writePlantReport } from '../report/plant-report.js';
import { EXIT, type CliArgs } from './args.js';
import { resolveTarget } from './config.js';
import { isPostgresUrl, openRepository } from './open.js';
import { type ProgressStream, createProgressReporter } from './progress.js';
import { fmtDate, fmtPct, fmtSig, renderTable } from './table.js';

/** Where a command writes. */
export interface CliIO {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly signal: AbortSignal;
}

function out(io: CliIO, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function json(io: CliIO, value: unknown): void {
  out(
    io,
    JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v), 2),
  );
}

/**
 * The status table as text. Every figure says what it measures, and they agree with `drift` and `insights`:
 * - "drifting now" counts the models whose drift charts are out of control after the last apply (status
 *   `drifting`); "unacknowledged alerts" counts the alerts `laser-trim-ml drift` lists (one per drift episode; an
 *   episode that has ended keeps its alert until acknowledged, so the two can differ).
 * - "Thr BalAcc" / "Formula BalAcc": the held-out balanced accuracy of the learned threshold and of the plant formula
 *   on the same held-out units (the figures of the insights' threshold line); "Pred AUC" / "Pred acc": the
 *   out-of-sample AUC and accuracy (at p = 0.5) of the failure predictor serving the model (own or pooled forest).
 */
export function statusTable(status: TrainingStatus, comparison: readonly CrossModelRow[], openAlerts: number): string {
  const byModel = new Map(comparison.map((r) => [r.model, r]));
  const table = renderTable(status.rows, [
    { header: 'Model', value: (r) => r.model },
    { header: 'Samples', value: (r) => String(r.samples), align: 'right' },
    { header: 'Threshold', value: (r) => (r.sigmaThreshold === null ? 'formula' : fmtSig(r.sigmaThreshold)), align: 'right' },
    { header: 'Thr BalAcc', value: (r) => fmtPct(byModel.get(r.model)?.thresholdBalancedAccuracy), align: 'right' },
    { header: 'Formula BalAcc', value: (r) => fmtPct(byModel.get(r.model)?.formulaBalancedAccuracy), align: 'right' },
    {
      header: 'Thr source',
      value: (r) => (r.thresholdSource === 'blended' ? `blended ${r.thresholdWeight!.toFixed(2)}` : r.thresholdSource.replace('_', '-')),
    },
    { header: 'Predictor', value: (r) => r.predictorKind },
    { header: 'Pred AUC', value: (r) => fmtSig(r.auc, 3), align: 'right' },
    { header: 'Pred acc', value: (r) => fmtPct(r.accuracy), align: 'right' },
    { header: 'Label', value: (r) => r.labelSource ?? '-' },
    { header: 'Status', value: (r) => trainingStatusText(r) },
    { header: 'Tier', value: (r) => r.tier ?? '-' },
    {
      header: 'Drift',
      value: (r) => (r.driftMonitored ? 'monitored' : r.driftUnitsNeeded !== null ? `needs ${r.driftUnitsNeeded} more units` : '-'),
    },
  ]);
  const models = status.rows.length;
  const head =
    `Status: ${status.trained} of ${models} models trained (${status.plantBacked} of them plant-backed; ${status.needMoreData} need more data, ${status.failed} failed); ` +
    `${status.drifting} drifting now; ${openAlerts} unacknowledged drift ${openAlerts === 1 ? 'alert' : 'alerts'} ("laser-trim-ml drift" lists them)\n` +
    `Last trained: ${status.lastTrained ? status.lastTrained.toISOString().replace('T', ' ').slice(0, 16) : 'never'}\n` +
    'Thr BalAcc / Formula BalAcc: balanced accuracy of the learned threshold / of the formula on the same held-out units; ' +
    "Thr source: blended (with the own cut's weight), plant-wide, own or formula; " +
    'Tier: own (its own training) or plant-backed (fewer than min-samples: pooled forest, plant-wide threshold blended with its outcomes); ' +
    'Pred AUC / Pred acc: out-of-sample AUC / accuracy (at p = 0.5) of the failure predictor.';
  return `${head}\n\n${table}`;
}

/** The status table with the figures it needs from the comparison and the alerts. */
async function statusText(ml: MLManager): Promise<string> {
  const [s, comparison, alerts] = await Promise.all([
    ml.getTrainingStatus(),
    ml.getCrossModelComparison(),
    ml.getDriftAlerts({ unacknowledgedOnly: true }),
  ]);
  return statusTable(s, comparison, alerts.length);
}

/** The default database of the commands that open a plant's database. */
const DEFAULT_DB = './laser-trim.db';

async function withManager<T>(args: CliArgs, io: CliIO, fn: (ml: MLManager, db: string) => Promise<T>): Promise<T> {
  const target = resolveTarget(args, DEFAULT_DB);
  const repo = await openRepository(target.db, {
    migrate: false,
    schema: target.schema,
    onLockTakeover: (message) => io.stderr.write(`laser-trim-ml: ${message}\n`),
  });
  try {
    return await fn(new MLManager(repo, args.seed !== undefined ? { seed: args.seed } : {}), target.db);
  } finally {
    await repo.close();
  }
}

/**
 * The `--model` names that the database does not have, with one line saying so (a typo in a cron job must not
 * report success), or null when all exist.
 */
async function unknownModels(ml: MLManager, db: string, names: readonly string[] | undefined): Promise<string | null> {
  if (names === undefined) return null;
  const known = (await ml.repository.listModels()).map((m) => m.model);
  const have = new Set(known);
  const missing = names.filter((n) => !have.has(n));
  if (missing.length === 0) return null;
  const hint = (n: string): string => {
    const key = n.trim().toLowerCase();
    const close = known.find((k) => k.trim().toLowerCase() === key);
    return close !== undefined ? ` (did you mean ${JSON.stringify(close)}?)` : '';
  };
  return (
    `laser-trim-ml: no model ${missing.map((n) => `${JSON.stringify(n)}${hint(n)}`).join(', ')} in ${db} ` +
    `(it has ${known.length} models; "laser-trim-ml status" lists them); nothing was done.\n`
  );
}

async function train(args: CliArgs, io: CliIO): Promise<number> {
  const progress = createProgressReporter(io.stderr, { quiet: args.quiet || args.json });
  return withManager(args, io, async (ml, db) => {
    const unknown = await unknownModels(ml, db, args.models);
    if (unknown !== null) {
      io.stderr.write(unknown);
      return EXIT.data;
    }
    const r = await ml
      .trainAllModels({
        ...(args.minSamples !== undefined ? { minSamples: args.minSamples } : {}),
        ...(args.minPlantBackedSamples !== undefined ? { minPlantBackedSamples: args.minPlantBackedSamples } : {}),
        ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
        ...(args.models ? { models: args.models } : {}),
        ...(args.rebaselineDrift ? { rebaselineDrift: true } : {}),
        onProgress: (e) => progress.update(e),
        signal: io.signal,
      })
      .finally(() => progress.done());
    if (args.json) json(io, r);
    else {
      out(io, `Trained ${r.trained} models, ${r.skipped} need more data, ${r.failed} failed, in ${(r.durationMs / 1000).toFixed(1)} s.`);
      if (r.pooled)
        out(
          io,
          `Pooled forest: ${r.pooled.samples} Final Test units, out-of-bag AUC ${fmtSig(r.pooled.auc)}, Brier ${fmtSig(r.pooled.brier)}.`,
        );
      // A storage failure (a full disk) in one line, with the models it left unsaved; other failures one by one.
      if (r.storageError) out(io, r.storageError.message);
      const unsaved = r.results.filter((x) => x.status === 'failed' && x.error instanceof DiskFullError);
      if (unsaved.length > 0) out(io, `  not saved (disk full): ${unsaved.map((x) => JSON.stringify(x.model)).join(', ')}`);
      for (const f of r.results.filter((x) => x.status === 'failed' && !(x.error instanceof DiskFullError)))
        out(io, `  failed: ${JSON.stringify(f.model)}: ${f.message}`);
    }
    return r.failed > 0 ? EXIT.data : EXIT.ok;
  });
}

async function apply(args: CliArgs, io: CliIO): Promise<number> {
  const progress = createProgressReporter(io.stderr, { quiet: args.quiet || args.json });
  return withManager(args, io, async (ml, db) => {
    const unknown = await unknownModels(ml, db, args.models);
    if (unknown !== null) {
      io.stderr.write(unknown);
      return EXIT.data;
    }
    const r = await ml
      .applyToDatabase({
        ...(args.batchSize !== undefined ? { batchSize: args.batchSize } : {}),
        ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
        ...(args.models ? { models: args.models } : {}),
        ...(args.pending ? { only: 'pending' as const } : {}),
        onProgress: (e) => progress.update(e),
        signal: io.signal,
      })
      .finally(() => progress.done());
    if (args.json) json(io, r);
    else {
      const what = r.only === 'pending' ? 'new tracks' : 'tracks';
      out(
        io,
        `Applied to ${r.tracks.toLocaleString('en-US')} ${what} of ${r.models.length} models in ${(r.durationMs / 1000).toFixed(1)} s: ` +
          `${r.learnedThresholdTracks.toLocaleString('en-US')} with a learned threshold, ${r.formulaThresholdTracks.toLocaleString('en-US')} with the formula, ` +
          `${r.probabilityTracks.toLocaleString('en-US')} with a failure probability; ${r.newDriftAlerts} new drift alerts.`,
      );
      if (args.pending && r.only === 'all') out(io, '  (this database cannot list its new tracks: every track was applied)');
      for (const f of r.models.filter((m) => m.fullReason !== null && !m.error)) out(io, `  ${JSON.stringify(f.model)}: ${f.fullReason}`);
      for (const f of r.models.filter((m) => m.error)) out(io, `  failed: ${JSON.stringify(f.model)}: ${f.error!.message}`);
    }
    return r.failedModels > 0 ? EXIT.data : EXIT.ok;
  });
}

async function status(args: CliArgs, io: CliIO): Promise<number> {
  return withManager(args, io, async (ml) => {
    if (args.json) json(io, await ml.getTrainingStatus());
    else out(io, await statusText(ml));
    return EXIT.ok;
  });
}

async function insights(args: CliArgs, io: CliIO): Promise<number> {
  const model = args.positionals[0];
  if (model === undefined) throw new InvalidInputError('insights needs a model name: laser-trim-ml insights <model>');
  return withManager(args, io, async (ml) => {
    const i = await ml.getModelInsights(model);
    if (!i) {
      io.stderr.write(
        `laser-trim-ml: no trained state for model ${JSON.stringify(model)}; run "laser-trim-ml train" first, or check the name with "laser-trim-ml status".\n`,
      );
      return EXIT.data;
    }
    if (args.json) {
      json(io, i);
      return EXIT.ok;
    }
    const s = i.state;
    out(io, `Model ${s.model}: ${s.trainingSamples} samples (${s.finalTestSamples} with Final Test), label ${s.labelSource ?? '-'}`);
    out(
      io,
      `Threshold: ${s.sigmaThreshold !== null ? `${fmtSig(s.sigmaThreshold)} (confidence ${fmtSig(s.thresholdConfidence, 2)})` : 'formula'}`,
    );
    out(io, `Predictor: ${i.predictor?.kind ?? 'none'}: ${i.predictor?.reason ?? ''}`);
    out(
      io,
      `Drift: ${i.drift.isDrifting ? `drifting ${i.drift.direction}` : 'in control'} (baseline ${i.drift.baselineSamples} samples, ${i.drift.alerts.length} ${i.drift.alerts.length === 1 ? 'alert' : 'alerts'})`,
    );
    out(io, '');
    for (const x of i.insights) out(io, `[${x.severity}] ${x.message}`);
    return EXIT.ok;
  });
}

async function compare(args: CliArgs, io: CliIO): Promise<number> {
  return withManager(args, io, async (ml) => {
    const rows = await ml.getCrossModelComparison();
    if (args.json) {
      json(io, {
        rows,
        insights: buildCrossModelInsights(
          await ml.repository.listModelStates(),
          Math.min(ml.options.minSamples, ml.options.minPlantBackedSamples),
        ),
      });
      return EXIT.ok;
    }
    out(
      io,
      renderTable(rows, [
        { header: 'Model', value: (r) => r.model },
        { header: 'Samples', value: (r) => String(r.samples), align: 'right' },
        { header: 'Pass', value: (r) => fmtPct(r.passRate), align: 'right' },
        { header: 'FT fail', value: (r) => fmtPct(r.finalTestFailRate), align: 'right' },
        { header: 'Difficulty', value: (r) => fmtSig(r.difficulty, 2), align: 'right' },
        { header: 'Threshold', value: (r) => fmtSig(r.sigmaThreshold), align: 'right' },
        { header: 'BalAcc', value: (r) => fmtPct(r.thresholdBalancedAccuracy), align: 'right' },
        { header: 'Formula', value: (r) => fmtPct(r.formulaBalancedAccuracy), align: 'right' },
        { header: 'AUC', value: (r) => fmtSig(r.predictorAuc), align: 'right' },
        { header: 'Cpk', value: (r) => fmtSig(r.cpk, 2), align: 'right' },
        { header: 'Drift', value: (r) => (r.isDrifting ? (r.driftDirection ?? 'yes') : '-') },
      ]),
    );
    return EXIT.ok;
  });
}

/** `report`: the plant report as one self-contained HTML file (see docs/report.md). */
async function report(args: CliArgs, io: CliIO): Promise<number> {
  const file = args.out ?? './plant-report.html';
  return withManager(args, io, async (ml, db) => {
    const unknown = await unknownModels(ml, db, args.models);
    if (unknown !== null) {
      io.stderr.write(unknown);
      return EXIT.data;
    }
    const r = await writePlantReport(ml, file, {
      ...(args.models ? { models: args.models } : {}),
      signal: io.signal,
      onModel: (_m, done, total) => {
        if (!args.quiet && (done === total || done % 50 === 0)) io.stderr.write(`report: ${done}/${total} models drawn\n`);
      },
    });
    out(
      io,
      `Wrote ${r.file}: ${r.models} models, ${r.charts} charts (${r.unavailableCharts} unavailable, each with its reason), ${(r.bytes / 1e6).toFixed(2)} MB.`,
    );
    return EXIT.ok;
  });
}

async function drift(args: CliArgs, io: CliIO): Promise<number> {
  return withManager(args, io, async (ml) => {
    const alerts = await ml.getDriftAlerts(args.all ? {} : { unacknowledgedOnly: true });
    // Whether each alert's model is out of control now (after the last apply), as the status table counts it.
    const now = new Map(
      (await ml.getCrossModelComparison()).map((r) => [r.model, r.isDrifting ? `drifting ${r.driftDirection ?? ''}`.trim() : 'in control']),
    );
    if (args.json) json(io, alerts);
    else if (alerts.length === 0) out(io, args.all ? 'No drift alerts.' : 'No unacknowledged drift alerts.');
    else
      out(
        io,
        renderTable(alerts, [
          { header: 'Model', value: (a) => a.model },
          { header: 'Direction', value: (a) => a.direction },
          { header: 'Since', value: (a) => fmtDate(a.onsetDate) },
          { header: 'Detected', value: (a) => fmtDate(a.detectedDate) },
          { header: 'Size (σ)', value: (a) => a.sizeSigma.toFixed(2), align: 'right' },
          { header: 'Chart', value: (a) => a.statistic },
          { header: 'Ack', value: (a) => (a.acknowledged ? 'yes' : 'no') },
          { header: 'Model now', value: (a) => now.get(a.model) ?? '-' },
        ]),
      );
    if (!args.json && alerts.length > 0) {
      const drifting = new Set(alerts.filter((a) => now.get(a.model)?.startsWith('drifting')).map((a) => a.model)).size;
      out(
        io,
        `\n${alerts.length} ${alerts.length === 1 ? 'alert' : 'alerts'} (one per drift episode) of ${new Set(alerts.map((a) => a.model)).size} models, ${drifting} of which ${drifting === 1 ? 'is' : 'are'} drifting now.`,
      );
    }
    return EXIT.ok;
  });
}

async function migrate(args: CliArgs, io: CliIO): Promise<number> {
  const target = resolveTarget(args, DEFAULT_DB);
  const repo = await openRepository(target.db, { migrate: true, referenceSchema: args.referenceSchema, schema: target.schema });
  await repo.close();
  if (!args.quiet) out(io, `Migrated ${target.db}${args.referenceSchema ? ' (with the reference host tables)' : ''}.`);
  return EXIT.ok;
}

async function demo(cliArgs: CliArgs, io: CliIO): Promise<number> {
  const args = { ...cliArgs, db: cliArgs.db ?? './laser-trim-demo.db' };
  if (isPostgresUrl(args.db)) throw new InvalidInputError('demo writes a SQLite file; pass --db <file.db> (or omit it).');
  if (existsSync(args.db)) {
    // Only a database this command created (it carries a marker table) is replaced without --force.
    if (!args.force && !(await isDemoDatabase(args.db))) {
      throw new InvalidInputError(
        `${args.db} exists and was not created by "laser-trim-ml demo"; pass --force to overwrite it or choose another --db.`,
      );
    }
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${args.db}${suffix}`, { force: true });
  }
  const seed = args.seed ?? 1;
  const tracks = args.tracks ?? 20_000;
  const models = args.modelCount ?? 120;
  const quiet = args.quiet || args.json;
  const repo = await openRepository(args.db, { migrate: true, referenceSchema: true });
  try {
    await markDemoDatabase(args.db);
    if (!quiet)
      io.stderr.write(
        `Generating a demo plant: ${tracks.toLocaleString('en-US')} tracks, ${models} models (seed ${seed}) into ${args.db}\n`,
      );
    const t0 = Date.now();
    const written = await writePlant(repo, { seed, tracks, models }, { batchSize: 2000, signal: io.signal });
    if (!quiet)
      io.stderr.write(
        `Wrote ${written.tracksWritten.toLocaleString('en-US')} tracks and ${written.finalTestsWritten.toLocaleString('en-US')} Final Test records in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`,
      );
    const ml = new MLManager(repo);
    const progress = createProgressReporter(io.stderr, { quiet });
    const trained = await ml
      .trainAllModels({
        ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
        onProgress: (e) => progress.update(e),
        signal: io.signal,
      })
      .finally(() => progress.done());
    const applied = await ml
      .applyToDatabase({
        ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
        onProgress: (e) => progress.update(e),
        signal: io.signal,
      })
      .finally(() => progress.done());
    const s = await ml.getTrainingStatus();
    if (args.json) {
      json(io, { trained, applied, status: s });
      return EXIT.ok;
    }
    out(
      io,
      `Trained ${trained.trained} models in ${(trained.durationMs / 1000).toFixed(1)} s (${trained.skipped} need more data, ${trained.failed} failed).`,
    );
    out(
      io,
      `Applied to ${applied.tracks.toLocaleString('en-US')} tracks in ${(applied.durationMs / 1000).toFixed(1)} s; ` +
        `${applied.newDriftAlerts} new drift ${applied.newDriftAlerts === 1 ? 'alert' : 'alerts'} (one per drift episode).\n`,
    );
    out(io, await statusText(ml));
    // From the repository's sources (`npm run demo`) the command is `npm run cli --`; installed, it is `npx laser-trim-ml`.
    const command = import.meta.url.endsWith('.ts') ? 'npm run cli --' : 'npx laser-trim-ml';
    out(io, `\nThe demo database is ${args.db}. Try: ${command} insights ${JSON.stringify(s.rows[0]?.model ?? '<model>')} --db ${args.db}`);
    return trained.failed > 0 ? EXIT.data : EXIT.ok;
  } finally {
    await repo.close();
  }
}

const DEMO_MARKER = 'laser_trim_ml_demo';

async function isDemoDatabase(file: string): Promise<boolean> {
  const Database = (await import('better-sqlite3')).default;
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return db.prepare('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?').get('table', DEMO_MARKER) !== undefined;
  } catch {
    return false; // not a SQLite file at all: certainly not ours
  } finally {
    db?.close();
  }
}

async function markDemoDatabase(file: string): Promise<void> {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file);
  try {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${DEMO_MARKER} (created_at TEXT NOT NULL); INSERT INTO ${DEMO_MARKER} VALUES ('${new Date().toISOString()}')`,
    );
  } finally {
    db.close();
  }
}

/** Dispatches a parsed command. */
export async function runCommand(args: CliArgs, io: CliIO): Promise<number> {
  switch (args.command) {
    case 'demo':
      return demo(args, io);
    case 'migrate':
      return migrate(args, io);
    case 'train':
      return train(args, io);
    case 'apply':
      return apply(args, io);
    case 'status':
      return status(args, io);
    case 'insights':
      return insights(args, io);
    case 'compare':
      return compare(args, io);
    case 'drift':
      return drift(args, io);
    case 'report':
      return report(args, io);
    default:
      throw new InvalidInputError(`Unknown command ${JSON.stringify(args.command)}. Run laser-trim-ml --help.`);
  }
}
