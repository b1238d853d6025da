import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { sparkRemoteForTests } from '../engines/spark/spark-remote.test-helper.js';
import { tempDir, writeText } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));
const spark = sparkRemoteForTests();
const CLEAN_ENV = { SHOPLAKE_ENGINE: '', SHOPLAKE_SPARK_REMOTE: '', SHOPLAKE_LAKE_URI: '' };

/** Runs the CLI without blocking the event loop (a Spark run takes seconds). */
function shoplake(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...CLEAN_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function json(args: string[], env: Record<string, string> = {}): Promise<unknown> {
  const r = await shoplake([...args, '--format', 'json'], env);
  assert.equal(r.code, 0, `${args.join(' ')} → ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('the CLI on Spark', { skip: 'skip' in spark ? spark.skip : false }, () => {
  let dir: string;
  let cleanup: () => void;
  let remote: string;
  before(async () => {
    if (!('remote' in spark)) return;
    remote = spark.remote;
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup?.());

  it('answers an analysis as DuckDB does, the engine chosen by flag, environment or config file', async () => {
    const onSpark = await json([
      '--data',
      dir,
      'query',
      'sales-by-region',
      '--engine',
      'spark',
      '--spark-remote',
      remote,
    ]);
    // By hand from the fixture (fixture.test-helper.ts), as cli.test.ts pins DuckDB's answer.
    const byHand = [
      { region: 'EU-WEST', revenue: 3099.97, order_lines: 2 },
      { region: 'US-EAST', revenue: 1359.95, order_lines: 3 },
    ];
    assert.deepEqual(onSpark, byHand);
    assert.deepEqual(await json(['--data', dir, 'query', 'sales-by-region']), byHand);
    // Engine from the environment, address from a config file given with --config.
    const config = writeText(join(dir, 'engine.json'), JSON.stringify({ sparkRemote: remote }));
    const tiers = await json(['--data', dir, 'query', 'customer-tiers', '--config', config], {
      SHOPLAKE_ENGINE: 'spark',
    });
    assert.deepEqual(tiers, await json(['--data', dir, 'query', 'customer-tiers']));
    assert.ok(Array.isArray(tiers) && tiers.length > 0);
  });

  it('lists the tables as DuckDB does', async () => {
    const env = { SHOPLAKE_ENGINE: 'spark', SHOPLAKE_SPARK_REMOTE: remote };
    const onSpark = await json(['--data', dir, 'tables'], env);
    assert.deepEqual(onSpark, await json(['--data', dir, 'tables']));
    // The fixture's 5 order lines, first and last order time (fixture.test-helper.ts).
    assert.ok(Array.isArray(onSpark));
    assert.deepEqual(
      onSpark.find((t: { table: string }) => t.table === 'orders'),
      {
        table: 'orders',
        state: 'loaded',
        rows: 5,
        files: 1,
        partitions: 1,
        megabytes: 0,
        first: '2026-11-01 23:30:00',
        last: '2026-11-03 09:00:00',
      },
    );
  });

  it('runs one SELECT with `sql` and refuses anything else with one line and exit 2', async () => {
    const env = { SHOPLAKE_ENGINE: 'spark', SHOPLAKE_SPARK_REMOTE: remote };
    const query = 'SELECT region, count(*) AS n FROM orders GROUP BY region ORDER BY region';
    assert.deepEqual(await json(['--data', dir, 'sql', query], env), [
      { region: 'EU-WEST', n: 2 },
      { region: 'US-EAST', n: 3 },
    ]);
    for (const bad of [
      'DROP VIEW orders',
      'CREATE TABLE stolen AS SELECT * FROM customers',
      'SELECT 1; SELECT 2',
      'SET spark.sql.runSQLOnFiles = true',
      'SELECT * FROM parquet.`/etc`',
      'SELECT * FROM text.`file:///etc/passwd`',
      "SELECT reflect('java.lang.System', 'getenv', 'HOME') AS home",
      "SELECT TRANSFORM(region) USING 'id' AS (out STRING) FROM orders",
    ]) {
      const r = await shoplake(['--data', dir, 'sql', bad], env);
      assert.equal(r.code, 2, `${bad} → ${r.stderr}`);
      assert.equal(r.stdout, '', bad);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${bad}: ${r.stderr}`);
    }
    // Nothing above changed the session's views: the lake still answers.
    assert.deepEqual(await json(['--data', dir, 'sql', 'SELECT count(*) AS n FROM orders'], env), [{ n: 5 }]);
  });
});
