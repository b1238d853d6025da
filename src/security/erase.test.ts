import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { openEngine } from '../engines/index.js';
import { ingest } from '../ingest/index.js';
import { dataLayout, liveFiles, TABLES, tableDirectory } from '../lake/index.js';
import { CLICKSTREAM_HEADER, csv, tempDir, writeText } from '../testing/index.js';
import { buildSecurityLake, ERASED } from './fixture.test-helper.js';
import {
  applyRetention,
  customerTables,
  eraseCustomer,
  orderLinkedTables,
  partitionEnd,
  sessionLinkedTables,
} from './index.js';

/** Every file under dir (recursively) whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => {
      try {
        return readFileSync(f).includes(Buffer.from(needle));
      } catch {
        return false; // a directory
      }
    });
}

describe('erasure', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
  });
  after(() => cleanup());

  it('covers every table with a customer column', () => {
    // sessions and fraud_scores carry customer_id too since the sessions and fraud features.
    assert.deepEqual(customerTables().sort(), [
      'clickstream',
      'customers',
      'fraud_scores',
      'orders',
      'sessions',
    ]);
  });

  it("removes a person's rows from every table and report; the bytes are gone from live files", async () => {
    const layout = dataLayout(dir);
    const live = () =>
      ['orders', 'customers', 'clickstream'].flatMap((t) => liveFiles(tableDirectory(layout, t)));
    // Preconditions, so the test can fail: the email is in plain bytes of a live file and in both reports.
    assert.ok(
      live().some((f) => readFileSync(f).includes(Buffer.from(ERASED.email))),
      'email in a live file',
    );
    assert.equal(filesContaining(layout.quarantine, ERASED.email).length, 1);
    assert.equal(filesContaining(layout.duplicates, '"C2"').length, 1);

    // A reader opened before the erasure keeps working through it.
    const reader = await openEngine({ dataDir: dir });
    const db = await DuckDbSession.open();
    try {
      const report = await eraseCustomer(db, dir, ERASED.id, { purge: true });
      // By hand: C2 has 1 customer row, 2 order lines (O2, O3), 2 events.
      assert.equal(report.tables.customers?.rows, 1);
      assert.equal(report.tables.orders?.rows, 2);
      assert.equal(report.tables.clickstream?.rows, 2);
      assert.deepEqual(
        report.reports.map((r) => r.lines),
        [1, 1],
      );
    } finally {
      db.close();
    }
    const after = await reader.query(
      `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders,
        (SELECT count(*) FROM clickstream) AS events, (SELECT count(*) FROM orders WHERE customer_id = 'C2') AS c2`,
    );
    await reader.close();
    assert.deepEqual(after, [{ customers: 2, orders: 2, events: 2, c2: 0 }]);
    for (const f of live()) assert.ok(!readFileSync(f).includes(Buffer.from(ERASED.email)), f);
    for (const d of [layout.lake, layout.quarantine, layout.duplicates]) {
      assert.deepEqual(filesContaining(d, ERASED.email), []);
      assert.deepEqual(filesContaining(d, ERASED.name), []);
    }
    // The quarantined line (tier NOPE) was C2's, found by the email it held.
    assert.equal(filesContaining(layout.quarantine, '"NOPE"').length, 0);
  });
});

describe("erasure of a person's order checks and labels", () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
    // C2 placed O2 and O3 (the fixture); their checks carry a device id and an IP country that are C2's.
    const checks = writeText(
      join(dir, 'raw', 'order_checks.csv'),
      csv('order_id,order_date,payment_method,shipping_region,ip_country,account_age_days,device_id', [
        ['O1', '2026-11-01 10:00:00', 'card', 'US-EAST', 'US', 300, 'dev-ann-1'],
        ['O2', '2026-11-01 11:00:00', 'card', 'EU-WEST', 'FR', 20, 'dev-bo-7731'],
        ['O3', '2026-11-02 12:00:00', 'paypal', 'EU-WEST', 'FR', 21, 'dev-bo-7731'],
        ['O4', '2026-11-02 13:00:00', 'card', 'US-EAST', 'US', 9, 'dev-cy-2'],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.order_checks, input: checks });
    const labels = writeText(
      join(dir, 'raw', 'fraud_labels.csv'),
      csv('order_id,label,labelled_at', [
        ['O3', 'confirmed', '2026-11-10 09:00:00'],
        ['O4', 'false', '2026-11-10 09:00:00'],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.fraud_labels, input: labels });
  });
  after(() => cleanup());

  it('tables keyed by order id alone are the order-linked ones', () => {
    assert.deepEqual(orderLinkedTables().sort(), ['fraud_labels', 'order_checks']);
  });

  it("removes the checks and labels of the person's orders and keeps everyone else's", async () => {
    const db = await DuckDbSession.open();
    try {
      const report = await eraseCustomer(db, dir, ERASED.id, { purge: true });
      // By hand: C2's orders are O2 and O3: two checks, one label.
      assert.equal(report.tables.order_checks?.rows, 2);
      assert.equal(report.tables.fraud_labels?.rows, 1);
    } finally {
      db.close();
    }
    const engine = await openEngine({ dataDir: dir });
    try {
      assert.deepEqual(await engine.query('SELECT order_id FROM order_checks ORDER BY 1'), [
        { order_id: 'O1' },
        { order_id: 'O4' },
      ]);
      assert.deepEqual(await engine.query('SELECT order_id FROM fraud_labels ORDER BY 1'), [
        { order_id: 'O4' },
      ]);
    } finally {
      await engine.close();
    }
    const layout = dataLayout(dir);
    for (const t of ['order_checks', 'fraud_labels']) {
      for (const f of liveFiles(tableDirectory(layout, t)))
        assert.ok(!readFileSync(f).includes(Buffer.from('dev-bo-7731')), f);
    }
  });

  it("counts the person's records still waiting in a collector's WAL (they would reach the lake later)", async () => {
    // A segment as the collector writes it: one NDJSON record a line, one of C2's, one of C1's.
    writeText(
      join(dir, 'wal', 'orders', '000000000009.ndjson'),
      `${JSON.stringify({ order_id: 'O9', customer_id: 'C2' })}\n${JSON.stringify({ order_id: 'O8', customer_id: 'C1' })}\n`,
    );
    const db = await DuckDbSession.open();
    try {
      const report = await eraseCustomer(db, dir, ERASED.id);
      assert.equal(report.walPending, 1);
    } finally {
      db.close();
    }
  });

  it('an id that matches nothing names the spelling the lake holds (case, spaces)', async () => {
    const db = await DuckDbSession.open();
    try {
      // C1 is still in the lake; 'c1 ' differs only in case and a trailing space.
      const report = await eraseCustomer(db, dir, 'c1 ');
      assert.deepEqual(
        Object.values(report.tables).map((t) => t?.rows),
        Object.values(report.tables).map(() => 0),
      );
      assert.deepEqual(report.nearMatches, ['C1']);
      const none = await eraseCustomer(db, dir, 'NOBODY');
      assert.deepEqual(none.nearMatches, []);
    } finally {
      db.close();
    }
  });
});

describe("erasure of a person's sessions: experiment arms and events before sign-in", () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
    // C2's session is S2 (the fixture); an event of S2 before sign-in says GUEST (as the
    // seed's clickstream does). S4 is shared by
    // C2 and C3 (one device): not C2's alone, so it stays.
    const clicks = writeText(
      join(dir, 'raw', 'more-clicks.csv'),
      csv(CLICKSTREAM_HEADER, [
        ['2026-11-01 09:59:00', 'S2', 'GUEST', 'VIEW', 'home', '', 'mobile', 5],
        ['2026-11-03 08:00:00', 'S4', 'C2', 'VIEW', 'home', '', 'mobile', 5],
        ['2026-11-03 08:01:00', 'S4', 'C3', 'VIEW', 'home', '', 'mobile', 5],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.clickstream, input: clicks });
    const arms = writeText(
      join(dir, 'raw', 'experiments.csv'),
      csv('session_id,experiment,variant', [
        ['S1', 'checkout-v2', 'control'],
        ['S2', 'checkout-v2', 'treatment'],
        ['S2', 'banner', 'control'],
        ['S3', 'checkout-v2', 'treatment'],
        ['S4', 'checkout-v2', 'control'],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.experiments, input: arms });
  });
  after(() => cleanup());

  it('tables keyed by session id alone are the session-linked ones', () => {
    assert.deepEqual(sessionLinkedTables(), ['experiments']);
  });

  it("removes the person's sessions' arms and anonymous events, and says so", async () => {
    const db = await DuckDbSession.open();
    try {
      const report = await eraseCustomer(db, dir, ERASED.id, { purge: true });
      // By hand: S2 is C2's alone: 2 arms; events: S2's two signed-in, S2's anonymous one, S4's C2 one.
      assert.equal(report.tables.experiments?.rows, 2);
      assert.equal(report.tables.clickstream?.rows, 4);
    } finally {
      db.close();
    }
    const engine = await openEngine({ dataDir: dir });
    try {
      assert.deepEqual(await engine.query('SELECT session_id, experiment FROM experiments ORDER BY 1, 2'), [
        { session_id: 'S1', experiment: 'checkout-v2' },
        { session_id: 'S3', experiment: 'checkout-v2' },
        { session_id: 'S4', experiment: 'checkout-v2' },
      ]);
      assert.deepEqual(await engine.query('SELECT session_id, customer_id FROM clickstream ORDER BY 1, 2'), [
        { session_id: 'S1', customer_id: 'C1' },
        { session_id: 'S3', customer_id: 'C3' },
        { session_id: 'S4', customer_id: 'C3' },
      ]);
    } finally {
      await engine.close();
    }
  });
});

describe('retention', () => {
  it('partition ends: a year, a month, a day (by hand)', () => {
    assert.equal(partitionEnd('2026'), Date.UTC(2027, 0, 1));
    assert.equal(partitionEnd('2026-11'), Date.UTC(2026, 11, 1));
    assert.equal(partitionEnd('2026-12'), Date.UTC(2027, 0, 1));
    assert.equal(partitionEnd('2026-11-30'), Date.UTC(2026, 11, 1));
    assert.equal(partitionEnd('../x'), null);
  });

  it('drops whole partitions older than the cutoff and keeps one that straddles it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await buildSecurityLake(dir);
      const engine = await openEngine({ dataDir: dir });
      try {
        const parts = liveFiles(tableDirectory(dataLayout(dir), 'customers')).map((f) => f.split('/').at(-2));
        // Signup years 2023, 2024, 2025: partitions by year.
        assert.deepEqual([...new Set(parts)].sort(), ['part=2023', 'part=2024', 'part=2025']);
        // Cutoff 2025-06-01: 2023 and 2024 end before it, 2025 straddles it.
        const report = await applyRetention(dir, 'customers', 365, new Date('2026-06-01T00:00:00Z'));
        assert.deepEqual(report.partitions, ['part=2023', 'part=2024']);
        assert.deepEqual(await engine.query('SELECT customer_id FROM customers ORDER BY 1'), [
          { customer_id: 'C3' },
        ]);
      } finally {
        await engine.close();
      }
    } finally {
      cleanup();
    }
  });
});
