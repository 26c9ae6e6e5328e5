// A/B of train-all time: a base checkout (argv[2], e.g. /work/main or a git archive of main with node_modules linked)
// against this tree, alternating on the same plant (argv[3]: realistic | classic; argv[4]: rounds, default 3). Prints
// wall and process CPU time (user + system, every thread of the process) per round, and the medians' ratios.
// Usage: tsx bench/ab-train.ts /tmp/base realistic 5
import { MLManager as NewManager } from '../src/manager/ml-manager.js';
import { createMemoryRepository } from '../src/storage/memory/memory-repository.js';
import { writePlant } from '../src/synthetic/index.js';
const base = process.argv[2]!;
const { MLManager: BaseManager } = (await import(`${base}/src/manager/ml-manager.ts`)) as { MLManager: typeof NewManager };
const scenario = (process.argv[3] ?? 'realistic') as 'realistic' | 'classic';
const rounds = Number(process.argv[4] ?? 3);
const mk = async () => {
  const r = createMemoryRepository();
  await writePlant(r, { seed: 101, tracks: 80000, models: 300, scenario });
  return r;
};
const rb = await mk();
const rn = await mk();
const time = async (f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> => {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const u = process.cpuUsage(c);
  return { wall: (performance.now() - t) / 1000, cpu: (u.user + u.system) / 1e6 };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const b: { wall: number; cpu: number }[] = [];
const n: { wall: number; cpu: number }[] = [];
for (let i = 0; i < rounds; i++) {
  b.push(await time(() => new BaseManager(rb, { seed: 42 }).trainAllModels()));
  n.push(await time(() => new NewManager(rn, { seed: 42 }).trainAllModels()));
  const [x, y] = [b[i]!, n[i]!];
  console.log(
    `round ${i + 1}: base ${x.wall.toFixed(1)} s wall / ${x.cpu.toFixed(2)} s CPU, new ${y.wall.toFixed(1)} s / ${y.cpu.toFixed(2)} s, CPU ratio ${(y.cpu / x.cpu).toFixed(3)}`,
  );
}
const mb = median(b.map((x) => x.cpu));
const mn = median(n.map((x) => x.cpu));
const ratios = n.map((x, i) => x.cpu / b[i]!.cpu);
console.log(
  `median CPU: base ${mb.toFixed(2)} s, new ${mn.toFixed(2)} s (ratio of medians ${(mn / mb).toFixed(3)}); median of the rounds' CPU ratios ${median(ratios).toFixed(3)}; median wall ratio ${(median(n.map((x) => x.wall)) / median(b.map((x) => x.wall))).toFixed(3)}`,
);
