import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));
const TSC_MAIN = new URL('./main.js', import.meta.url).href;
const CATALOG = fileURLToPath(new URL('../../../src/analyses/catalog/', import.meta.url));

// Logs every module Node loads on stderr, to tell which build ran and what it loaded: ES modules
// through a loader hook, and at exit the CommonJS files require() loaded (the hook does not see those).
const LOAD_LOGGER = `data:text/javascript,${encodeURIComponent(
  "export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }",
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import { createRequire, register } from 'node:module';
  register(${JSON.stringify(LOAD_LOGGER)});
  process.on('exit', () => {
    for (const f of Object.keys(createRequire('/').cache)) process.stderr.write('LOADED ' + f + '\\n');
  });`,
)}`;
const catalogSchema = z.array(z.object({ name: z.string() }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  loaded: string[];
}

function split(r: { status: number | null; stdout: string; stderr: string }): Run {
  const lines = r.stderr.split('\n');
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: lines.filter((l) => !l.startsWith('LOADED ')).join('\n'),
    loaded: lines.filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length)),
  };
}

/** bin/shoplake.js, as a user runs it. */
function viaBin(argv: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', REGISTER, BIN, ...argv], { encoding: 'utf8' });
  return split(r);
}

/** The same CLI from tsc's build (dist/src/), the independent reference for the bundle. */
function viaTscBuild(argv: string[]): Run {
  const script = `const { main } = await import(${JSON.stringify(TSC_MAIN)});
    process.exitCode = await main(${JSON.stringify(argv)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return split(r);
}

const inBundle = (files: string[]) => files.filter((f) => f.includes('/dist/cli/'));
const inTscBuild = (files: string[]) => files.filter((f) => f.includes('/dist/src/'));

// Issue 15: bin/shoplake.js runs the esbuild bundle of the CLI (scripts/bundle-cli.mjs), which lists
// the catalog at build time and replaces how DuckDB's client loads. These pin that the bundle is what
// runs and that it answers exactly as tsc's build of the same sources.
describe('the bundled CLI', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  it('is what bin/shoplake.js runs, without loading tsc build modules', () => {
    const r = viaBin(['--data', dir, 'query', 'sales-by-region', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      inBundle(r.loaded).some((f) => f.endsWith('/dist/cli/main.js')),
      'the bundle did not run',
    );
    assert.deepEqual(inTscBuild(r.loaded), []);
  });

  it('lists every analysis file of the catalog, as tsc build does', () => {
    const files = readdirSync(CATALOG).filter((f) => f.endsWith('.ts') && !f.includes('.test'));
    const bundled = viaBin(['--data', dir, 'query', '--list', '--format', 'json']);
    const reference = viaTscBuild(['--data', dir, 'query', '--list', '--format', 'json']);
    assert.equal(bundled.code, 0, bundled.stderr);
    assert.equal(reference.code, 0, reference.stderr);
    const names = catalogSchema
      .parse(JSON.parse(bundled.stdout))
      .map((a) => a.name)
      .sort();
    assert.deepEqual(names, files.map((f) => f.slice(0, -'.ts'.length)).sort());
    assert.equal(bundled.stdout, reference.stdout);
  });

  it('answers queries and mistakes exactly as tsc build does', () => {
    const cases = [
      ['--data', dir, 'query', 'sales-by-region'],
      ['--data', dir, 'query', 'funnel', '--format', 'json'],
      ['--data', dir, 'query', 'no-such-analysis'],
      ['--data', dir, 'query', 'sales-by-region', '--from', 'yesterday'],
      ['--data', dir, 'tables', '--format', 'json'],
    ];
    for (const argv of cases) {
      const bundled = viaBin(argv);
      const reference = viaTscBuild(argv);
      assert.equal(bundled.code, reference.code, `${argv.join(' ')}: ${bundled.stderr}`);
      assert.equal(bundled.stdout, reference.stdout, argv.join(' '));
      assert.equal(bundled.stderr, reference.stderr, argv.join(' '));
    }
  });

  it('names the TypeScript sources in the stack of an internal error with --debug', () => {
    // The engine cannot create its private temp directory: an internal error, stack shown with --debug.
    const r = spawnSync(process.execPath, [BIN, '--debug', '--data', dir, 'query', 'sales-by-region'], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: join(dir, 'no-such-dir') },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\n\s+at .*\/src\/engines\/[a-z-]+\.ts:\d+/);
    assert.doesNotMatch(r.stderr, /\/dist\/cli\//);
  });

  it('loads DuckDB only to query, as tsc build does (see startup.test.ts)', () => {
    const duckdb = (r: Run) => r.loaded.filter((f) => f.includes('/@duckdb/'));
    assert.deepEqual(duckdb(viaBin(['--data', dir, 'query', '--list'])), []);
    assert.deepEqual(duckdb(viaBin(['--help'])), []);
    // The control: the logger does see DuckDB's native binding once a query runs.
    assert.notDeepEqual(duckdb(viaBin(['--data', dir, 'query', 'sales-by-region'])), []);
  });
});
