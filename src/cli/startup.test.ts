import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';

const probeSchema = z.object({ code: z.number(), loaded: z.array(z.string()) });
const MAIN = new URL('./main.js', import.meta.url).href;

/**
 * Runs the CLI's `main` in a fresh Node process and returns the CommonJS modules it loaded (DuckDB's
 * client is CommonJS, so importing it, even from ESM, registers its files in require.cache).
 */
function modulesLoadedBy(argv: string[]): { code: number; loaded: string[]; stderr: string } {
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(MAIN)});
    const code = await main(${JSON.stringify(argv)});
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    process.stderr.write('\\nLOADED ' + JSON.stringify({ code, loaded }) + '\\n');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, `the child printed no module list (exit ${r.status}): ${r.stderr}`);
  const { code, loaded } = probeSchema.parse(JSON.parse(line.slice('LOADED '.length)));
  return { code, loaded, stderr: r.stderr };
}

const duckdbClient = (files: string[]) => files.filter((f) => f.includes('/@duckdb/'));

// Issue 15: loading DuckDB's client and native library costs over 100 ms, about half of what
// `query --list` took; commands that never query must not load it (not a timing test: it checks what
// was loaded, which a busy machine does not change).
describe('CLI start-up loads DuckDB only to query', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  it('query --list does not load @duckdb/node-api', () => {
    const r = modulesLoadedBy(['--data', dir, 'query', '--list', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(duckdbClient(r.loaded), []);
  });

  it('--help and an unknown analysis do not load it either', () => {
    assert.deepEqual(duckdbClient(modulesLoadedBy(['--help']).loaded), []);
    const unknown = modulesLoadedBy(['--data', dir, 'query', 'no-such-analysis']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.deepEqual(duckdbClient(unknown.loaded), []);
  });

  // The control: the same probe does see DuckDB once a query runs, so an empty list above means
  // "not loaded" and not "the probe sees nothing".
  it('a query does load it', () => {
    const r = modulesLoadedBy(['--data', dir, 'query', 'sales-by-region', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      duckdbClient(r.loaded).some((f) => f.endsWith('/@duckdb/node-api/lib/index.js')),
      'DuckDB client not seen after a query',
    );
  });
});
