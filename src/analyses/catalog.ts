import { UserError } from '../errors/index.js';
import { catalogModuleNames, hasCatalogModule, importCatalogModule } from './catalog-modules.js';
import type { Analysis } from './types.js';

let cached: Promise<Analysis[]> | undefined;

/**
 * Every analysis in `catalog/`, sorted by name. Files are discovered rather than listed so that adding
 * an analysis touches exactly one file.
 */
export function loadCatalog(): Promise<Analysis[]> {
  cached ??= (async () => {
    const files = catalogModuleNames();
    const modules = await Promise.all(files.map(importCatalogModule));
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
  if (/^[a-z0-9-]+$/.test(name) && hasCatalogModule(name)) {
    const analysis = ((await importCatalogModule(name)) as { default?: Analysis }).default;
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
