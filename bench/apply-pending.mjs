// Child process of the end-to-end benchmark's incremental scenario: on an existing SQLite file (trained and applied,
// new tracks added since), opens the repository and runs `applyToDatabase({ only: 'pending' })` with the built
// package, as a plant's import job would after adding new units. Reports the wall and CPU time of the call, of the
// whole job (open + apply + close), and what it did. Usage: node bench/apply-pending.mjs <file.db>
import { MLManager, createSqliteRepository } from '../dist/index.js';

const t0 = performance.now();
const c0 = process.cpuUsage();
const repo = await createSqliteRepository({ file: process.argv[2] });
const ml = new MLManager(repo);
const t1 = performance.now();
const c1 = process.cpuUsage();
const r = await ml.applyToDatabase({ only: 'pending' });
const applyS = (performance.now() - t1) / 1000;
const c2 = process.cpuUsage(c1);
await repo.close();
const totalS = (performance.now() - t0) / 1000;
const c3 = process.cpuUsage(c0);
const cpu = (u) => (u.user + u.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({
    applyS,
    applyCpuS: cpu(c2),
    totalS,
    totalCpuS: cpu(c3),
    only: r.only,
    tracks: r.tracks,
    models: r.models.length,
    continued: r.models.filter((m) => m.drift === 'continued').length,
    full: r.models.filter((m) => m.scope === 'all').length,
    newDriftAlerts: r.newDriftAlerts,
    failedModels: r.failedModels,
  })}\n`,
);
