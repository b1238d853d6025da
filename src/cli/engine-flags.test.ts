import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir, writeText } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));
// The test run may export a Spark remote or engine: each case states its own environment.
const CLEAN_ENV = { SHOPLAKE_ENGINE: '', SHOPLAKE_SPARK_REMOTE: '', SHOPLAKE_LAKE_URI: '' };

function shoplake(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...CLEAN_ENV, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// sales-by-region on the fixture lake, by hand (fixture.test-helper.ts; same as cli.test.ts).
const SALES = [
  { region: 'EU-WEST', revenue: 3099.97, order_lines: 2 },
  { region: 'US-EAST', revenue: 1359.95, order_lines: 3 },
];

describe('choosing the engine from the command line', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  it('refuses a bad engine setting, or Spark without a Connect address, with one line and exit 2', () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [
        ['query', 'sales-by-region', '--engine', 'spark'],
        /needs the address of a Spark Connect server: pass --spark-remote sc:\/\//,
      ],
      [['sql', 'SELECT 1', '--engine', 'spark'], /pass --spark-remote/],
      [['tables', '--engine', 'spark'], /pass --spark-remote/],
      [['query', 'sales-by-region', '--engine', 'oracle'], /--engine: expected one of duckdb, spark/],
      [
        ['sql', 'SELECT 1', '--engine', 'spark', '--spark-remote', 'localhost:15002'],
        /--spark-remote: expected a Spark Connect address/,
      ],
      [['tables', '--lake-uri', '/data/lake'], /--lake-uri: expected a URI/],
      [
        ['query', 'sales-by-region'],
        /SHOPLAKE_ENGINE=hive: expected one of duckdb, spark/,
        { SHOPLAKE_ENGINE: 'hive' },
      ],
      [
        ['query', 'sales-by-region', '--config', join(dir, 'nope.json')],
        /config file .*nope\.json does not exist/,
      ],
    ];
    for (const [args, message, env] of cases) {
      const r = shoplake(['--data', dir, ...args], env);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  it('takes the engine from the flag, else the environment, else <data>/shoplake.json', async () => {
    const t = tempDir();
    try {
      await buildFixtureLake(t.dir);
      writeText(join(t.dir, 'shoplake.json'), JSON.stringify({ engine: 'spark' }));
      // The config file chose Spark (and gave no address): that it asks for one shows it was read.
      const fromFile = shoplake(['--data', t.dir, 'query', 'sales-by-region']);
      assert.equal(fromFile.code, 2, fromFile.stderr);
      assert.match(fromFile.stderr, /--spark-remote/);
      // The environment overrides the file, and a flag overrides the environment.
      const fromEnv = shoplake(['--data', t.dir, 'query', 'sales-by-region', '--format', 'json'], {
        SHOPLAKE_ENGINE: 'duckdb',
      });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      assert.deepEqual(JSON.parse(fromEnv.stdout), SALES);
      const fromFlag = shoplake(
        ['--data', t.dir, 'query', 'sales-by-region', '--format', 'json', '--engine', 'duckdb'],
        { SHOPLAKE_ENGINE: 'spark' },
      );
      assert.equal(fromFlag.code, 0, fromFlag.stderr);
      assert.deepEqual(JSON.parse(fromFlag.stdout), SALES);
      // A malformed config file is named with its problem.
      writeText(join(t.dir, 'shoplake.json'), '{"engine": "spark", "remote": "sc://x"}');
      const bad = shoplake(['--data', t.dir, 'tables']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /shoplake\.json: unknown setting remote/);
    } finally {
      t.cleanup();
    }
  });

  it('lists on which engines each analysis runs', () => {
    const r = shoplake(['query', '--list', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const list: { name: string; engines: string }[] = JSON.parse(r.stdout);
    assert.ok(list.length >= 16);
    // Every analysis of today's catalog runs on both engines (the parity test proves it on Spark).
    for (const a of list) assert.equal(a.engines, 'duckdb, spark', a.name);
    const table = shoplake(['query', '--list']);
    assert.match(table.stdout, /^sales-by-region\n {2}.*\n {2}engines: duckdb, spark\n/m);
  });
});
