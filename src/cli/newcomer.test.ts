import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

function shoplake(args: string[], options: { env?: Record<string, string>; uid?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SHOPLAKE_DEBUG: '', ...options.env },
    timeout: 120_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const oneLine = (stderr: string) => {
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at\s/, 'no stack trace');
};

describe('what a new user meets (issue 8)', () => {
  let root: string;
  let fixture: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir: root, cleanup } = tempDir());
    fixture = join(root, 'fixture');
    await buildFixtureLake(fixture);
  });
  after(() => cleanup());

  it('generate --raw-only leaves the lake unbuilt, and a query then says what to run', () => {
    const data = join(root, 'raw-only');
    const gen = shoplake([
      '--data',
      data,
      'generate',
      '--orders',
      '50',
      '--customers',
      '10',
      '--events',
      '60',
      '--raw-only',
    ]);
    assert.equal(gen.code, 0, gen.stderr);
    assert.ok(!existsSync(join(data, 'lake', 'orders')), 'no lake table written');
    const q = shoplake(['--data', data, 'query', 'sales-by-region']);
    assert.equal(q.code, 2, q.stderr);
    assert.match(q.stderr, /^shoplake: the lake has no orders table yet: run 'shoplake build-lake'/);
    oneLine(q.stderr);
  });

  it('shows money with two decimals and shares as percentages in tables; JSON keeps fractions', () => {
    // Fixture by hand: COMPLETED O1 1299.99 + O2 1799.98 + O4 14.99 = 3114.96 (3 of 5 orders = 60 %);
    // PENDING O3 44.97 (20 %); CANCELLED O5 1299.99 (20 %).
    const table = shoplake(['--data', fixture, 'query', 'order-status']);
    assert.equal(table.code, 0, table.stderr);
    const cells = table.stdout
      .split('\n')
      .filter((l) => l.startsWith('│'))
      .map((l) =>
        l
          .split('│')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    assert.deepEqual(cells, [
      ['status', 'orders', 'share', 'revenue'],
      ['COMPLETED', '3', '60.0 %', '3,114.96'],
      ['CANCELLED', '1', '20.0 %', '1,299.99'],
      ['PENDING', '1', '20.0 %', '44.97'],
    ]);
    const json = JSON.parse(
      shoplake(['--data', fixture, 'query', 'order-status', '--format', 'json']).stdout,
    );
    assert.deepEqual(
      json.map((r: { share: number }) => r.share),
      [0.6, 0.2, 0.2],
    );
    // A DECIMAL(18,4) sum shows two decimals at least in sql's tables: 1299.99 + 14.99 + 44.97 = 1359.95.
    const sum = shoplake([
      '--data',
      fixture,
      'sql',
      "SELECT sum(total_amount) AS s FROM orders WHERE region = 'US-EAST'",
    ]);
    assert.match(sum.stdout, /│ 1,359\.95 │/);
    const round = shoplake(['--data', fixture, 'sql', 'SELECT CAST(10 AS DECIMAL(18,2)) AS s']);
    assert.match(round.stdout, /│ 10\.00 │/);
  });

  it('says why a result is empty', () => {
    const r = shoplake(['--data', fixture, 'query', 'sales-by-region', '--from', '2030-01-01']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '(no rows: nothing matches --from 2030-01-01)\n');
  });

  it('cuts wide tables to the terminal width and says which columns were cut', () => {
    const r = shoplake(['--data', fixture, 'sql', 'SELECT * FROM orders ORDER BY order_id'], {
      env: { COLUMNS: '60' },
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(
      lines.slice(0, -1).every((l) => l.length <= 60),
      r.stdout,
    );
    assert.match(
      lines.at(-1) ?? '',
      /^\(\d+ columns cut to fit 60 characters: .*region.*; use --format csv, json or ndjson/,
    );
    // One row too wide: shown whole, as name/value lines.
    const one = shoplake(
      ['--data', fixture, 'sql', "SELECT 'a' AS first_column, 12345.5 AS second_column, 'c' AS third_column"],
      { env: { COLUMNS: '30' } },
    );
    assert.equal(one.stdout, 'first_column   a\nsecond_column  12,345.5\nthird_column   c\n');
  });

  it('streams ndjson, csv and json; a table shows the first 100 rows and counts the rest', () => {
    const nd = shoplake([
      '--data',
      fixture,
      'sql',
      'SELECT order_id FROM orders ORDER BY 1',
      '--format',
      'ndjson',
    ]);
    assert.equal(nd.stdout, ['O1', 'O2', 'O3', 'O4', 'O5'].map((id) => `{"order_id":"${id}"}\n`).join(''));
    const many = 'SELECT range AS i FROM range(5000)';
    const csv = shoplake(['--data', fixture, 'sql', many, '--format', 'csv']).stdout.trimEnd().split('\n');
    assert.deepEqual([csv.length, csv[0], csv[1], csv.at(-1)], [5001, 'i', '0', '4999']);
    const json = JSON.parse(shoplake(['--data', fixture, 'sql', many, '--format', 'json']).stdout);
    assert.deepEqual([json.length, json[4999]], [5000, { i: 4999 }]);
    const table = shoplake(['--data', fixture, 'sql', many]).stdout.trimEnd().split('\n');
    assert.equal(table.filter((l) => /^│\s+\d/.test(l)).length, 100);
    assert.equal(
      table.at(-1),
      '(4,900 more rows not shown of 5,000; use --format csv, json or ndjson for all)',
    );
  });

  it('stops a query on --timeout with one line, exit 2', () => {
    const r = shoplake([
      '--data',
      fixture,
      'sql',
      'SELECT count(*) FROM range(1000000000000) WHERE range % 7 = 3',
      '--timeout',
      '1s',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^shoplake: stopped after --timeout 1s/);
    oneLine(r.stderr);
  });

  it('stops a query on Ctrl-C with one line, exit 130', async () => {
    const tmp = join(root, 'tmp-sigint');
    mkdirSync(tmp);
    const child = spawn(
      process.execPath,
      [BIN, '--data', fixture, 'sql', 'SELECT count(*) FROM range(1000000000000) WHERE range % 7 = 3'],
      { env: { ...process.env, TMPDIR: tmp } },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Send SIGINT only once the command listens for it: it does before the engine creates its temp
    // directory, so the test does not depend on how long start-up takes; the query would run for days.
    const deadline = Date.now() + 60_000;
    while (readdirSync(tmp).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(stderr, 'shoplake: interrupted: the query was stopped\n');
  });

  it('answers an internal error in one line, exit 1, and shows its stack with --debug', () => {
    // The engine cannot create its private temp directory: not the user's mistake.
    const env = { TMPDIR: join(root, 'no-such-dir') };
    const r = shoplake(['--data', fixture, 'query', 'sales-by-region'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^shoplake: internal error: ENOENT.*mkdtemp.*\(run with --debug for details\)\n$/);
    oneLine(r.stderr);
    const debug = shoplake(['--debug', '--data', fixture, 'query', 'sales-by-region'], { env });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\n\s+at\s/, 'the stack with --debug');
  });

  it('says in one line how to build when dist/ is missing', () => {
    const bin = join(root, 'unbuilt', 'bin', 'shoplake.js');
    mkdirSync(join(root, 'unbuilt', 'bin'), { recursive: true });
    copyFileSync(BIN, bin);
    const r = spawnSync(process.execPath, [bin, 'query', '--list'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^shoplake: not built yet: run 'npm install && npm run build' in /);
    oneLine(r.stderr);
  });

  it('answers a read-only --data with one line, exit 2', () => {
    const data = join(root, 'read-only');
    mkdirSync(data);
    chmodSync(root, 0o755);
    chmodSync(data, 0o555);
    // As root, permissions do not apply: run the command as nobody.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    const r = shoplake(['--data', data, 'generate', '--orders', '10'], uid === undefined ? {} : { uid });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^shoplake: no permission to write or read .*read-only.*: choose a --data directory you can write/,
    );
    oneLine(r.stderr);
  });
});
