/**
 * Example: your own storage adapter. `MLManager` only talks to an `MLRepository`, so any store works.
 *
 * The adapter is examples/json-file-repository.ts: plain arrays saved to one JSON file after every write. Here the
 * synthetic generator fills it (it also implements `HostDataWriter`), the manager trains and applies, and a fresh
 * repository over the same file shows that the trained state persisted.
 *
 * Run:  npx tsx examples/custom-repository.ts      (works in a temp dir, deleted at the end)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLManager } from 'laser-trim-ml';
import { writePlant } from 'laser-trim-ml/synthetic';
import { JsonFileRepository } from './json-file-repository.js';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'laser-trim-example-'));
  const file = join(dir, 'plant.json');
  try {
    const repo = new JsonFileRepository(file);
    const written = await writePlant(repo, { seed: 9, tracks: 3_000, models: 10 });
    const ml = new MLManager(repo, { trees: 30 });
    const trained = await ml.trainAllModels();
    const applied = await ml.applyToDatabase();
    console.log(
      `JSON-file repository: ${written.tracksWritten} tracks; trained ${trained.trained} models; applied to ${applied.tracks} tracks`,
    );
    for (const m of applied.models.filter((x) => x.error)) console.error(`apply failed for ${m.model}: ${m.error?.message}`);
    const biggest = [...trained.results].sort((a, b) => b.samples - a.samples)[0]!.model;
    for await (const batch of repo.readTracksForApply(biggest, { batchSize: 3 })) {
      for (const t of batch) {
        const r = repo.resultOf(t.trackResultId);
        console.log(
          `  ${biggest} track ${t.trackResultId}: sigma ${t.sigmaGradient?.toPrecision(3)} -> threshold ${r?.sigmaThreshold.toPrecision(3)}, ` +
            `pass ${r?.sigmaPass}, p(fail) ${r?.failureProbability?.toFixed(3)} (${r?.riskCategory})`,
        );
      }
      break;
    }

    // A fresh repository over the same file: everything was persisted.
    const reopened = new MLManager(new JsonFileRepository(file));
    await reopened.loadAll();
    const status = await reopened.getTrainingStatus();
    console.log(`Reopened ${file.split('/').pop()}: ${status.trained} trained, ${status.needMoreData} need more data`);
    for (const r of status.rows.slice(0, 4)) {
      const threshold = await reopened.getThreshold(r.model);
      console.log(
        `  ${r.model.padEnd(12)} ${String(r.samples).padStart(4)} samples  threshold ${threshold?.toPrecision(3) ?? 'formula'}  ${r.predictorKind}  ${r.status}`,
      );
    }
    if (trained.failed > 0 || applied.failedModels > 0 || status.trained !== trained.trained) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
