#!/usr/bin/env bash
# Compatibility run on Node 22 with today's releases of the peers that need it (kysely 0.29, better-sqlite3 13):
# a copy of the tracked sources gets those versions, the type check runs against them, and the storage contract tests
# and one end-to-end train + apply run on Node 22. Node 22 comes from the npm registry as the `node-linux-<arch>`
# package, which ships the binary and the headers that better-sqlite3 compiles against (no other download).
# Run by .ci/run; locally: `bash .ci/node22.sh`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

arch="$(node -p process.arch)"
echo "== node22: installing node-linux-$arch@22 from the npm registry"
npm install --prefix "$work/node22" --ignore-scripts --no-audit --no-fund --loglevel=error "node-linux-$arch@22" >/dev/null
node22_home="$work/node22/node_modules/node-linux-$arch"
export PATH="$node22_home/bin:$PATH"
export npm_config_nodedir="$node22_home"
echo "== node22: $(node --version) at $(command -v node)"

echo "== node22: a copy of the sources with kysely@0.29 and better-sqlite3@13"
mkdir -p "$work/src"
(cd "$root" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work/src"
cd "$work/src"
rm -f package-lock.json
npm pkg set 'devDependencies.kysely=~0.29.0' 'devDependencies.better-sqlite3=^13.0.0' >/dev/null
# Lifecycle scripts off for the install (no `prepare` build here); better-sqlite3 is then compiled for Node 22.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
npm rebuild better-sqlite3 esbuild --loglevel=error
version_of() { node -p "JSON.parse(require('fs').readFileSync('node_modules/$1/package.json', 'utf8')).version"; }
echo "kysely $(version_of kysely) / better-sqlite3 $(version_of better-sqlite3)"
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

echo "== node22: type check against kysely $(version_of kysely)"
npx --no-install tsc --noEmit -p tsconfig.json
echo "== node22: storage contract and end-to-end tests"
npx --no-install vitest run test/storage test/manager/manager.test.ts test/examples
# The built package on Node 22 with kysely 0.29: both module formats load the migrator (kysely 0.29 moved `Migrator`
# to `kysely/migration`) and train on worker threads + apply. The smoke scripts import the package by its own name,
# which Node resolves to this copy's dist through the package's `exports` (self-reference).
echo "== node22: built package (ESM and CommonJS) against kysely $(version_of kysely)"
npx --no-install tsup >/dev/null
node .ci/pack-check/esm.mjs
node .ci/pack-check/cjs.cjs
