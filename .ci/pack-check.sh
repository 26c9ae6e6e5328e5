#!/usr/bin/env bash
# The package as a user installs it: `npm pack` (prepack builds dist/), install the tarball into an empty scratch
# project, then import it from ESM and CommonJS (the root, `/stats` and `/synthetic`; a small train on worker threads +
# apply on SQLite), type-check a consumer under `nodenext` and `bundler` resolution, run the `laser-trim-ml` bin,
# and lint the tarball with publint and @arethetypeswrong/cli. Run by .ci/run; locally: `npm run check:package`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
here="$root/.ci/pack-check"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== pack-check: npm pack"
cd "$root"
tarball="$scratch/$(npm pack --silent --pack-destination "$scratch" | tail -n 1)"
ls -l "$tarball"
tar -tzf "$tarball" > "$scratch/files.txt"
if grep -q '\.map$' "$scratch/files.txt"; then echo "pack-check: the tarball ships source maps" >&2; exit 1; fi
for f in package/dist/index.js package/dist/index.cjs package/dist/index.d.ts package/dist/index.d.cts \
  package/dist/stats.js package/dist/stats.cjs package/dist/stats.d.ts package/dist/stats.d.cts \
  package/dist/report.js package/dist/report.cjs package/dist/report.d.ts package/dist/report.d.cts \
  package/dist/synthetic.js package/dist/synthetic.cjs package/dist/cli.js package/dist/train-worker.js \
  package/dist/train-worker.cjs package/dist/score-worker.js package/dist/score-worker.cjs; do
  grep -qx "$f" "$scratch/files.txt" || { echo "pack-check: $f missing from the tarball" >&2; exit 1; }
done

echo "== pack-check: publint and attw on the tarball"
npx --no-install publint run "$tarball" --strict
npx --no-install attw "$tarball" --format table-flipped

echo "== pack-check: install into a scratch project"
app="$scratch/app"
mkdir -p "$app"
cp "$here"/esm.mjs "$here"/cjs.cjs "$here"/types.ts "$app"/
cd "$app"
printf '{ "name": "pack-check-app", "private": true, "version": "0.0.0" }\n' > package.json
version_of() { node -p "JSON.parse(require('fs').readFileSync('$root/node_modules/$1/package.json', 'utf8')).version"; }
kysely_version="$(version_of kysely)"
ts_version="$(version_of typescript)"
node_types="$(version_of @types/node)"
# better-sqlite3 is linked from the project's own install (compiling it again takes minutes); --ignore-scripts keeps
# npm from rebuilding it. The library's tarball has no install scripts of its own.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  "$tarball" "kysely@$kysely_version" "typescript@$ts_version" "@types/node@$node_types" \
  "$root/node_modules/better-sqlite3"

echo "== pack-check: ESM"
node esm.mjs
echo "== pack-check: CommonJS"
node cjs.cjs
for resolution in nodenext bundler; do
  echo "== pack-check: TypeScript, moduleResolution $resolution"
  module=$([ "$resolution" = bundler ] && echo esnext || echo nodenext)
  npx --no-install tsc --noEmit --strict --skipLibCheck false --types node --module "$module" \
    --moduleResolution "$resolution" --target es2022 types.ts
done
echo "== pack-check: the bin"
npx --no-install laser-trim-ml --version
npx --no-install laser-trim-ml demo --db "$scratch/demo.db" --tracks 3000 --model-count 10 > "$scratch/demo.out" 2>&1 \
  || { cat "$scratch/demo.out"; exit 1; }
tail -n 5 "$scratch/demo.out"
npx --no-install laser-trim-ml status --db "$scratch/demo.db" --json > "$scratch/status.json"
node -e "const s = JSON.parse(require('fs').readFileSync('$scratch/status.json', 'utf8')); if (!s || typeof s !== 'object') process.exit(1);"
echo "pack-check: ok"
