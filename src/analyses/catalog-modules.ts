import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// How the catalog finds its files. Built by tsc, the analyses are discovered in catalog/ at run time.
// The bundled CLI (scripts/bundle-cli.mjs) replaces this module with one generated from the same
// folder at build time, since a bundle has no catalog/ folder to read; both export the same two
// functions, and adding an analysis still touches one file.
const CATALOG_DIR = new URL('./catalog/', import.meta.url);

/** The catalog's module names (file names without extension), sorted. */
export function catalogModuleNames(): string[] {
  return readdirSync(fileURLToPath(CATALOG_DIR))
    .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js') && !f.endsWith('.test-helper.js'))
    .map((f) => f.slice(0, -'.js'.length))
    .sort();
}

/** Whether catalog/<name> exists (checked before importing it, so a typo is not an import failure). */
export function hasCatalogModule(name: string): boolean {
  return existsSync(fileURLToPath(new URL(`${name}.js`, CATALOG_DIR)));
}

/** Imports catalog/<name>; its default export is the analysis. */
export function importCatalogModule(name: string): Promise<unknown> {
  return import(new URL(`${name}.js`, CATALOG_DIR).href);
}
