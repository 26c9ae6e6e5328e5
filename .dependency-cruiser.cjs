/**
 * Import rules of laser-trim-ml (docs/architecture.md): no import cycle of any kind, and the layers
 *
 *   cli ─► manager ─► profiler, predictor, threshold, drift ─► core
 *              └────► storage (the repository interface) ─► core
 *
 * Why dependency-cruiser and not eslint-plugin-import-x's `no-cycle`: import-x skips `import type` when it looks for
 * cycles (lib/rules/no-cycle.js returns early on type-only imports), and a cycle of types still ties the files
 * together; with `tsPreCompilationDeps` dependency-cruiser sees every import TypeScript sees, type-only included,
 * and one tool checks the cycles and the layers. (Version 17: 18 needs Node 22.) Run: `npm run lint:deps`.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycle, type-only imports included: move the shared type down a layer or into its own file.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-nothing-above',
      severity: 'error',
      comment: 'core/ is the bottom layer: domain types, features, labels, stats, rng. It imports only itself.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'components-import-only-core',
      severity: 'error',
      comment: 'The four components are pure and independent: each imports only itself and core/.',
      from: { path: '^src/(profiler|predictor|threshold|drift)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/core/'] },
    },
    {
      name: 'storage-never-imports-manager',
      severity: 'error',
      comment: 'storage/ implements the seam the manager needs; it knows nothing of the manager, the components or the CLI.',
      from: { path: '^src/storage/' },
      to: { path: '^src/(manager|cli|profiler|predictor|threshold|drift|insights|synthetic)/' },
    },
    {
      name: 'insights-import-only-core',
      severity: 'error',
      comment: 'insights/ holds the time-trend tests the manager reports; like a component it imports only core/.',
      from: { path: '^src/insights/' },
      to: { path: '^src/', pathNot: ['^src/insights/', '^src/core/'] },
    },
    {
      name: 'only-cli-imports-cli',
      severity: 'error',
      comment: 'cli/ is the top layer: the only place that touches process, argv and the terminal.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'manager-only-from-top',
      severity: 'error',
      comment: 'Only the CLI, the charts and report built on a trained manager, and the public entry points import it.',
      from: { path: '^src/', pathNot: ['^src/(cli|manager|charts|report)/', '^src/(index|report)\\.ts$'] },
      to: { path: '^src/manager/' },
    },
    {
      name: 'synthetic-writes-through-the-seam',
      severity: 'error',
      comment: 'synthetic/ builds on core/ and writes through the repository interface only.',
      from: { path: '^src/synthetic/' },
      to: { path: '^src/', pathNot: ['^src/synthetic/', '^src/core/', '^src/storage/repository\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
  },
};
