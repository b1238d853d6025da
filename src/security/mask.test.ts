import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { collectRows, openEngine } from '../engines/index.js';
import { ingest } from '../ingest/index.js';
import { dataLayout, liveFiles, TABLES, tableDirectory } from '../lake/index.js';
import { CUSTOMERS_HEADER, csv, tempDir, writeText } from '../testing/index.js';
import { buildSecurityLake, ERASED } from './fixture.test-helper.js';
import { DUCKDB_MASK, MASK_SECRET_FILE, maskSecret, maskSql } from './index.js';

// The reference: node:crypto's HMAC, independent of the SQL spelling under test.
const hmac = (secret: Buffer, value: string) =>
  createHmac('sha256', secret).update(value, 'utf8').digest('hex').slice(0, 24);

describe('masking SQL is HMAC-SHA256', () => {
  it('matches node:crypto for ASCII, accents, emoji and a 100-byte key; NULL stays NULL', async () => {
    const db = await DuckDbSession.open();
    try {
      for (const secret of [Buffer.alloc(32, 7), Buffer.alloc(100, 1)]) {
        const rows = await db.all(
          `SELECT v, ${maskSql(DUCKDB_MASK, secret, 'v')} AS m FROM (VALUES ('ann@example.com'), ('Zoë Müller'), ('🙂'), (NULL)) t(v)`,
        );
        for (const r of rows) {
          assert.equal(r.m, r.v === null ? null : hmac(secret, String(r.v)));
        }
      }
    } finally {
      db.close();
    }
  });
});

describe('customers masked per role in the engine views', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
  });
  after(() => cleanup());

  const rowsAs = async (role: 'admin' | 'analyst' | 'viewer', sql: string, sandboxed = false) => {
    const engine = await openEngine({ dataDir: dir, role, sandboxed });
    try {
      return sandboxed ? await collectRows(await engine.querySelect(sql)) : await engine.query(sql);
    } finally {
      await engine.close();
    }
  };

  it('keeps a 0600 secret under <data>/ and refuses one others can read', () => {
    const secret = maskSecret(dir);
    assert.equal(secret.length, 32);
    const path = join(dir, MASK_SECRET_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    chmodSync(path, 0o644);
    assert.throws(() => maskSecret(dir), /other users can read it/);
    chmodSync(path, 0o600);
  });

  it('admin sees the raw columns; viewer and analyst see the HMAC of each, the same in every session', async () => {
    const sql =
      'SELECT customer_id, first_name, last_name, email, city, tier FROM customers ORDER BY customer_id';
    const admin = await rowsAs('admin', sql);
    assert.equal(admin[1]?.email, ERASED.email);
    const secret = Buffer.from(readFileSync(join(dir, MASK_SECRET_FILE), 'utf8').trim(), 'hex');
    for (const [role, sandboxed] of [
      ['viewer', false],
      ['analyst', true],
    ] as const) {
      const masked = await rowsAs(role, sql, sandboxed);
      assert.deepEqual(
        masked,
        admin.map((r) => ({
          ...r,
          first_name: hmac(secret, String(r.first_name)),
          last_name: hmac(secret, String(r.last_name)),
          email: hmac(secret, String(r.email)),
          city: hmac(secret, String(r.city)),
        })),
      );
    }
  });

  it('joins and counts on masked columns still work (two customers share a city)', async () => {
    const sql = `SELECT count(DISTINCT city) AS cities, count(DISTINCT email) AS emails,
      (SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE c.city = (SELECT city FROM customers WHERE customer_id = 'C1')) AS boston_lines
      FROM customers`;
    // By hand: cities Boston, Paris → 2; 3 emails; Boston customers C1 and C3 have orders O1 and O4.
    assert.deepEqual(await rowsAs('analyst', sql, true), [{ cities: 2, emails: 3, boston_lines: 2 }]);
  });

  it('an analyst cannot read the customers files by path, glob, catalog or CTE', async () => {
    const files = liveFiles(tableDirectory(dataLayout(dir), 'customers'));
    const file = files[0] ?? '';
    const attempts = [
      `SELECT * FROM read_parquet('${file}')`,
      `SELECT * FROM '${file}'`,
      `SELECT * FROM read_parquet('${join(dir, 'lake', 'customers')}/**/*.parquet')`,
      `SELECT * FROM parquet_scan(['${file}'])`,
    ];
    for (const sql of attempts) await assert.rejects(rowsAs('analyst', sql, true), /./, sql);
    const catalog = await rowsAs(
      'analyst',
      `SELECT string_agg(coalesce(sql, ''), ' ') AS s FROM (SELECT sql FROM duckdb_tables() UNION ALL SELECT sql FROM duckdb_views())`,
      true,
    );
    const text = String(catalog[0]?.s);
    assert.ok(!text.includes(join(dir, 'lake', 'customers')), 'no customers file path in the catalog');
    assert.ok(!text.includes(ERASED.email));
    const cte = await rowsAs(
      'analyst',
      `WITH c AS (SELECT * FROM customers) SELECT email FROM c WHERE customer_id = 'C2'`,
      true,
    );
    assert.notEqual(cte[0]?.email, ERASED.email);
    assert.match(String(cte[0]?.email), /^[0-9a-f]{24}$/);
  });

  it('an open analyst engine sees a customer loaded after it opened, masked', async () => {
    const engine = await openEngine({ dataDir: dir, role: 'analyst', sandboxed: true });
    try {
      const count = async () =>
        (await collectRows(await engine.querySelect('SELECT count(*) AS n FROM customers')))[0]?.n;
      assert.equal(await count(), 3);
      const file = writeText(
        join(dir, 'raw', 'more-customers.csv'),
        csv(CUSTOMERS_HEADER, [
          ['C9', 'Ed', 'Fox', 'ed@example.com', 'Oslo', 'EU-WEST', '2025-05-05', '1.00', 'BRONZE'],
        ]),
      );
      await ingest({ dataDir: dir, table: TABLES.customers, input: file });
      assert.equal(await count(), 4);
      const [row] = await collectRows(
        await engine.querySelect("SELECT email FROM customers WHERE customer_id = 'C9'"),
      );
      assert.equal(row?.email, hmac(maskSecret(dir), 'ed@example.com'));
    } finally {
      await engine.close();
    }
  });
});
