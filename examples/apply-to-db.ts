/**
 * Example: apply the trained models to every track of the database, then look at what was learned.
 *
 * Shows: `MLManager.applyToDatabase` with progress in records, the counts it returns, the result columns it wrote
 * (`sigma_threshold`, `sigma_pass`, `failure_probability`, `risk_category`), drift alerts (checked against the drift
 * the synthetic generator planted), one model's insights, and `getFailureProbability` for a single track.
 *
 * Self-contained: builds a small synthetic SQLite plant in a temp dir and trains it first (deleted at the end).
 * Run:  npx tsx examples/apply-to-db.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { MLManager, createReferenceSchema, createSqliteRepository, type TrimTrack } from 'laser-trim-ml';
import { writePlant } from 'laser-trim-ml/synthetic';

const day = (d: Date): string => d.toISOString().slice(0, 10);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'laser-trim-example-'));
  const file = join(dir, 'plant.db');
  try {
    const host = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    await createReferenceSchema(host);
    await host.destroy();
    const repo = await createSqliteRepository({ file }, { migrate: true });
    try {
      const plant = await writePlant(repo, { seed: 11, tracks: 12_000, models: 20, driftModelFraction: 0.3 });
      const ml = new MLManager(repo, { trees: 50 });
      const trained = await ml.trainAllModels();
      console.log(`Plant: ${plant.tracksWritten} tracks, ${plant.summary.models} models; trained ${trained.trained} models.`);

      // 1. Apply: every track gets its threshold, sigma pass, failure probability and risk category.
      let nextQuarter = 0.25;
      const applied = await ml.applyToDatabase({
        batchSize: 2_000,
        onProgress: (e) => {
          const frac = (e.recordsDone ?? 0) / Math.max(1, e.recordsTotal ?? 1);
          if (frac < nextQuarter && e.phase !== 'done') return;
          while (nextQuarter <= frac) nextQuarter += 0.25;
          console.log(`  apply ${e.phase}: ${e.recordsDone}/${e.recordsTotal} records, ${e.modelsDone}/${e.modelsTotal} models`);
        },
      });
      console.log(
        `Applied to ${applied.tracks} tracks in ${(applied.durationMs / 1000).toFixed(1)} s: ${applied.learnedThresholdTracks} with a learned ` +
          `threshold, ${applied.formulaThresholdTracks} with the formula, ${applied.probabilityTracks} with a failure probability, ` +
          `${applied.newDriftAlerts} new drift alerts, ${applied.failedModels} failed models.`,
      );

      // 2. What landed in the host's track table (plain SQL, read-only).
      const sqlite = new Database(file, { readonly: true });
      const risk = sqlite
        .prepare('SELECT risk_category AS risk, COUNT(*) AS n FROM track_results GROUP BY risk_category ORDER BY n DESC')
        .all() as { risk: string | null; n: number }[];
      sqlite.close();
      console.log(`Risk categories in track_results: ${risk.map((r) => `${r.risk ?? 'none'} ${r.n}`).join(', ')}`);

      // 3. Drift alerts: one per model per episode, next to what the generator planted.
      console.log('\nDrift alerts:');
      for (const a of await ml.getDriftAlerts()) {
        console.log(
          `  ${a.model}: ${a.direction} ${a.sizeSigma.toFixed(1)} σ since ${day(a.onsetDate)} (detected ${day(a.detectedDate)}, ${a.statistic})`,
        );
      }
      for (const d of plant.summary.drifts) console.log(`  planted: ${d.model} ${d.direction} ${d.sizeSigma} σ from ${day(d.onsetDate)}`);

      // 4. One model's insights: the largest model that has its own forest (else the largest trained one).
      const rows = (await ml.getTrainingStatus()).rows.filter((r) => r.status === 'trained' || r.status === 'drifting');
      const model = (rows.find((r) => r.predictorKind === 'own') ?? rows[0])?.model;
      if (model === undefined) throw new Error('No model was trained.');
      const insights = await ml.getModelInsights(model);
      if (!insights) throw new Error(`No insights for ${model}.`);
      const s = insights.state;
      console.log(`\nInsights for ${model}: ${s.trainingSamples} samples (${s.finalTestSamples} with Final Test), label ${s.labelSource}`);
      console.log(
        `  learned threshold ${s.sigmaThreshold?.toPrecision(4) ?? 'none (formula)'}, predictor ${insights.predictor?.kind}, AUC ${s.predictorAuc?.toFixed(3)}`,
      );
      for (const i of insights.insights.slice(0, 6)) console.log(`  [${i.severity}] ${i.message}`);

      // 5. The failure probability of one unit, as a live system would ask right after trimming it; it matches
      //    what apply stored for that track.
      let track: TrimTrack | undefined;
      for await (const batch of repo.readTracksForApply(model, { batchSize: 50 })) {
        track = batch.find((t) => t.sigmaGradient !== null && t.status !== 'ERROR');
        if (track) break;
      }
      if (!track || track.sigmaGradient === null) throw new Error(`No usable track of ${model}.`);
      const p = await ml.getFailureProbability(model, track);
      const check = new Database(file, { readonly: true });
      const stored = check.prepare('SELECT failure_probability AS p FROM track_results WHERE id = ?').get(track.trackResultId) as {
        p: number | null;
      };
      check.close();
      console.log(
        `\nTrack ${track.trackResultId} of ${model} (serial ${track.serial}, sigma ${track.sigmaGradient.toPrecision(3)}, trim ${track.linearityPass ? 'pass' : 'fail'}):`,
      );
      console.log(
        `  failure probability ${p?.toFixed(3)} (stored by apply: ${stored.p?.toFixed(3)}); model threshold ${(await ml.getThreshold(model))?.toPrecision(4)}`,
      );
      if (applied.failedModels > 0 || p === undefined || stored.p === null || Math.abs(p - stored.p) > 1e-9) process.exitCode = 1;
    } finally {
      await repo.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
