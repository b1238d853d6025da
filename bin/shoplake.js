#!/usr/bin/env node
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The CLI runs from dist/, which `npm run build` (or `npm run demo`, `npm test`) creates: tsc's build in
// dist/src/ and, packed from the same sources, the bundle in dist/cli/ that starts faster (issue 15,
// scripts/bundle-cli.mjs). A bundle older than tsc's build (tsc run alone after an edit) would run
// stale code, so then tsc's build runs. Before the first build, say so in one line rather than with a
// module-not-found stack trace.
const built = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const bundle = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(built)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`shoplake: not built yet: run 'npm install && npm run build' in ${root}\n`);
  process.exit(1);
}
// With --debug the stack of an internal error names the TypeScript sources, not the bundle's chunks.
if (process.argv.includes('--debug') || process.env.SHOPLAKE_DEBUG) process.setSourceMapsEnabled(true);
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(built).mtimeMs;
const { main } = await import(pathToFileURL(fresh ? bundle : built).href);
process.exitCode = await main(process.argv.slice(2));
