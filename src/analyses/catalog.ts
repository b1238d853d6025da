import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors/index.js';
import type { Analysis } from './types.js';

const CATALOG_DIR = new URL('./catalog/', import.meta.url);
let cached: Promise<Analysis[]> | undefined;

/**
 * Every analysis in `catalog/`, sorted by name. Files are discovered rather than listed so that adding
 * an analysis touches exactly one file.
 */
export function loadCatalog(): Promise<Analysis[]> {
  cached ??= (async () => {
    const files = readdirSync(fileURLToPath(CATALOG_DIR))
      .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
      .sort();
    const modules = await Promise.all(files.map((f) => import(new URL(f, CATALOG_DIR).href)));
    const analyses = modules.map((m, i) => {
      const analysis = (m as { default?: Analysis }).default;
      if (!analysis?.name) throw new Error(`catalog file ${files[i]} has no default-exported analysis`);
      return analysis;
    });
    return analyses.sort((a, b) => a.name.localeCompare(b.name));
  })();
  return cached;
}

/** The analysis with this name, or a user error listing the catalog. */
export async function findAnalysis(name: string): Promise<Analysis> {
  // Each analysis lives in catalog/<name>.js, so one lookup usually needs one module, not all of them.
  if (/^[a-z0-9-]+$/.test(name) && existsSync(fileURLToPath(new URL(`${name}.js`, CATALOG_DIR)))) {
    const analysis = ((await import(new URL(`${name}.js`, CATALOG_DIR).href)) as { default?: Analysis })
      .default;
    if (analysis?.name === name) return analysis;
  }
  const catalog = await loadCatalog();
  const found = catalog.find((a) => a.name === name);
  if (!found) {
    throw new UserError(`unknown analysis '${name}': run 'shoplake query --list' to see the catalog`, {
      code: 'unknown_analysis',
      status: 404,
    });
  }
  return found;
}

/** One parameter of an analysis as a user passes it: its flag and what it means. */
export interface ParamInfo {
  name: string;
  flag: string;
  description: string;
}

/** The parameters of an analysis, for `query --list`, help texts and API descriptions. */
export function describeParams(analysis: Analysis): ParamInfo[] {
  return Object.entries(analysis.params.shape).map(([name, schema]) => ({
    name,
    flag: `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    description: (schema as { description?: string }).description ?? '',
  }));
}
