import { MLManager } from '../src/manager/ml-manager.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant } from '../src/synthetic/index.js';
const mk = async () => { const r = createMemoryRepository(); await writePlant(r, { seed: 101, tracks: 80000, models: 300, scenario: 'realistic' }); return r; };
const ra = await mk(); const rb = await mk();
const A = new MLManager(ra, { seed: 42, minPlantBackedSamples: 50 }); await A.trainAllModels();
const B = new MLManager(rb, { seed: 42, minPlantBackedSamples: 10 }); await B.trainAllModels();
const cpu = async (f: () => Promise<unknown>) => { const c = process.cpuUsage(); const t = Date.now(); await f(); const d = process.cpuUsage(c); return [(d.user + d.system) / 1000, Date.now() - t]; };
const ra_: number[] = [];
for (let i = 0; i < 5; i++) {
  const a = await cpu(() => new MLManager(ra, { seed: 42, minPlantBackedSamples: 50 }).applyToDatabase({ concurrency: 1 }));
  const b = await cpu(() => new MLManager(rb, { seed: 42, minPlantBackedSamples: 10 }).applyToDatabase({ concurrency: 1 }));
  ra_.push(b[0]! / a[0]!);
  console.log(`apply cpu one tier ${a[0]!.toFixed(0)} ms (wall ${a[1]}), two tiers ${b[0]!.toFixed(0)} ms (wall ${b[1]}), ratio ${(b[0]! / a[0]!).toFixed(3)}`);
}
console.log('median ratio', ra_.sort()[2]);
