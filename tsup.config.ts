import { defineConfig } from 'tsup';

const external = ['kysely', 'better-sqlite3', 'pg', 'pg-cursor', 'simple-statistics'];

export default defineConfig([
  {
    // The library: dual ESM + CJS with type declarations. The worker is its own entry so that
    // `new Worker(new URL('./train-worker.js', import.meta.url))` finds it next to the bundle.
    entry: {
      index: 'src/index.ts',
      synthetic: 'src/synthetic/index.ts',
      'train-worker': 'src/manager/train-worker.ts',
      'score-worker': 'src/manager/score-worker.ts',
    },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', synthetic: 'src/synthetic/index.ts' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    shims: true,
    treeshake: true,
    external,
  },
  {
    // The `laser-trim-ml` command (ESM only).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    splitting: false,
    external,
  },
]);
