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
