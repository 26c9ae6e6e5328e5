import { defineConfig } from 'tsup';

const external = ['kysely', 'kysely/migration', 'better-sqlite3', 'pg', 'pg-cursor', 'simple-statistics'];

// `npm run build` empties dist/ first (two configs build in parallel, so neither may clean).
// No source maps in the package: they were two thirds of its size, and the bundles are readable (not minified).
const common = {
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  clean: false,
  treeshake: true,
  external,
} as const;

export default defineConfig([
  {
    // ESM: the library, the `/stats` and `/synthetic` subpaths, the `laser-trim-ml` command and the two worker bundles, with code
    // splitting, so that the command and the workers import the library's shared chunks instead of re-bundling it.
    // The workers are entries of their own so that `new Worker(new URL('./train-worker.js', import.meta.url))` finds
    // them next to the chunk that starts them (all chunks are written flat into dist/).
    ...common,
    entry: {
      index: 'src/index.ts',
      stats: 'src/stats.ts',
      report: 'src/report.ts',
      synthetic: 'src/synthetic/index.ts',
      cli: 'src/cli/main.ts',
      'train-worker': 'src/manager/train/train-worker.ts',
      'score-worker': 'src/manager/runtime/score-worker.ts',
    },
    format: ['esm'],
    splitting: true,
    dts: { entry: { index: 'src/index.ts', stats: 'src/stats.ts', report: 'src/report.ts', synthetic: 'src/synthetic/index.ts' } },
  },
  {
    // CommonJS: the library, the subpaths and their workers (esbuild cannot split CommonJS output).
    ...common,
    entry: {
      index: 'src/index.ts',
      stats: 'src/stats.ts',
      report: 'src/report.ts',
      synthetic: 'src/synthetic/index.ts',
      'train-worker': 'src/manager/train/train-worker.ts',
      'score-worker': 'src/manager/runtime/score-worker.ts',
    },
    format: ['cjs'],
    splitting: false,
    shims: true,
    dts: { entry: { index: 'src/index.ts', stats: 'src/stats.ts', report: 'src/report.ts', synthetic: 'src/synthetic/index.ts' } },
  },
]);
