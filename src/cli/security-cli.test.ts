import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSecurityLake, ERASED } from '../security/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

function shoplake(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SHOPLAKE_DEBUG: '', SHOPLAKE_KEY: '', ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('keys, roles, audit and erase on the command line (issue 14)', () => {
  let dir: string;
  let cleanup: () => void;
  const keys: Record<string, string> = {};
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
    for (const role of ['viewer', 'analyst']) {
      const r = shoplake(['keys', 'create', '--name', role, '--role', role, '--data', dir]);
      assert.equal(r.code, 0, r.stderr);
      keys[role] = r.stdout.trim();
    }
  });
  after(() => cleanup());

  it('keys create prints only the key on stdout; keys list never shows it', () => {
    assert.match(keys.viewer ?? '', /^slk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const list = shoplake(['keys', 'list', '--format', 'json', '--data', dir]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).map((k: { name: string; role: string; state: string }) => [
        k.name,
        k.role,
        k.state,
      ]),
      [
        ['viewer', 'viewer', 'active'],
        ['analyst', 'analyst', 'active'],
      ],
    );
    assert.ok(!list.stdout.includes(keys.viewer ?? 'x'));
  });

  it('a viewer key cannot run sql or keys: one line, exit 2', () => {
    const sql = shoplake(['sql', 'SELECT 1', '--key', keys.viewer ?? '', '--data', dir]);
    assert.equal(sql.code, 2);
    assert.equal(sql.stderr, "shoplake: a viewer key cannot run 'sql': it needs an analyst key\n");
    const viaEnv = shoplake(['keys', 'list', '--data', dir], { SHOPLAKE_KEY: keys.viewer ?? '' });
    assert.equal(viaEnv.code, 2);
    assert.match(viaEnv.stderr, /cannot run 'keys list'/);
  });

  it('an analyst sees masked emails; the owner without a key sees them raw', () => {
    const sql = `SELECT email FROM customers WHERE customer_id = '${ERASED.id}'`;
    const masked = shoplake(['sql', sql, '--format', 'csv', '--key', keys.analyst ?? '', '--data', dir]);
    assert.equal(masked.code, 0, masked.stderr);
    assert.match(masked.stdout, /^email\n[0-9a-f]{24}\n$/);
    const raw = shoplake(['sql', sql, '--format', 'csv', '--data', dir]);
    assert.equal(raw.stdout, `email\n${ERASED.email}\n`);
  });

  it('an unknown key is refused with one line that does not say why', () => {
    const r = shoplake([
      'query',
      'sales-by-region',
      '--key',
      'slk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--data',
      dir,
    ]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'shoplake: the key given (--key or SHOPLAKE_KEY) is unknown, revoked or expired\n',
    );
  });

  it('the audit log lists what ran and who was refused; verify finds a changed line (exit 1)', () => {
    const list = shoplake(['audit', '--format', 'json', '--data', dir]);
    assert.equal(list.code, 0, list.stderr);
    const actions = JSON.parse(list.stdout).map(
      (e: { actor: string; action: string }) => `${e.actor} ${e.action}`,
    );
    for (const expected of [
      'local key.create',
      'viewer auth.refused',
      'analyst sql',
      'local sql',
      'cli auth.failure',
    ])
      assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
    assert.equal(shoplake(['audit', 'verify', '--data', dir]).code, 0);
    const log = join(dir, 'audit.log');
    const original = readFileSync(log, 'utf8');
    writeFileSync(log, original.replace('SELECT email', 'SELECT phone'));
    const broken = shoplake(['audit', 'verify', '--data', dir]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /content changed/);
    writeFileSync(log, original);
  });

  it('erase --customer removes the person and is audited; an analyst cannot erase', () => {
    const refused = shoplake(['erase', '--customer', ERASED.id, '--key', keys.analyst ?? '', '--data', dir]);
    assert.equal(refused.code, 2);
    const r = shoplake(['erase', '--customer', ERASED.id, '--format', 'json', '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { place: string; rows: number }[];
    // By hand: C2 has 2 order lines, 1 customer row, 2 events.
    const byTable = Object.fromEntries(rows.map((x) => [x.place, x.rows]));
    assert.deepEqual(
      { orders: byTable.orders, customers: byTable.customers, clickstream: byTable.clickstream },
      { orders: 2, customers: 1, clickstream: 2 },
    );
    const audit = JSON.parse(
      shoplake(['audit', '--action', 'erase', '--format', 'json', '--data', dir]).stdout,
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0].detail.customer, ERASED.id);
  });

  it('erase --customer with an id in the wrong case is refused with the id to use (exit 2), nothing erased', () => {
    // C1 is in the fixture; 'c1' differs only in case.
    const r = shoplake(['erase', '--customer', 'c1', '--data', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /'C1'/);
    const none = shoplake(['erase', '--customer', 'NOBODY', '--data', dir]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /nothing was removed/);
  });
});
