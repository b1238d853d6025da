import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { tempDir } from '../testing/index.js';
import { createDashboard, type Dashboard } from './index.js';
import { cli, cliQuery, smallLake } from './lake.test-helper.js';

const errorShape = z.object({
  error: z.object({ message: z.string(), code: z.string(), status: z.number() }),
});
const rowsShape = z.object({ rows: z.array(z.record(z.string(), z.unknown())), notes: z.array(z.unknown()) });

describe('dashboard API (app.request, no port)', () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-api-');
  let dashboard: Dashboard;
  let placedLines = 0;
  const get = async (path: string) => {
    const res = await dashboard.app.request(path);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  before(async () => {
    const stats = await smallLake(dir);
    placedLines = stats.orders;
    // Every requested line is placed or lost to a stockout, and the lake's count must find the placed ones.
    assert.equal(stats.orders + stats.lostLines, 2000);
    dashboard = createDashboard({ engine: { dataDir: dir }, maxSqlRows: 5 });
  });
  after(async () => {
    await dashboard.close();
    cleanup();
  });

  test('lists every analysis of the catalog folder, with parameters and columns', async () => {
    const folder = fileURLToPath(new URL('../analyses/catalog/', import.meta.url));
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
      .map((f) => f.replace(/\.js$/, ''))
      .sort();
    const { status, body } = await get('/api/analyses');
    assert.equal(status, 200);
    const list = z
      .array(z.object({ name: z.string(), columns: z.array(z.object({ name: z.string() })) }))
      .parse(body);
    assert.deepEqual(list.map((a) => a.name).sort(), files);
    const regions = list.find((a) => a.name === 'sales-by-region');
    assert.deepEqual(
      regions?.columns.map((c) => c.name),
      ['region', 'revenue', 'order_lines'],
    );
  });

  test('an empty answer to a region spelled in another case says the spelling the orders use', async () => {
    // The generator's regions are upper case (US-EAST); 'us-east' matches no order.
    const { status, body } = await get('/api/analyses/revenue-by-day?region=us-east');
    assert.equal(status, 200);
    const result = rowsShape.parse(body);
    assert.deepEqual(result.rows, []);
    const messages = z.array(z.object({ code: z.string(), message: z.string() })).parse(result.notes);
    assert.ok(
      messages.some((n) => n.code === 'region_case' && n.message.includes("'US-EAST'")),
      JSON.stringify(result.notes),
    );
    const exact = rowsShape.parse((await get('/api/analyses/revenue-by-day?region=US-EAST')).body);
    assert.ok(exact.rows.length > 0);
    assert.ok(!JSON.stringify(exact.notes).includes('region_case'));
  });

  test('an analysis answers the same rows as `shoplake query --format json`', async () => {
    for (const [name, query, flags] of [
      ['sales-by-region', '', []],
      ['top-products', '?by=units&limit=4', ['--by', 'units', '--limit', '4']],
      ['funnel', '?by=device&window-minutes=60', ['--by', 'device', '--window-minutes', '60']],
      ['cohort-retention', '?period=week', ['--period', 'week']],
    ] as const) {
      const { status, body } = await get(`/api/analyses/${name}${query}`);
      assert.equal(status, 200, `${name}: ${JSON.stringify(body)}`);
      assert.deepEqual(rowsShape.parse(body).rows, cliQuery(dir, name, [...flags]), name);
    }
  });

  test('revenue per region equals a sum written by hand in SQL', async () => {
    const r = cli([
      'sql',
      'SELECT region, sum(total_amount) AS revenue FROM orders GROUP BY region',
      '--format',
      'json',
      '--data',
      dir,
    ]);
    const byHand = new Map(
      z
        .array(z.object({ region: z.string(), revenue: z.coerce.number() }))
        .parse(JSON.parse(r.stdout))
        .map((x) => [x.region, Math.round(x.revenue * 100) / 100]),
    );
    const { body } = await get('/api/analyses/sales-by-region');
    const rows = z
      .array(z.object({ region: z.string(), revenue: z.number() }))
      .parse(rowsShape.parse(body).rows);
    assert.equal(rows.length, byHand.size);
    for (const row of rows) assert.equal(row.revenue, byHand.get(row.region), row.region);
  });

  test('a bad parameter answers 400 with the CLI message', async () => {
    const { status, body } = await get('/api/analyses/top-products?limit=0');
    const r = cli(['query', 'top-products', '--limit', '0', '--data', dir]);
    assert.equal(r.status, 2);
    assert.equal(status, 400);
    const { error } = errorShape.parse(body);
    assert.equal(`shoplake: ${error.message}\n`, r.stderr);
    assert.deepEqual([error.code, error.status], ['bad_params', 400]);
  });

  test('unknown analyses and routes answer the one error shape', async () => {
    const unknown = await get('/api/analyses/nope');
    assert.equal(unknown.status, 404);
    assert.equal(errorShape.parse(unknown.body).error.code, 'unknown_analysis');
    const route = await get('/api/nothing-here');
    assert.equal(route.status, 404);
    assert.equal(errorShape.parse(route.body).error.code, 'not_found');
  });

  test('SQL runs in the sandbox, with the row limit said', async () => {
    const post = async (sql: string) => {
      const res = await dashboard.app.request('/api/sql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const count = await post('SELECT count(DISTINCT order_id) AS n FROM orders');
    assert.equal(count.status, 200);
    assert.deepEqual(z.object({ rows: z.array(z.unknown()) }).parse(count.body).rows, [{ n: placedLines }]);
    const many = z
      .object({ rows: z.array(z.unknown()), truncated: z.boolean() })
      .parse((await post('SELECT * FROM range(12)')).body);
    assert.deepEqual([many.rows.length, many.truncated], [5, true]);
    const write = await post("COPY orders TO '/tmp/shoplake-should-not-exist.csv'");
    assert.equal(write.status, 400);
    const file = await post("SELECT * FROM read_csv('/etc/passwd')");
    assert.equal(file.status, 400);
    assert.match(errorShape.parse(file.body).error.message, /disabled|not allowed|Permission/i);
    const two = await post('SELECT 1; SELECT 2');
    assert.equal(two.status, 400);
  });

  test('twenty viewers asking at once cost the lake one run', async () => {
    const before = dashboard.stats().statements;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => dashboard.app.request('/api/analyses/order-status?region=US-EAST')),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      new Array(20).fill(200),
    );
    // order-status has no notes query: one statement for the analysis itself.
    assert.equal(dashboard.stats().statements - before, 1);
  });

  test('lake status lists every table', async () => {
    const { status, body } = await get('/api/status');
    assert.equal(status, 200);
    const tables = z
      .object({ tables: z.array(z.object({ table: z.string(), state: z.string() })) })
      .parse(body);
    assert.deepEqual(
      tables.tables.map((t) => `${t.table}:${t.state}`),
      // The fraud tables exist once `serve` has scored orders; a generated lake has none yet.
      [
        'orders:loaded',
        'customers:loaded',
        'clickstream:loaded',
        'products:loaded',
        'experiments:loaded',
        'sessions:loaded',
        'order_checks:loaded',
        'fraud_scores:not loaded',
        'fraud_labels:not loaded',
        'warehouses:loaded',
        'stock_levels:loaded',
        'stock_movements:loaded',
        'competitor_prices:loaded',
      ],
    );
  });

  test("the live snapshot counts what the lake holds, on the counters' own engine", async () => {
    const before = dashboard.stats();
    const { body } = await get('/api/live/snapshot?tz=Europe/Paris');
    const snap = z.object({ ordersTotal: z.number(), eventsTotal: z.number(), tz: z.string() }).parse(body);
    assert.deepEqual([snap.ordersTotal, snap.eventsTotal, snap.tz], [placedLines, 8000, 'Europe/Paris']);
    // Three counting statements (counters, per minute, events), none of them on the panels' engine.
    const after = dashboard.stats();
    assert.equal(after.liveStatements - before.liveStatements, 3);
    assert.equal(after.statements - before.statements, 3);
    const bad = await get('/api/live/snapshot?tz=Mars/Olympus');
    assert.equal(bad.status, 400);
  });
});

test('every route, pages included, passes through the authorize hook', async () => {
  const { dir, cleanup } = tempDir('shoplake-dashboard-auth-');
  const seen: string[] = [];
  const dashboard = createDashboard({
    engine: { dataDir: dir },
    authorize: (c) => {
      seen.push(c.req.path);
      if (c.req.header('x-role') !== 'viewer')
        throw new UserError('no role', { code: 'forbidden', status: 403 });
    },
  });
  try {
    for (const path of ['/api/analyses', '/api/status', '/api/sql?q=SELECT%201', '/', '/analyses/funnel']) {
      const res = await dashboard.app.request(path);
      assert.equal(res.status, 403, path);
      assert.deepEqual(await res.json(), { error: { message: 'no role', code: 'forbidden', status: 403 } });
    }
    const allowed = await dashboard.app.request('/api/analyses', { headers: { 'x-role': 'viewer' } });
    assert.equal(allowed.status, 200);
    assert.equal(seen.length, 6);
  } finally {
    await dashboard.close();
    cleanup();
  }
});
