// A/B of train-all wall time: a base checkout (argv[2], e.g. a git archive of main with node_modules linked) against
// this tree, alternating on the same plant (argv[3]: realistic | classic). Usage: tsx bench/ab-train.ts /tmp/base realistic
import { MLManager as NewManager } from '../src/manager/ml-manager.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant } from '../src/synthetic/index.js';
const base = process.argv[2]!;
const { MLManager: BaseManager } = (await import(`${base}/src/manager/ml-manager.ts`)) as { MLManager: typeof NewManager };
const scenario = (process.argv[3] ?? 'realistic') as 'realistic' | 'classic';
const mk = async () => { const r = createMemoryRepository(); await writePlant(r, { seed: 101, tracks: 80000, models: 300, scenario }); return r; };
const rb = await mk();
const rn = await mk();
for (let i = 0; i < 3; i++) {
  let t = Date.now();
  await new BaseManager(rb, { seed: 42 }).trainAllModels();
  const b = Date.now() - t;
  t = Date.now();
  await new NewManager(rn, { seed: 42 }).trainAllModels();
  const n = Date.now() - t;
  console.log(`round ${i + 1}: base ${(b / 1000).toFixed(1)} s, new ${(n / 1000).toFixed(1)} s, ratio ${(n / b).toFixed(3)}`);
}
