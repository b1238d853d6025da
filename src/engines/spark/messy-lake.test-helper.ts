import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../ingest/index.js';
import { TABLES, type TableName } from '../../lake/index.js';
import { lcg, writeText } from '../../testing/index.js';

// Money as text with two decimals; CSV fields hold no comma (names, regions and products are chosen so).
const money = (x: number) => x.toFixed(2);
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** 'YYYY-MM-DD HH:MM:SS' of an instant (UTC, as the lake stores timestamps). */
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const PRODUCTS: [string, string, string, number][] = [
  ['PHONE001', 'Smartphone Pro', 'Electronics', 899.99],
  ['LAPTOP001', 'Gaming Laptop', 'Electronics', 1299.99],
  ['CABLE001', 'Câble USB-C', 'Accessories', 14.99],
  ['CASE001', '手机壳 Case', 'Accessories', 24.5],
  ['MUG001', 'Café Crème Mug', 'Home', 9.75],
];
function productAt(i: number): [string, string, string, number] {
  const p = PRODUCTS[i % PRODUCTS.length];
  if (!p) throw new Error('no product');
  return p;
}
const FIRST = ['Zoë', 'Łukasz', '芳', 'José', 'Ana', 'Björn', 'Ngọc', 'Chloé', 'Søren', 'Ольга'];
const LAST = [
  'Müller',
  'Ñúñez',
  '王',
  'O’Brien',
  'Smith',
  'Åberg',
  'Nguyễn',
  'Dubois',
  'Kowalski',
  'Иванова',
];
const REGIONS = ['US-EAST', 'EU-WEST', 'Île-de-France', 'São Paulo', '東京'];
const TIERS = ['BRONZE', 'SILVER', 'GOLD', 'PLATINUM'];
const DEVICES = ['mobile', 'desktop', 'tablet'];

// The span straddles both daylight-saving changes: New York on 2025-03-09 (07:00 UTC), Paris on
// 2025-03-30 (01:00 UTC).
const START = Date.UTC(2025, 1, 20);
const DAYS = 40;
// Instants right at the changes (and an hour that New York and Paris skip), used by several orders each.
const EDGES = [
  Date.UTC(2025, 2, 9, 6, 59, 59),
  Date.UTC(2025, 2, 9, 7, 0, 0),
  Date.UTC(2025, 2, 9, 7, 30, 0),
  Date.UTC(2025, 2, 30, 0, 59, 59),
  Date.UTC(2025, 2, 30, 1, 0, 0),
  Date.UTC(2025, 2, 1, 0, 0, 0),
  Date.UTC(2025, 2, 31, 23, 59, 59),
];

/**
 * A small lake of the messes real shops have, for comparing engines row by row: 60 customers with unicode
 * names and regions, 320 orders of 1–3 lines (guests without a customer id, refund-only orders and orders
 * with a return line, discounts, orders at the same instant, instants at New York's and Paris's DST
 * changes), their sessions' events (ties at the same second, events without a session id, anonymous
 * GUEST events) and an experiment `parity-test`.
 */
export async function buildMessyLake(dir: string): Promise<void> {
  const rnd = lcg(20250309);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const customers = Array.from({ length: 60 }, (_, i) => `CUST${pad(i + 1, 5)}`);

  const customerRows = customers.map((id, i) => [
    id,
    pick(FIRST),
    pick(LAST),
    `${id.toLowerCase()}@example.com`,
    pick(['Zürich', 'München', 'Paris', 'Boston', '大阪']),
    REGIONS[i % REGIONS.length] ?? 'US-EAST',
    `2024-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}`,
    money(50 + Math.floor(rnd() * 500000) / 100),
    pick(TIERS),
  ]);

  const orderRows: (string | number)[][] = [];
  const clickRows: (string | number)[][] = [];
  const experimentRows: string[][] = [];
  let previous = START;
  for (let o = 1; o <= 320; o++) {
    const guest = rnd() < 0.15;
    const customer = guest ? '' : pick(customers);
    const r = rnd();
    // Every tenth order shares the previous one's instant; some sit on a DST edge.
    const at =
      o % 10 === 0 ? previous : r < 0.08 ? pick(EDGES) : START + Math.floor(rnd() * DAYS * 86400) * 1000;
    previous = at;
    const status = rnd() < 0.8 ? 'COMPLETED' : rnd() < 0.5 ? 'PENDING' : 'CANCELLED';
    const region = pick(REGIONS);
    const refundOnly = rnd() < 0.08;
    const lines = 1 + Math.floor(rnd() * 3);
    const id = `ORD${pad(o, 5)}`;
    for (let l = 0; l < lines; l++) {
      const [product, name, , price] = productAt(o + l);
      // A return line: every line of a refund-only order, the last line of some others.
      const back = refundOnly || (l > 0 && l === lines - 1 && rnd() < 0.2);
      const quantity = (back ? -1 : 1) * (1 + Math.floor(rnd() * 3));
      const discount = !back && rnd() < 0.2 ? Math.round(price * 10) / 100 : 0;
      orderRows.push([
        id,
        customer,
        product,
        name,
        quantity,
        money(price),
        money(quantity * price - discount),
        stamp(at),
        status,
        region,
        money(discount),
        `L${l + 1}`,
      ]);
    }
    // The order's session: view, cart and purchase, two events at the same second.
    const session = `S${pad(o, 5)}`;
    const who = customer || 'GUEST';
    const device = pick(DEVICES);
    const [product] = productAt(o);
    const t0 = at - 600_000;
    clickRows.push([stamp(t0), session, who, 'VIEW', 'home', '', device, 20]);
    clickRows.push([stamp(t0 + 60_000), session, who, 'VIEW', 'product', product, device, 30]);
    clickRows.push([stamp(t0 + 60_000), session, who, 'ADD_TO_CART', 'product', product, device, 5]);
    if (customer && status === 'COMPLETED' && !refundOnly) {
      clickRows.push([stamp(t0 + 120_000), session, who, 'CHECKOUT', 'checkout', product, device, 40]);
      clickRows.push([stamp(at), session, who, 'PURCHASE', 'checkout', product, device, 10]);
    }
    experimentRows.push([session, 'parity-test', o % 2 === 0 ? 'control' : 'treatment']);
  }
  // Browsing without a session id (sessions derived by the 30-minute rule) and anonymous visits.
  for (let i = 0; i < 150; i++) {
    const customer = rnd() < 0.3 ? 'GUEST' : pick(customers);
    const t = START + Math.floor(rnd() * DAYS * 86400) * 1000;
    const product = pick(PRODUCTS)[0];
    clickRows.push([stamp(t), '', customer, 'VIEW', 'product', product, pick(DEVICES), 15]);
    if (rnd() < 0.4)
      clickRows.push([stamp(t), '', customer, 'ADD_TO_CART', 'product', product, pick(DEVICES), 3]);
  }

  const productRows = PRODUCTS.map(([id, name, category, price]) => [
    id,
    name,
    category,
    money(price),
    money(price * 0.6),
    100,
    7,
  ]);
  const inputs: [TableName, string, (string | number)[][]][] = [
    [
      'customers',
      'customer_id,first_name,last_name,email,city,region,signup_date,lifetime_value,tier',
      customerRows,
    ],
    [
      'products',
      'product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days',
      productRows,
    ],
    [
      'orders',
      'order_id,customer_id,product_id,product_name,quantity,price,total_amount,order_date,status,region,discount,line_id',
      orderRows,
    ],
    [
      'clickstream',
      'timestamp,session_id,customer_id,action,page,product_id,device,duration_seconds',
      clickRows,
    ],
    ['experiments', 'session_id,experiment,variant', experimentRows],
  ];
  for (const [table, header, rows] of inputs) {
    const file = writeText(
      join(dir, 'raw', `${table}.csv`),
      `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`,
    );
    const report = await ingest({ dataDir: dir, table: TABLES[table], input: file });
    if (report.quarantined > 0) {
      const first = report.quarantineFile ? readFileSync(report.quarantineFile, 'utf8').split('\n')[0] : '';
      throw new Error(`messy lake: ${report.quarantined} ${table} row(s) quarantined, the first: ${first}`);
    }
  }
}
