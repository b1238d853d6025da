import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { buildSecurityLake } from '../security/fixture.test-helper.js';
import { type CreatedKey, createKey, readAudit, revokeKey } from '../security/index.js';
import { tempDir } from '../testing/index.js';
import {
  createDashboard,
  dashboardAuthenticator,
  decideAccess,
  describeCatalog,
  isApiPath,
  LOCAL_VIEWER,
  type RunningDashboard,
  startDashboard,
} from './index.js';

// Every email of the fixture lake (src/security/fixture.test-helper.ts), written out by hand.
const EMAILS = ['ann@example.com', 'bo.kim@example.org', 'cy@example.com'];
const errorShape = z.object({
  error: z.object({ message: z.string(), code: z.string(), status: z.number() }),
});
const sqlShape = z.object({ rows: z.array(z.record(z.string(), z.unknown())) });

describe('dashboard behind keys and roles (real server on 127.0.0.1)', () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-access-');
  const failures: string[] = [];
  let server: RunningDashboard;
  const keys: Record<'viewer' | 'analyst' | 'admin' | 'ingest', CreatedKey | undefined> = {
    viewer: undefined,
    analyst: undefined,
    admin: undefined,
    ingest: undefined,
  };
  const auth = () => dashboardAuthenticator(dir, (line) => failures.push(line), { recheckMs: 0 });

  before(async () => {
    await buildSecurityLake(dir);
    server = await startDashboard({ engine: { dataDir: dir }, auth: auth(), port: 0, refreshMs: 60_000 });
  });
  after(async () => {
    await server?.close();
    cleanup();
  });

  const call = async (path: string, init: RequestInit & { key?: string | undefined } = {}) => {
    const { key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
    const res = await fetch(server.url + path, { ...rest, headers });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const sql = (text: string, key?: string) =>
    call('/api/sql', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: text }),
    });

  test('with no key that could read, loopback callers act as an analyst and remote ones are told to create a key', async () => {
    // An ingest key does not open the dashboard to everyone: it cannot read.
    keys.ingest = createKey(dir, { name: 'shop', role: 'ingest' });
    const list = await call('/api/analyses');
    assert.equal(list.status, 200);
    const who = z
      .object({ name: z.string(), role: z.string() })
      .parse(JSON.parse((await call('/api/session')).text));
    assert.deepEqual(who, { name: LOCAL_VIEWER.name, role: 'analyst' });
    // SQL allowed, PII masked: the analyst's view.
    const emails = await sql('SELECT email FROM customers ORDER BY customer_id');
    assert.equal(emails.status, 200, emails.text);
    for (const email of EMAILS) assert.ok(!emails.text.includes(email), emails.text);
    for (const address of ['203.0.113.9', '::ffff:10.1.2.3', '192.168.1.20', '']) {
      const decision = await decideAccess(auth(), {
        path: '/api/analyses',
        method: 'GET',
        authorization: undefined,
        fromHeader: false,
        address,
      });
      assert.equal(decision.ok, false, address);
      if (!decision.ok) {
        assert.equal(decision.status, 401);
        assert.match(decision.message, /shoplake keys create --name NAME --role viewer/);
      }
    }
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const decision = await decideAccess(auth(), {
        path: '/api/sql',
        method: 'POST',
        authorization: undefined,
        fromHeader: false,
        address,
      });
      assert.deepEqual(decision, { ok: true, principal: LOCAL_VIEWER }, address);
    }
  });

  test('once a viewer key exists, every /api route refuses a caller without a key (401); pages stay public', async () => {
    keys.viewer = createKey(dir, { name: 'wall', role: 'viewer' });
    keys.analyst = createKey(dir, { name: 'ana', role: 'analyst' });
    keys.admin = createKey(dir, { name: 'root', role: 'admin' });
    const paths = [
      '/api/analyses',
      '/api/analyses/sales-by-region',
      '/api/analyses/sales-by-region/download?format=csv',
      '/api/status',
      '/api/live',
      '/api/live/snapshot',
      '/api/session',
      '/api/sql?q=SELECT%201',
      '/API/status',
      '/%61pi/status',
      '/api/no-such-route',
    ];
    // A success clears the address's failures, so the failure throttle (429) never steps in here.
    const clear = async () => assert.equal((await call('/api/status', { key: keys.admin?.key })).status, 200);
    for (const path of paths) {
      const res = await call(path);
      assert.equal(res.status, 401, path);
      assert.equal(errorShape.parse(JSON.parse(res.text)).error.code, 'unauthorized', path);
      await clear();
    }
    assert.equal((await sql('SELECT 1')).status, 401);
    // A wrong key is refused too, and the ingest key cannot read.
    assert.equal((await call('/api/status', { key: 'slk_0000_wrong' })).status, 401);
    await clear();
    assert.equal((await call('/api/status', { key: keys.ingest?.key })).status, 403);
    // The shell holds no data: public, with the strict headers.
    const page = await call('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /unsafe-inline/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('strict-transport-security'), null);
  });

  test('a viewer cannot run SQL (403) while an analyst can; admin SQL alone sees the emails', async () => {
    const refused = await sql('SELECT 1 AS one', keys.viewer?.key);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(errorShape.parse(JSON.parse(refused.text)).error.code, 'forbidden');
    assert.equal((await call('/api/sql?q=SELECT%201', { key: keys.viewer?.key })).status, 403);
    const analyst = await sql('SELECT email FROM customers ORDER BY customer_id', keys.analyst?.key);
    assert.equal(analyst.status, 200, analyst.text);
    const masked = sqlShape.parse(JSON.parse(analyst.text)).rows.map((r) => String(r.email));
    assert.equal(masked.length, 3);
    for (const email of EMAILS) assert.ok(!masked.includes(email), analyst.text);
    // The positive control: the lake holds the emails, and the admin role reads them unmasked.
    const admin = await sql('SELECT email FROM customers ORDER BY customer_id', keys.admin?.key);
    assert.deepEqual(
      sqlShape.parse(JSON.parse(admin.text)).rows.map((r) => r.email),
      ['ann@example.com', 'bo.kim@example.org', 'cy@example.com'],
    );
  });

  test('no email of the lake appears in any /api response a viewer gets', async () => {
    const key = keys.viewer?.key;
    const bodies: string[] = [];
    const paths = ['/api/analyses', '/api/status', '/api/live/snapshot', '/api/session'];
    for (const a of await describeCatalog()) {
      paths.push(`/api/analyses/${a.name}`);
      paths.push(`/api/analyses/${a.name}/download?format=csv`);
      paths.push(`/api/analyses/${a.name}/download?format=json`);
    }
    let answered = 0;
    for (const path of paths) {
      const res = await call(path, { key });
      if (res.status === 200) answered++;
      bodies.push(res.text);
    }
    assert.ok(answered > paths.length / 2, `only ${answered} of ${paths.length} answered`);
    const all = bodies.join('\n');
    for (const email of EMAILS) assert.ok(!all.includes(email), `${email} leaked`);
    assert.ok(!all.includes('Kimberley'), 'a last name leaked');
  });

  test('cookie sign-in: POST /api/session sets an HttpOnly SameSite=Strict cookie the API reads; sign-out clears it', async () => {
    const signIn = await call('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: keys.viewer?.key }),
    });
    assert.equal(signIn.status, 200, signIn.text);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^shoplake_key=slk_/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/);
    const pair = cookie.split(';')[0] ?? '';
    assert.equal((await call('/api/status', { headers: { cookie: pair } })).status, 200);
    // The cookie carries the viewer's role: no SQL.
    const viaCookie = await call('/api/sql', {
      method: 'POST',
      headers: { cookie: pair, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT 1' }),
    });
    assert.equal(viaCookie.status, 403);
    // Keys that cannot read, or do not exist, never get a cookie.
    for (const [key, status] of [
      [keys.ingest?.key, 403],
      ['slk_0000_nope', 401],
    ] as const) {
      const res = await call('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
      });
      assert.equal(res.status, status, String(key));
      assert.equal(res.headers.get('set-cookie'), null);
    }
    const out = await call('/api/session', { method: 'DELETE' });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^shoplake_key=;.*Max-Age=0/);
  });

  test('analyses, SQL and downloads are audited with the key name, failures too', async () => {
    assert.equal((await sql('SELECT count(*) AS n FROM orders', keys.analyst?.key)).status, 200);
    assert.equal((await sql("SELECT * FROM read_csv('/etc/passwd')", keys.analyst?.key)).status, 400);
    const csv = await call('/api/analyses/sales-by-region/download?format=csv', { key: keys.viewer?.key });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="sales-by-region.csv"/);
    const bad = await call('/api/analyses/sales-by-region?status=LOST', { key: keys.viewer?.key });
    assert.equal(bad.status, 400);
    const entries = readAudit(dir).filter((e) => e.detail.via === 'dashboard');
    const find = (action: string, name: string, pick: (d: Record<string, unknown>) => boolean) =>
      entries.find((e) => e.action === action && e.actor.name === name && pick(e.detail));
    assert.ok(find('sql', 'ana', (d) => d.sql === 'SELECT count(*) AS n FROM orders' && d.rows === 1));
    assert.ok(
      find('sql', 'ana', (d) => String(d.sql).includes('/etc/passwd') && typeof d.error === 'string'),
    );
    assert.ok(find('export', 'wall', (d) => d.analysis === 'sales-by-region' && d.format === 'csv'));
    assert.ok(find('query', 'wall', (d) => d.analysis === 'sales-by-region' && typeof d.error === 'string'));
    assert.ok(find('query', 'wall', (d) => d.analysis === 'sales-by-region' && d.error === undefined));
    // The refused calls above went to the log as failed authentications.
    assert.ok(readAudit(dir, { action: 'auth' }).some((e) => e.detail.via === 'dashboard'));
    assert.deepEqual(failures, []);
  });

  test('a revoked key stops working on its next request', async () => {
    const key = keys.analyst?.key;
    assert.equal((await call('/api/status', { key })).status, 200);
    revokeKey(dir, 'ana');
    const res = await call('/api/status', { key });
    assert.equal(res.status, 401);
    assert.equal((await sql('SELECT 1', key)).status, 401);
  });
});

test('the API is recognised however a router might read its path', () => {
  for (const path of [
    '/api',
    '/api/status',
    '/API/status',
    '/%61pi/sql',
    '/api/../api/sql',
    '/%zz',
    '/api/x?y=1',
  ])
    assert.equal(isApiPath(path), true, path);
  for (const path of ['/', '/analyses/funnel', '/main.js', '/apiary', '/sql?q=SELECT%201'])
    assert.equal(isApiPath(path), false, path);
});

test('the SQL route refuses a viewer even when a custom hook lets the request in', async () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-hook-');
  const dashboard = createDashboard({
    engine: { dataDir: dir },
    authorize: () => ({ name: 'lenient', role: 'viewer', keyId: null }),
  });
  try {
    const res = await dashboard.app.request('/api/sql?q=SELECT%201');
    assert.equal(res.status, 403);
    assert.equal(errorShape.parse(await res.json()).error.code, 'forbidden');
  } finally {
    await dashboard.close();
    cleanup();
  }
});
