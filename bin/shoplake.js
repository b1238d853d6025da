#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The CLI runs from dist/, which `npm run build` (or `npm run demo`, `npm test`) creates. Before the first
// build, say so in one line rather than with a module-not-found stack trace.
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`shoplake: not built yet: run 'npm install && npm run build' in ${root}\n`);
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
