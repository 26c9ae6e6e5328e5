/**
 * The garbage bar of issue 10 at full size: 10,000 garbage rows of every kind (see test/manager/garbage-harness.ts)
 * mixed into a 40,000-track synthetic plant on SQLite, then train and apply. Prints the counts and exits 1 unless:
 * 0 whole-run failures, 0 failed models, every spoiled row counted under its reason (train and apply), every row read,
 * no non-finite number stored. Run: npm run bench:garbage (ROWS / TRACKS / MODELS / SEED override the defaults).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runGarbageHarness } from '../test/manager/garbage-harness.js';

const rows = Number(process.env.ROWS ?? 10_000);
const tracks = Number(process.env.TRACKS ?? 40_000);
const models = Number(process.env.MODELS ?? 120);
const seed = Number(process.env.SEED ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'ltml-garbage-'));
try {
  const r = await runGarbageHarness(join(dir, 'plant.db'), { tracks, rows, models, seed });
  const checks: [string, boolean][] = [
    ['0 whole-run failures (train and apply returned)', true],
    ['0 failed models in train', r.train.failed === 0],
    ['0 failed models in apply', r.apply.failedModels === 0],
    ['every row read by train and written by apply', r.trainRowsRead === r.tracks && r.applyTracks === r.tracks],
    ['per model: rowsRead = samples + excluded', r.uncountedModels.length === 0],
    ['train counts every spoiled row under its reason', isDeepStrictEqual(r.countedByTrain, r.spoiled)],
    ['apply counts every spoiled row under its reason', isDeepStrictEqual(r.countedByApply, r.spoiledApply)],
    ['no non-finite number stored', r.nonFinite === 0],
  ];
  console.log(`plant: ${r.tracks} tracks, ${r.models} models (seed ${seed}); garbage: ${r.spoiledRows} rows`);
  console.log('spoiled by reason:        ', JSON.stringify(r.spoiled));
  console.log('counted by train:         ', JSON.stringify(r.countedByTrain));
  console.log('counted by apply:         ', JSON.stringify(r.countedByApply), 'expected', JSON.stringify(r.spoiledApply));
  console.log(
    `train: ${r.train.trained} trained, ${r.train.skipped} skipped, ${r.train.failed} failed; apply: ${r.apply.tracks} tracks, ${r.apply.failedModels} failed`,
  );
  console.log(
    `times (s): write ${(r.durationMs.write / 1000).toFixed(1)}, inject ${(r.durationMs.inject / 1000).toFixed(1)}, train ${(r.durationMs.train / 1000).toFixed(1)}, apply ${(r.durationMs.apply / 1000).toFixed(1)}`,
  );
  for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
