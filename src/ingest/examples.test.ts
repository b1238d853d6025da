import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { DuckDbEngine } from '../engines/testing.js';
import { TABLES } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { type IngestReport, ingest, loadMapping } from './index.js';

// The three worked examples of docs/MAPPING.md. Each expected figure is recomputed here in plain
// TypeScript straight from the sample CSV files (never from shoplake's output), with amounts as
// integers of 1/10,000 so that sums are exact.
const EXAMPLES = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));
type Row = Record<string, string>;
const csvRows = (path: string): Row[] => parse(readFileSync(path), { columns: true, skip_empty_lines: true });
const units = (amount: string | number) => Math.round(Number(amount) * 10_000);
const sumBy = <T>(rows: T[], key: (r: T) => string, value: (r: T) => number) => {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + value(r);
  return out;
};
const distinctBy = <T>(rows: T[], key: (r: T) => string, id: (r: T) => string) => {
  const sets: Record<string, Set<string>> = {};
  for (const r of rows) {
    const set = sets[key(r)] ?? new Set<string>();
    set.add(id(r));
    sets[key(r)] = set;
  }
  return Object.fromEntries(Object.entries(sets).map(([k, s]) => [k, s.size]));
};
/** First row of each key; later ones are what ingest must count as duplicates. */
function firstOfKey<T>(rows: T[], key: (r: T) => string): { kept: T[]; repeats: number } {
  const seen = new Set<string>();
  const kept = rows.filter((r) => !seen.has(key(r)) && seen.add(key(r)) !== undefined);
  return { kept, repeats: rows.length - kept.length };
}
const MAPPING_DOC = readFileSync(new URL('../../../docs/MAPPING.md', import.meta.url), 'utf8');
/** docs/MAPPING.md must print the counts computed here for each example. */
function assertDocCounts(c: {
  read: number;
  loaded: number;
  duplicate: number;
  quarantined: number;
  skipped: number;
}) {
  const line = `orders: read ${c.read}, loaded ${c.loaded}, duplicate ${c.duplicate}, quarantined ${c.quarantined}, skipped ${c.skipped}`;
  assert.ok(MAPPING_DOC.includes(line), `docs/MAPPING.md should say: ${line}`);
}
/** An amount of 1/10,000 units as docs/MAPPING.md prints it: 6,528.6201, −33.016. */
const shown = (u: number, places: number) =>
  (u < 0 ? '−' : '') +
  (Math.abs(u) / 10_000).toLocaleString('en-US', {
    minimumFractionDigits: places,
    maximumFractionDigits: places,
  });
function assertDocSays(pattern: string) {
  assert.ok(new RegExp(pattern).test(MAPPING_DOC), `docs/MAPPING.md should match: ${pattern}`);
}
const counts = (r: IngestReport) => ({
  read: r.read,
  loaded: r.loaded,
  duplicate: r.duplicate,
  quarantined: r.quarantined,
  skipped: r.skipped,
});

describe('worked examples of docs/MAPPING.md, checked against an independent computation', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  async function lake(name: string, sql: string) {
    const engine = await DuckDbEngine.open(join(dir, name));
    try {
      return await engine.query(sql);
    } finally {
      await engine.close();
    }
  }
  const lakeSums = async (name: string, by: string, what: string) =>
    Object.fromEntries(
      (await lake(name, `SELECT ${by} AS k, CAST(sum(${what}) AS VARCHAR) AS v FROM orders GROUP BY 1`)).map(
        (r) => [String(r.k), units(String(r.v))],
      ),
    );
  const lakeOrders = async (name: string, by: string) =>
    Object.fromEntries(
      (await lake(name, `SELECT ${by} AS k, count(DISTINCT order_id) AS n FROM orders GROUP BY 1`)).map(
        (r) => [String(r.k), Number(r.n)],
      ),
    );

  it('(a) US office supplies: price and discount derived from Sales, Quantity and Discount', async () => {
    const base = join(EXAMPLES, 'office-supplies');
    const rows = csvRows(join(base, 'orders.csv'));
    const skipped = rows.filter((r) => r['Product ID'] === '');
    const bad = rows.filter(
      (r) =>
        r['Product ID'] !== '' &&
        (r.Quantity === '0' || !/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(r['Order Date'] ?? '')),
    );
    const valid = rows.filter((r) => !skipped.includes(r) && !bad.includes(r));
    // The mapping takes Row ID as the line's identity: a row exported twice is one line.
    const { kept, repeats } = firstOfKey(valid, (r) => `${r['Order ID']}|${r['Row ID']}`);

    const report = await ingest({
      dataDir: join(dir, 'a'),
      table: TABLES.orders,
      input: join(base, 'orders.csv'),
      mapping: loadMapping(join(base, 'mapping.yaml')),
    });
    assert.deepEqual(counts(report), {
      read: rows.length,
      loaded: kept.length,
      duplicate: repeats,
      quarantined: bad.length,
      skipped: skipped.length,
    });
    assertDocCounts({
      read: rows.length,
      loaded: kept.length,
      duplicate: repeats,
      quarantined: bad.length,
      skipped: skipped.length,
    });
    assert.deepEqual([skipped.length, bad.length, repeats], [1, 2, 1], 'the sample has its dirty rows');
    // Revenue is Sales (after discount), per the shop's own regions; orders are distinct Order IDs.
    assert.deepEqual(
      await lakeSums('a', 'region', 'total_amount'),
      sumBy(
        kept,
        (r) => r.Region ?? '',
        (r) => units(r.Sales ?? ''),
      ),
    );
    const orders = distinctBy(
      kept,
      (r) => r.Region ?? '',
      (r) => r['Order ID'] ?? '',
    );
    assert.deepEqual(await lakeOrders('a', 'region'), orders);
    const revenue = sumBy(
      kept,
      (r) => r.Region ?? '',
      (r) => units(r.Sales ?? ''),
    );
    const quantity = sumBy(
      kept,
      (r) => r.Region ?? '',
      (r) => Number(r.Quantity),
    );
    for (const [region, n] of Object.entries(orders)) {
      assertDocSays(
        `\\| ${region} \\| ${n} \\| ${quantity[region]} \\| [^|]+ \\| [^|]+ \\| ${shown(revenue[region] ?? 0, 4)} \\|`,
      );
    }
    // Every line adds up exactly, and its unit price is Sales / Quantity / (1 − Discount) to 4 places.
    const lines = await lake(
      'a',
      `SELECT order_id, product_id, CAST(price AS VARCHAR) AS price,
         CAST(quantity * price - discount - total_amount AS VARCHAR) AS gap FROM orders`,
    );
    for (const line of lines) {
      assert.equal(Number(line.gap), 0);
      const source = kept.find((r) => r['Order ID'] === line.order_id && r['Product ID'] === line.product_id);
      const exact = Number(source?.Sales) / Number(source?.Quantity) / (1 - Number(source?.Discount));
      assert.ok(
        Math.abs(Number(line.price) - exact) <= 0.00005 + 1e-9,
        `${line.order_id}: ${line.price} vs ${exact}`,
      );
    }
  });

  it('(b) UK online retailer: cancellations, guests, 3-decimal prices, day/month dates found by format auto', async () => {
    const base = join(EXAMPLES, 'online-retail');
    const rows = csvRows(join(base, 'sample.csv'));
    // The sample's countries, placed by hand from the table in docs/MAPPING.md (Unspecified by the mapping).
    const region: Record<string, string> = {
      'United Kingdom': 'EU-WEST',
      France: 'EU-WEST',
      Germany: 'EU-WEST',
      EIRE: 'EU-WEST',
      Netherlands: 'EU-WEST',
      Spain: 'EU-WEST',
      'Channel Islands': 'EU-WEST',
      Australia: 'ASIA-PACIFIC',
      USA: 'US',
      Unspecified: 'OTHER',
    };
    const skipped = rows.filter((r) => r.Description === '');
    const bad = rows.filter(
      (r) =>
        r.Description !== '' &&
        (region[r.Country ?? ''] === undefined ||
          Number(r.UnitPrice) <= 0 ||
          /\.\d{5,}/.test(r.UnitPrice ?? '')),
    );
    const valid = rows.filter((r) => !skipped.includes(r) && !bad.includes(r));
    // No line number in this export: every line is kept, two identical ones too (nothing tells them apart).
    const { kept, repeats } = { kept: valid, repeats: 0 };
    const lineTotal = (r: Row) => Number(r.Quantity) * units(r.UnitPrice ?? '');
    const status = (r: Row) => (r.InvoiceNo?.startsWith('C') ? 'CANCELLED' : 'COMPLETED');

    const report = await ingest({
      dataDir: join(dir, 'b'),
      table: TABLES.orders,
      input: join(base, 'sample.csv'),
      mapping: loadMapping(join(base, 'mapping.yaml')),
    });
    assert.deepEqual(counts(report), {
      read: rows.length,
      loaded: kept.length,
      duplicate: repeats,
      quarantined: bad.length,
      skipped: skipped.length,
    });
    assertDocCounts({
      read: rows.length,
      loaded: kept.length,
      duplicate: repeats,
      quarantined: bad.length,
      skipped: skipped.length,
    });
    assert.deepEqual([skipped.length, bad.length, repeats], [1, 3, 0], 'the sample has its dirty rows');
    assert.deepEqual(report.notes, ['order_date: format auto chose %d/%m/%Y %H:%M (all 95 values)']);
    assert.deepEqual(
      await lakeSums('b', 'region', 'total_amount'),
      sumBy(kept, (r) => region[r.Country ?? ''] ?? '', lineTotal),
    );
    assert.deepEqual(await lakeSums('b', 'status', 'total_amount'), sumBy(kept, status, lineTotal));
    const orders = distinctBy(kept, status, (r) => r.InvoiceNo ?? '');
    assert.deepEqual(await lakeOrders('b', 'status'), orders);
    const revenue = sumBy(kept, status, lineTotal);
    for (const [state, n] of Object.entries(orders)) {
      const lines = kept.filter((r) => status(r) === state).length;
      assertDocSays(`${state}\\s+${n} orders\\s+${lines} lines\\s+${shown(revenue[state] ?? 0, 3)}`);
    }
    const [guests] = await lake('b', 'SELECT count(*) AS n FROM orders WHERE customer_id IS NULL');
    assert.equal(
      guests?.n,
      kept.filter((r) => r.CustomerID === '').length,
      'guest lines keep no customer id',
    );
    // Dates are day/month: 13/12/2010 would not parse month-first. Earliest and latest, rewritten by hand.
    const iso = (r: Row) => {
      const [d, m, y, hh, mm] = (r.InvoiceDate ?? '').split(/[/ :]/);
      return `${y}-${m}-${d} ${hh}:${mm}:00`;
    };
    const dates = kept.map(iso).sort();
    const [span] = await lake(
      'b',
      'SELECT CAST(min(order_date) AS VARCHAR) AS lo, CAST(max(order_date) AS VARCHAR) AS hi FROM orders',
    );
    assert.deepEqual(span, { lo: dates[0], hi: dates.at(-1) });
  });

  it('(c) Brazilian marketplace: orders, items, customers and products joined by one SQL mapping', async () => {
    const base = join(EXAMPLES, 'marketplace');
    const orders = new Map(csvRows(join(base, 'orders.csv')).map((r) => [r.order_id, r]));
    const customers = new Map(csvRows(join(base, 'customers.csv')).map((r) => [r.customer_id, r]));
    // One lake line per (order, product): items 1, 2, 3 of the same product are its quantity.
    const groups = new Map<string, { order: string; product: string; units: number; cents: number }>();
    for (const item of csvRows(join(base, 'order_items.csv'))) {
      const key = `${item.order_id}|${item.product_id}`;
      const g = groups.get(key) ?? {
        order: item.order_id ?? '',
        product: item.product_id ?? '',
        units: 0,
        cents: 0,
      };
      g.units += 1;
      g.cents += units(item.price ?? '');
      groups.set(key, g);
    }
    const statusOf = (s: string) =>
      ['delivered', 'shipped', 'invoiced'].includes(s)
        ? 'COMPLETED'
        : ['canceled', 'unavailable'].includes(s)
          ? 'CANCELLED'
          : 'PENDING';
    const lines = [...groups.values()].map((g) => {
      const order = orders.get(g.order);
      const customer = order && customers.get(order.customer_id ?? '');
      return {
        ...g,
        state: order?.order_status,
        status: statusOf(order?.order_status ?? ''),
        region: customer?.customer_state,
      };
    });
    const skipped = lines.filter((l) => l.state === 'created');
    const bad = lines.filter(
      (l) => l.state !== 'created' && (l.state === undefined || l.region === undefined || l.cents === 0),
    );
    const kept = lines.filter((l) => !skipped.includes(l) && !bad.includes(l));

    const report = await ingest({
      dataDir: join(dir, 'c'),
      table: TABLES.orders,
      input: base,
      mapping: loadMapping(join(base, 'mapping.yaml')),
    });
    assert.deepEqual(counts(report), {
      read: lines.length,
      loaded: kept.length,
      duplicate: 0,
      quarantined: bad.length,
      skipped: skipped.length,
    });
    assertDocCounts({
      read: lines.length,
      loaded: kept.length,
      duplicate: 0,
      quarantined: bad.length,
      skipped: skipped.length,
    });
    assert.deepEqual([skipped.length, bad.length], [1, 3], 'the sample has its dirty rows');
    assert.deepEqual(
      await lakeSums('c', 'status', 'total_amount'),
      sumBy(
        kept,
        (l) => l.status,
        (l) => l.cents,
      ),
    );
    assert.deepEqual(
      await lakeSums('c', 'status', 'quantity'),
      sumBy(
        kept,
        (l) => l.status,
        (l) => l.units * 10_000,
      ),
    );
    const ordersByStatus = distinctBy(
      kept,
      (l) => l.status,
      (l) => l.order,
    );
    assert.deepEqual(await lakeOrders('c', 'status'), ordersByStatus);
    const revenue = sumBy(
      kept,
      (l) => l.status,
      (l) => l.cents,
    );
    for (const [state, n] of Object.entries(ordersByStatus)) {
      const sold = kept.filter((l) => l.status === state).reduce((a, l) => a + l.units, 0);
      assertDocSays(`${state}\\s+${n} orders\\s+${sold} units\\s+${shown(revenue[state] ?? 0, 2)}`);
    }
    assert.deepEqual(
      await lakeSums('c', 'region', 'total_amount'),
      sumBy(
        kept,
        (l) => l.region ?? '',
        (l) => l.cents,
      ),
    );
  });
});
