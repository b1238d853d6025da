#!/bin/sh
# Installs dependencies when package-lock.json changed since the last install, then builds.
# Both set-up commands (npm run demo, npm test) start here, so a fresh clone needs nothing else.
set -e
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
fi
# dist/ is rebuilt from scratch: a renamed or deleted module must not stay listed, loadable or tested.
rm -rf dist
npx tsc -p tsconfig.json
# The CLI's start-up bundle (bin/shoplake.js runs it), packed from the same sources after tsc checked them.
node scripts/bundle-cli.mjs
# The dashboard's browser code: type-checked with its own tsconfig (DOM, no Node), then bundled with
# ECharts into dist/web/ (served by shoplake itself and inlined into reports: no CDN, works offline).
npx tsc -p src/dashboard/web/tsconfig.json
npx esbuild src/dashboard/web/main.ts src/dashboard/web/report.ts --bundle --minify --format=iife \
  --target=es2020 --log-level=warning --outdir=dist/web
cp src/dashboard/web/index.html src/dashboard/web/app.css dist/web/
