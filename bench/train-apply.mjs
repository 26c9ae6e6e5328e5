// Child process of the end-to-end benchmark: trains and applies on an existing SQLite file with the built package
// and reports times and the process's peak resident memory (all threads), so the figure is not inflated by the data
// generation that filled the file. Usage: node bench/train-apply.mjs <file.db>
import { MLManager, createSqliteRepository } from '../dist/index.js';

const repo = await createSqliteRepository({ file: process.argv[2] });
const ml = new MLManager(repo);
let t = performance.now();
const trained = await ml.trainAllModels();
const trainS = (performance.now() - t) / 1000;
t = performance.now();
await ml.applyToDatabase();
const applyS = (performance.now() - t) / 1000;
await repo.close();
process.stdout.write(
  `${JSON.stringify({ trainS, applyS, trained: trained.trained, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
