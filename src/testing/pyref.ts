import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, writeText } from './files.js';

// The reference libraries (scikit-learn, statsmodels, SciPy) live in a venv that scripts/pyref-setup.sh
// installs into the project's cache; dist/src/testing → the repository root, whatever the cwd.
/** The reference venv's python. */
export const PYREF_PYTHON = fileURLToPath(new URL('../../../.cache/pyref/bin/python', import.meta.url));

/**
 * The `skip` option of a reference suite: skipped with a line saying what to run when the venv is
 * missing, except under CI=true, where the suite runs (and fails) so a missing install never passes.
 */
export function pyrefSkip(library: string): string | false {
  if (existsSync(PYREF_PYTHON) || process.env.CI === 'true') return false;
  return `${library} missing: run sh scripts/pyref-setup.sh`;
}

/** Runs a python script in the reference venv with `input` written to a CSV file passed as argv[1]. */
export function pyref(script: string, input: string): string {
  const t = tempDir();
  try {
    const data = writeText(join(t.dir, 'data.csv'), input);
    return execFileSync(PYREF_PYTHON, ['-c', script, data], { encoding: 'utf8', timeout: 120_000 });
  } finally {
    t.cleanup();
  }
}

/** A small deterministic generator (LCG) so reference data does not depend on the code under test. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
