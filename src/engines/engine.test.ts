import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import { appendRows } from '../lake/append.test-helper.js';
import { dataLayout, TABLES } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { collectRows, openEngine } from './index.js';

/** Writes a small lake straight through the lake's writer: 3 orders on 2 days, 2 customers. */
async function writeLake(dir: string, orderIds = ['O1', 'O2', 'O3']): Promise<void> {
  const layout = dataLayout(dir);
  const db = await DuckDbSession.open();
  try {
    const days = ['2026-11-01 10:00:00', '2026-11-02 10:00:00', '2026-11-02 11:00:00'];
    const orders = orderIds
      .map(
        (id, i) =>
          `('${id}', 'C1', 'P1', 'Pen', 1, 2.5, 2.5, TIMESTAMP '${days[i % 3]}', 'COMPLETED', 'US-EAST', NULL, '1')`,
      )
      .join(', ');
    await appendRows(
      db,
      layout,
      TABLES.orders,
      `(SELECT * FROM (VALUES ${orders}) t(order_id, customer_id, product_id, product_name, quantity, price, total_amount, order_date, status, region, discount, line_id))`,
    );
    await appendRows(
      db,
      layout,
      TABLES.customers,
      `(SELECT * FROM (VALUES ('C1', 'A', 'B', 'a@b.c', 'X', 'US-EAST', DATE '2025-01-01', 10.0, 'GOLD'),
        ('C2', 'C', 'D', 'c@d.e', 'Y', 'LATAM', DATE '2026-01-01', 0.0, 'BRONZE'))
        t(customer_id, first_name, last_name, email, city, region, signup_date, lifetime_value, tier))`,
    );
  } finally {
    db.close();
  }
}

const count = async (dir: string, table: string, sandboxed = false) => {
  const engine = await openEngine({ dataDir: dir, sandboxed });
  try {
    const [row] = sandboxed
      ? await collectRows(await engine.querySelect(`SELECT count(*) AS n FROM ${table}`))
      : await engine.query(`SELECT count(*) AS n FROM ${table}`);
    return row?.n;
  } finally {
    await engine.close();
  }
};

describe('engine over a lake with missing and damaged tables (issues 8, 16)', () => {
  let root: string;
  let cleanup: () => void;
  let lake: string;
  before(async () => {
    ({ dir: root, cleanup } = tempDir());
    lake = join(root, 'lake-ok');
    await writeLake(lake);
  });
  after(() => cleanup());

  const copy = (name: string) => {
    const dir = join(root, name);
    cpSync(lake, dir, { recursive: true });
    return dir;
  };

  it('reports each table: loaded, or not loaded yet', async () => {
    const engine = await openEngine({ dataDir: lake });
    try {
      const states = Object.fromEntries((await engine.tables()).map((t) => [t.table, t.state]));
      assert.deepEqual(states, {
        orders: 'loaded',
        customers: 'loaded',
        clickstream: 'not loaded',
        products: 'not loaded',
        experiments: 'not loaded',
        order_checks: 'not loaded',
        fraud_scores: 'not loaded',
        fraud_labels: 'not loaded',
        warehouses: 'not loaded',
        stock_levels: 'not loaded',
        stock_movements: 'not loaded',
        competitor_prices: 'not loaded',
        // Derived from clickstream, which is not loaded either.
        sessions: 'not loaded',
      });
    } finally {
      await engine.close();
    }
  });

  it('says what to run when a query reads a table the lake does not have', async () => {
    await assert.rejects(count(lake, 'clickstream'), (err: Error) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /no clickstream table yet: run 'shoplake build-lake'.*shoplake ingest/);
      return true;
    });
    assert.equal(await count(lake, 'orders'), 3);
  });

  it('keeps other tables working when a manifest is corrupt, and names the damaged table', async () => {
    const dir = copy('corrupt-manifest');
    writeFileSync(join(dir, 'lake', 'customers', '_manifest.json'), '{"version": 1, "files": [');
    assert.equal(await count(dir, 'orders'), 3);
    assert.equal(await count(dir, 'orders', true), 3);
    await assert.rejects(
      count(dir, 'customers'),
      /table customers is damaged: .*_manifest\.json.*shoplake doctor/,
    );
  });

  it('keeps other tables working when the manifest lists a file that is gone', async () => {
    const dir = copy('missing-file');
    const manifest = JSON.parse(readFileSync(join(dir, 'lake', 'orders', '_manifest.json'), 'utf8'));
    rmSync(join(dir, 'lake', 'orders', String(manifest.files[0])));
    assert.equal(await count(dir, 'customers'), 2);
    await assert.rejects(
      count(dir, 'orders'),
      /table orders is damaged: 1 file\(s\) its manifest lists are missing/,
    );
    await assert.rejects(count(dir, 'orders', true), /table orders is damaged/);
  });

  it('keeps other tables working when a live file is not Parquet', async () => {
    const dir = copy('garbage-file');
    const manifest = JSON.parse(readFileSync(join(dir, 'lake', 'customers', '_manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'lake', 'customers', String(manifest.files[0])), 'not parquet');
    assert.equal(await count(dir, 'orders'), 3);
    await assert.rejects(count(dir, 'customers'), /table customers is damaged: its files cannot be read/);
  });

  it('a sandboxed engine follows new batches (it reopens locked to the new file list)', async () => {
    const dir = copy('growing');
    const engine = await openEngine({ dataDir: dir, sandboxed: true });
    try {
      const n = async () =>
        (await collectRows(await engine.querySelect('SELECT count(*) AS n FROM orders')))[0]?.n;
      assert.equal(await n(), 3);
      await writeLake(dir, ['O4', 'O5']);
      assert.equal(await n(), 5);
    } finally {
      await engine.close();
    }
  });

  it('gives each user statement a fresh locked session, so a SELECT cannot leave state behind', async () => {
    const engine = await openEngine({ dataDir: lake, sandboxed: true });
    try {
      // A SELECT that reconfigures the session's logging to a directory it may not write: before each
      // statement got its own session, every later query failed with a permission error.
      const logs = join(root, 'logs');
      await collectRows(
        await engine.querySelect(`SELECT * FROM enable_logging(storage = 'file', storage_path = '${logs}')`),
      ).catch(() => []);
      const [row] = await collectRows(await engine.querySelect('SELECT count(*) AS n FROM orders'));
      assert.equal(row?.n, 3);
      assert.ok(!existsSync(logs), 'no log directory written');
    } finally {
      await engine.close();
    }
  });

  it('streams rows batch by batch and stops on its signal with the signal reason', async () => {
    const engine = await openEngine({ dataDir: lake });
    try {
      const stream = await engine.stream('SELECT range AS i FROM range(10000)');
      assert.deepEqual(
        stream.columns.map((c) => c.name),
        ['i'],
      );
      let rows = 0;
      let batches = 0;
      for await (const batch of stream) {
        rows += batch.length;
        batches++;
      }
      assert.equal(rows, 10000);
      assert.ok(batches >= 5, `10,000 rows come in chunks of at most 2,048, not ${batches}`);
      const controller = new AbortController();
      const reason = new UserError('stopped by the test');
      const running = engine.query(
        'SELECT count(*) FROM range(1000000000000) WHERE range % 7 = 3',
        {},
        {
          signal: controller.signal,
        },
      );
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(running, (err) => err === reason);
      // The engine is still usable after an interrupted statement.
      assert.deepEqual(await engine.query('SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await engine.close();
    }
  });

  it('refuses user SQL on an engine that is not sandboxed, and a data directory that is a file', async () => {
    const engine = await openEngine({ dataDir: lake });
    try {
      await assert.rejects(engine.querySelect('SELECT 1'), /sandboxed/);
    } finally {
      await engine.close();
    }
    writeFileSync(join(root, 'a-file'), 'x');
    await assert.rejects(openEngine({ dataDir: join(root, 'a-file') }), /is a file, not a data directory/);
  });
});
