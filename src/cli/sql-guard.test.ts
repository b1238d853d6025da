import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

// The audit log records each statement run (issue 14): the one write `sql` makes, on purpose.
const AUDIT = new Set(['audit.log', 'audit.head', '.audit-lock']);

/** Every path and byte under a directory but the audit log: equal digests mean nothing else changed. */
function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (AUDIT.has(e.name)) continue;
      const p = join(d, e.name);
      hash.update(`${p}\n`);
      if (e.isDirectory()) walk(p);
      else hash.update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

function firstOrderFile(data: string): string {
  const manifest = JSON.parse(readFileSync(join(data, 'lake', 'orders', '_manifest.json'), 'utf8'));
  return join(data, 'lake', 'orders', String(manifest.files[0]));
}

describe('shoplake sql against hostile SQL (issue 16)', () => {
  let root: string;
  let data: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir: root, cleanup } = tempDir());
    data = join(root, 'data');
    await buildFixtureLake(data);
  });
  after(() => cleanup());

  const sql = (query: string, format = 'json') => {
    const r = spawnSync(process.execPath, [BIN, '--data', data, 'sql', query, '--format', format], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('runs the reported attack as the harmless string literal it is, leaving the live file alone', () => {
    const live = firstOrderFile(data);
    const attack = `SELECT $$ $:x ; COPY (SELECT * FROM orders LIMIT 1) TO '${live}' (FORMAT parquet); SELECT $:y $$ AS z`;
    const before = digest(root);
    const r = sql(attack);
    assert.equal(digest(root), before, 'no byte of the data directory changed');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [
      { z: ` $:x ; COPY (SELECT * FROM orders LIMIT 1) TO '${live}' (FORMAT parquet); SELECT $:y ` },
    ]);
    // Hand count of the fixture: 5 orders.
    assert.deepEqual(JSON.parse(sql('SELECT count(*) AS n FROM orders').stdout), [{ n: 5 }]);
  });

  it('reads what a read-only user may read: the views, settings, DESCRIBE', () => {
    for (const ok of [
      'SELECT count(*) FROM duckdb_settings()',
      'DESCRIBE orders',
      'FROM customers LIMIT 1',
    ]) {
      const r = sql(ok);
      assert.equal(r.code, 0, `${ok}: ${r.stderr}`);
    }
  });

  const corpus = (live: string, lake: string): string[] => [
    `COPY (SELECT * FROM orders LIMIT 1) TO '${live}' (FORMAT parquet)`,
    `COPY (SELECT * FROM orders LIMIT 1) TO '${live}' (FORMAT parquet, USE_TMP_FILE false)`,
    `COPY orders TO '${lake}/orders/_manifest.json' (FORMAT json)`,
    `SELECT 1; COPY (SELECT 1) TO '${live}' (FORMAT parquet)`,
    `SELECT $$ $:x $$; COPY (SELECT 1) TO '${lake}/x.csv'`,
    `ATTACH '${lake}/evil.duckdb' AS evil`,
    `ATTACH ':memory:' AS m`,
    `CREATE TABLE evil AS SELECT * FROM orders`,
    `EXPORT DATABASE '${lake}/export'`,
    'INSTALL httpfs',
    'LOAD parquet',
    'SET enable_external_access = true',
    "SET allowed_directories = ['/']",
    'RESET lock_configuration',
    'PRAGMA enable_profiling',
    'CALL pragma_version()',
    "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    'DROP VIEW orders',
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    `SELECT * FROM read_text('${lake}/orders/_manifest.json')`,
    `SELECT * FROM read_json('${lake}/orders/_manifest.json')`,
    `SELECT * FROM glob('${lake}/**')`,
    `SELECT count(*) FROM read_parquet('${lake}/orders/*/*.parquet')`,
    "SELECT * FROM read_blob('/etc/passwd')",
    "FROM '/etc/passwd'",
    "UPDATE orders SET region = 'LATAM'",
    'CHECKPOINT',
    'EXECUTE p',
    "WITH x AS (SELECT 1) SELECT * FROM read_csv_auto('/etc/hosts')",
    'SELECT 1; SELECT 2',
    ';',
  ];

  it('refuses every write, file access beyond the live files and configuration change: one line, exit 2, lake unchanged', () => {
    const lake = join(data, 'lake');
    for (const attack of corpus(firstOrderFile(data), lake)) {
      const before = digest(root);
      const r = sql(attack);
      assert.equal(digest(root), before, `nothing written by: ${attack}`);
      assert.equal(r.code, 2, `${attack} → exit ${r.code}: ${r.stderr}`);
      assert.equal(r.stdout, '', attack);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line for ${attack}: ${r.stderr}`);
      assert.match(
        lines[0] ?? '',
        /^shoplake: (only a SELECT|give (exactly )?one SELECT|query failed: )/,
        attack,
      );
    }
  });
});
