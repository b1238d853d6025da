import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findAnalysis, loadCatalog, runAnalysis } from '../analyses/index.js';
import { collectorConfigSchema, type RunningCollector, startCollector } from '../collector/index.js';
import { DuckDbSession } from '../duckdb/index.js';
import { collectRows, type Engine, openEngine } from '../engines/index.js';
import { dataLayout, liveFiles, tableDirectory } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { buildSecurityLake, ERASED } from './fixture.test-helper.js';
import {
  appendAudit,
  assertAllowed,
  authorizeRequest,
  createAuthenticator,
  createKey,
  eraseCustomer,
  LOCAL_OWNER,
  principalFromKey,
  readAudit,
  readKeys,
  revokeKey,
  routePermission,
  verifyAudit,
} from './index.js';

/**
 * The attack suite (issue 14): each case is an attack that must fail safely — refused with the right
 * status or error, leaking nothing, leaving the lake and the server working.
 */
const WRITE_KEY = 'legacy-write-key-123';
const ORDER = {
  order_id: 'OX1',
  customer_id: 'C1',
  product_id: 'P1',
  product_name: 'Pen',
  quantity: 1,
  price: 2.5,
  total_amount: 2.5,
  order_date: '2026-11-03 10:00:00',
  status: 'COMPLETED',
  region: 'US-EAST',
};
// Everything personal in the fixture that a role below admin must never see.
const RAW_PII = [
  'ann@example.com',
  ERASED.email,
  'cy@example.com',
  'Ann',
  'Lee',
  ERASED.name,
  'Boston',
  'Paris',
  'Ng',
];

describe('attack suite', () => {
  let dir: string;
  let cleanup: () => void;
  let server: RunningCollector;
  const keys: Record<string, string> = {};

  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
    for (const role of ['admin', 'analyst', 'viewer', 'ingest', 'metrics'] as const)
      keys[role] = createKey(dir, { name: role, role }).key;
    keys.revoked = createKey(dir, { name: 'gone', role: 'admin' }).key;
    revokeKey(dir, 'gone');
    // Created an hour ago with a minute to live.
    const hourAgo = new Date(Date.now() - 3_600_000);
    keys.expired = createKey(
      dir,
      { name: 'old', role: 'admin', expiresAt: new Date(hourAgo.getTime() + 60_000) },
      hourAgo,
    ).key;
    server = await startCollector({
      dataDir: dir,
      port: 0,
      config: collectorConfigSchema.parse({ writeKeys: [WRITE_KEY], compactIntervalMs: 60_000 }),
    });
  });
  after(async () => {
    await server?.close();
    cleanup();
  });

  const call = (path: string, key: string | undefined, init: RequestInit = {}) =>
    fetch(server.url + path, {
      ...init,
      headers: {
        ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}),
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  const post = (path: string, key: string | undefined) =>
    call(path, key, { method: 'POST', body: JSON.stringify([ORDER]) });

  describe('HTTP: missing, wrong, revoked, expired keys', () => {
    const cases: [string, () => string | undefined][] = [
      ['no Authorization header', () => undefined],
      ['an unknown well-formed key', () => 'slk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['a known id with a wrong secret', () => `${keys.admin?.slice(0, 17)}${'A'.repeat(43)}`],
      ['a revoked admin key', () => keys.revoked],
    ];
    for (const [name, key] of cases) {
      it(`refuses ${name} with 401 and WWW-Authenticate`, async () => {
        const res = await post('/v1/orders', key());
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal((await res.json()).error.code, 'unauthorized');
      });
    }
  });

  describe('HTTP: role escalation on every route', () => {
    const cases: [string, string, string, number][] = [
      ['viewer', 'POST', '/v1/orders', 403],
      ['analyst', 'POST', '/v1/events', 403],
      ['metrics', 'POST', '/v1/orders', 403],
      ['ingest', 'GET', '/metrics', 403],
      ['viewer', 'GET', '/metrics', 403],
      ['analyst', 'GET', '/metrics', 403],
    ];
    for (const [role, method, path, status] of cases) {
      it(`a ${role} key on ${method} ${path} gets ${status}`, async () => {
        const res = method === 'POST' ? await post(path, keys[role]) : await call(path, keys[role]);
        assert.equal(res.status, status);
        assert.equal((await res.json()).error.code, 'forbidden');
      });
    }
    it('/metrics needs the scrape credential once one exists (none sent: 401)', async () => {
      assert.equal((await call('/metrics', undefined)).status, 401);
      assert.equal((await call('/metrics', keys.metrics)).status, 200);
    });
    it('probes stay open: /healthz and /readyz without a key', async () => {
      assert.equal((await call('/healthz', undefined)).status, 200);
      assert.equal((await call('/readyz', undefined)).status, 200);
    });
    it('the right keys still work: an ingest key, an admin key and a legacy write key store records', async () => {
      for (const key of [keys.ingest, keys.admin, WRITE_KEY])
        assert.equal((await post('/v1/orders', key)).status, 200);
    });
    it('an ingest key cannot read: every dashboard and API path needs viewer, sql needs analyst', async () => {
      const auth = createAuthenticator({ dataDir: dir });
      for (const path of ['/', '/api/analyses/sales-by-region', '/api/sql', '/api/tables', '/export.csv']) {
        const result = await authorizeRequest(auth, {
          path,
          authorization: `Bearer ${keys.ingest}`,
          address: '10.0.0.9',
        });
        assert.equal(result.ok ? 200 : result.status, 403, path);
      }
      const viewer = await authorizeRequest(auth, {
        path: '/api/sql',
        authorization: `Bearer ${keys.viewer}`,
        address: '10.0.0.9',
      });
      assert.equal(viewer.ok ? 200 : viewer.status, 403);
      const analyst = await authorizeRequest(auth, {
        path: '/api/keys',
        authorization: `Bearer ${keys.analyst}`,
        address: '10.0.0.9',
      });
      assert.equal(analyst.ok ? 200 : analyst.status, 403);
    });
  });

  describe('path traversal and encoding tricks', () => {
    for (const path of [
      '/v1/../metrics',
      '/%2e%2e/metrics',
      '/metrics/',
      '//metrics',
      '/v1/orders/../../metrics',
    ]) {
      it(`GET ${path} does not reach /metrics`, async () => {
        const res = await call(path, keys.ingest);
        assert.notEqual(res.status, 200);
        assert.ok(!(await res.text()).includes('shoplake_'), 'no metrics text');
      });
    }
    it('route rules hold on case, percent-encoding and dot segments', () => {
      assert.equal(routePermission('/API/SQL'), 'sql');
      assert.equal(routePermission('/api/%73ql'), 'sql');
      assert.equal(routePermission('/api/x/../sql'), 'sql');
      assert.equal(routePermission('/api//keys'), 'admin');
      assert.equal(routePermission('/api/%E0%A4%A'), 'admin');
    });
    it('a key name cannot carry a path, a newline or a header', () => {
      for (const name of ['../../etc/passwd', 'a\r\nSet-Cookie: x=1', 'a b', '']) {
        assert.throws(
          () => createKey(dir, { name, role: 'viewer' }),
          /key names|--name/,
          JSON.stringify(name),
        );
      }
    });
    it('revoking a path-like name touches nothing', () => {
      const before = readFileSync(join(dir, 'keys.json'), 'utf8');
      assert.throws(() => revokeKey(dir, '../../keys.json'), /no active key/);
      assert.equal(readFileSync(join(dir, 'keys.json'), 'utf8'), before);
    });
    it('an erasure id that looks like a path or SQL erases nothing', async () => {
      const db = await DuckDbSession.open();
      try {
        for (const id of ['../../lake', "' OR 1=1 --", '%']) {
          const report = await eraseCustomer(db, dir, id);
          // Every table the lake holds with a customer column (orders, customers, clickstream, sessions).
          const rows = Object.values(report.tables).map((t) => t?.rows ?? 0);
          assert.ok(rows.length >= 3, id);
          assert.deepEqual(
            rows,
            rows.map(() => 0),
            id,
          );
        }
      } finally {
        db.close();
      }
    });
  });

  describe('header injection', () => {
    it('what a client sends in Authorization never comes back in the answer', async () => {
      const res = await post('/v1/orders', '<script>alert(1)</script>');
      const text = await res.text();
      assert.equal(res.status, 401);
      assert.ok(!text.includes('script'));
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    });
    it('a header value with control characters is refused by the client stack before it is sent', async () => {
      await assert.rejects(post('/v1/orders', 'x\r\nX-Injected: 1'));
    });
  });

  describe('keys file and throttling', () => {
    it('a keys file others can read is refused, by the CLI and by a server starting', async () => {
      const path = join(dir, 'keys.json');
      chmodSync(path, 0o644);
      try {
        assert.throws(() => readKeys(dir), /other users can read it/);
        assert.throws(() => createAuthenticator({ dataDir: dir }), /other users can read it/);
      } finally {
        chmodSync(path, 0o600);
      }
    });
    it('only hashes are stored: no key appears in the keys file', () => {
      const text = readFileSync(join(dir, 'keys.json'), 'utf8');
      for (const key of Object.values(keys)) assert.ok(!text.includes(key.slice(17)));
    });
    it('repeated failures from one address get 429 with Retry-After, even for a valid key; others are not affected', async () => {
      const auth = createAuthenticator({ dataDir: dir });
      const bad = 'Bearer slk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await auth.authenticate(bad, '203.0.113.7');
        statuses.push(r.ok ? 200 : r.status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
      const good = await auth.authenticate(`Bearer ${keys.admin}`, '203.0.113.7');
      assert.ok(!good.ok && good.status === 429 && (good.retryAfter ?? 0) >= 1);
      assert.ok((await auth.authenticate(`Bearer ${keys.admin}`, '203.0.113.8')).ok);
    });
    it('the server records failed keys and refused roles in the audit log', async () => {
      // The server appends without holding up the answer: wait (bounded) for the entries to land.
      const seen = () => readAudit(dir).map((e) => `${e.action}:${e.actor.name}`);
      for (
        let i = 0;
        i < 200 && !(seen().includes('auth.failure:http') && seen().includes('auth.refused:viewer'));
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(seen().includes('auth.failure:http'));
      assert.ok(seen().includes('auth.refused:viewer'));
    });
    it('the CLI refuses an unknown, revoked or expired --key with one line, and audits it', async () => {
      for (const key of ['nope', keys.revoked ?? '', keys.expired ?? ''])
        await assert.rejects(principalFromKey(dir, key), /unknown, revoked or expired/);
      assert.equal(readAudit(dir, { action: 'auth.failure', actor: 'cli' }).length, 3);
    });
  });

  describe('roles on the command line', () => {
    const refusals: [string, 'read' | 'sql' | 'admin' | 'ingest', string][] = [
      ['viewer', 'sql', 'sql'],
      ['viewer', 'admin', 'keys create'],
      ['analyst', 'admin', 'erase'],
      ['analyst', 'admin', 'audit'],
      ['ingest', 'read', 'query'],
      ['metrics', 'read', 'tables'],
      ['viewer', 'ingest', 'ingest'],
    ];
    for (const [role, permission, command] of refusals) {
      it(`a ${role} key cannot run '${command}'`, async () => {
        const principal = await principalFromKey(dir, keys[role]);
        await assert.rejects(assertAllowed(dir, principal, permission, command), /cannot run/);
      });
    }
    it('without a key the local owner is admin', async () => {
      assert.deepEqual(await principalFromKey(dir, undefined), LOCAL_OWNER);
    });
  });

  describe('SQL sandbox escapes (analyst)', () => {
    let engine: Engine;
    before(async () => {
      engine = await openEngine({ dataDir: dir, role: 'analyst', sandboxed: true, memoryLimit: '256MB' });
    });
    after(async () => engine.close());
    const select = async (sql: string, signal?: AbortSignal) =>
      collectRows(await engine.querySelect(sql, signal ? { signal } : {}));

    const customersFile = () => liveFiles(tableDirectory(dataLayout(dir), 'customers'))[0] ?? '';
    const escapes: [string, () => string][] = [
      ['read_parquet on the customers file', () => `SELECT * FROM read_parquet('${customersFile()}')`],
      [
        'a glob over the customers directory',
        () => `SELECT * FROM read_parquet('${join(dir, 'lake/customers')}/*/*.parquet')`,
      ],
      ['read_csv of /etc/passwd', () => "SELECT * FROM read_csv('/etc/passwd')"],
      ['read_text of the keys file', () => `SELECT * FROM read_text('${join(dir, 'keys.json')}')`],
      ['read_blob of the masking secret', () => `SELECT * FROM read_blob('${join(dir, 'mask.key')}')`],
      ['glob() listing files', () => "SELECT * FROM glob('/etc/*')"],
      ['sniff_csv', () => "SELECT * FROM sniff_csv('/etc/passwd')"],
      ['ATTACH', () => `ATTACH '${join(dir, 'x.db')}' AS x`],
      ['COPY TO a file', () => `COPY (SELECT 1) TO '${join(dir, 'out.csv')}'`],
      ['EXPORT DATABASE', () => `EXPORT DATABASE '${join(dir, 'export')}'`],
      ['INSTALL an extension', () => 'INSTALL httpfs'],
      ['LOAD an extension', () => 'LOAD httpfs'],
      ['SET a setting', () => 'SET enable_external_access = true'],
      ['RESET the lock', () => 'RESET lock_configuration'],
      ['PRAGMA', () => 'PRAGMA enable_profiling'],
      ['CALL', () => 'CALL pragma_version()'],
      ['two statements', () => 'SELECT 1; SELECT 2'],
      ['a SELECT then a DROP', () => 'SELECT 1; DROP TABLE customers'],
      ['CREATE TABLE', () => 'CREATE TABLE t AS SELECT * FROM customers'],
      ['query() running a statement', () => "SELECT * FROM query('INSTALL httpfs')"],
      [
        'query() reading a file',
        () => `SELECT * FROM query('SELECT * FROM read_parquet(''${customersFile()}'')')`,
      ],
    ];
    for (const [name, sql] of escapes) {
      it(`refuses ${name}`, async () => {
        await assert.rejects(select(sql()));
      });
    }
    it('stops a runaway query at its time cap (the signal), and the engine keeps working', async () => {
      const stop = new AbortController();
      const running = select('SELECT count(*) FROM range(1000000000000) a', stop.signal);
      setTimeout(() => stop.abort(new Error('time cap reached')), 200);
      await assert.rejects(running);
      assert.deepEqual(await select('SELECT 1 AS one'), [{ one: 1 }]);
    });
    it('stops a query at its memory cap with an error, and the engine keeps working', async () => {
      await assert.rejects(select('SELECT len(list(i)) FROM range(200000000) t(i)'), /memory/i);
      assert.deepEqual(await select('SELECT 1 AS one'), [{ one: 1 }]);
    });
    it('the settings do not reveal the customers files', async () => {
      const [row] = await select("SELECT CAST(current_setting('allowed_paths') AS VARCHAR) AS p");
      // Only the masked copy in the engine's private temp directory, never a file of the lake's table.
      assert.ok(!String(row?.p).includes(join(dir, 'lake', 'customers')));
    });
    it('an error message echoes the masked value, never the raw one', async () => {
      const err = await select("SELECT CAST(email AS INTEGER) FROM customers WHERE customer_id = 'C2'").then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof Error);
      assert.ok(!err.message.includes(ERASED.email), err.message);
    });
  });

  describe('PII through each output below admin', () => {
    it('no analysis of the catalog run as a viewer returns a name, email or city', async () => {
      const engine = await openEngine({ dataDir: dir, role: 'viewer' });
      let ran = 0;
      try {
        for (const analysis of await loadCatalog()) {
          const rows = await runAnalysis(engine, await findAnalysis(analysis.name), {}).catch(() => null);
          if (rows === null) continue;
          ran++;
          const text = JSON.stringify(rows);
          for (const pii of RAW_PII) assert.ok(!text.includes(`"${pii}"`), `${analysis.name} leaks ${pii}`);
        }
      } finally {
        await engine.close();
      }
      assert.ok(ran >= 10, `ran ${ran} analyses`);
    });
    it('SELECT * FROM customers as a viewer and as an analyst holds no raw value', async () => {
      for (const sandboxed of [false, true]) {
        const engine = await openEngine({ dataDir: dir, role: sandboxed ? 'analyst' : 'viewer', sandboxed });
        try {
          const rows = sandboxed
            ? await collectRows(await engine.querySelect('SELECT * FROM customers'))
            : await engine.query('SELECT * FROM customers');
          assert.equal(rows.length, 3);
          const text = JSON.stringify(rows);
          for (const pii of RAW_PII) assert.ok(!text.includes(`"${pii}"`), pii);
        } finally {
          await engine.close();
        }
      }
    });
  });

  describe('tampered audit log', () => {
    // Its own data directory, so that no entry the server is still appending lands mid-test.
    let logDir: string;
    let logCleanup: () => void;
    before(async () => {
      ({ dir: logDir, cleanup: logCleanup } = tempDir());
      for (let i = 0; i < 4; i++) await appendAudit(logDir, LOCAL_OWNER, 'sql', { sql: `SELECT ${i}` });
    });
    after(() => logCleanup());
    const log = () => join(logDir, 'audit.log');
    const prepare = async () => {
      assert.ok(verifyAudit(logDir).ok);
      return readFileSync(log(), 'utf8');
    };
    const tamper: [string, (lines: string[]) => string[]][] = [
      [
        'a changed field',
        (l) => l.map((x, i) => (i === 1 ? x.replace(/"at":"[^"]+"/, '"at":"2000-01-01T00:00:00.000Z"') : x)),
      ],
      ['a removed middle line', (l) => l.filter((_, i) => i !== 1)],
      ['a removed last line', (l) => l.slice(0, -1)],
      ['two lines swapped', (l) => [l[1] ?? '', l[0] ?? '', ...l.slice(2)]],
      ['a line rewritten with its own hash recomputed', (l) => l.map((x, i) => (i === 0 ? rehash(x) : x))],
      ['an inserted copy of a line', (l) => [...l.slice(0, 2), l[1] ?? '', ...l.slice(2)]],
    ];
    for (const [name, change] of tamper) {
      it(`audit verify detects ${name}`, async () => {
        const original = await prepare();
        const lines = original.split('\n').filter(Boolean);
        writeFileSync(log(), `${change(lines).join('\n')}\n`);
        assert.equal(verifyAudit(logDir).ok, false);
        writeFileSync(log(), original);
        assert.ok(verifyAudit(logDir).ok);
      });
    }
  });
});

// An attacker who changes a line and recomputes its own hash (but cannot fix the next line's `prev`).
function rehash(line: string): string {
  const entry = JSON.parse(line) as Record<string, unknown>;
  entry.detail = { sql: 'SELECT 666' };
  const { hash: _hash, ...body } = entry;
  const text = JSON.stringify({
    seq: body.seq,
    at: body.at,
    actor: body.actor,
    action: body.action,
    detail: body.detail,
    prev: body.prev,
  });
  return JSON.stringify({ ...body, hash: createHash('sha256').update(text).digest('hex') });
}
