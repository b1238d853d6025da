import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type Engine, openEngine } from '../engines/index.js';
import { dataLayout, type TableName } from '../lake/index.js';
import type { CustomerProfile, OrderFacts } from './order-facts.js';

const num = z.coerce.number();
const text = z.string().nullable();
const factsRow = z.object({
  order_id: z.string(),
  customer_id: text,
  product_id: z.string(),
  quantity: num,
  amount: num,
  t: num,
  status: text,
  region: text,
  payment_method: text,
  ip_country: text,
  device_id: text,
  account_age_days: num.nullable(),
  scored: z.boolean(),
});
const profileRow = z.object({ customer_id: z.string(), region: text, signup_ms: num.nullable() });

async function loaded(engine: Engine): Promise<Set<TableName>> {
  return new Set((await engine.tables()).filter((t) => t.state === 'loaded').map((t) => t.table));
}

/**
 * The SQL of the lake's orders as the model sees them, one per order id (lines summed; the largest line
 * names the product), joined with their fraud checks where the lake has them, in time order, with
 * whether fraud_scores holds each one (`scored`). `onlyUnscored` leaves out orders fraud_scores holds.
 */
function factsSql(tables: Set<TableName>, onlyUnscored: boolean): string {
  const checks = tables.has('order_checks')
    ? 'LEFT JOIN (SELECT order_id, any_value(payment_method) AS payment_method, any_value(ip_country) AS ip_country, any_value(device_id) AS device_id, any_value(account_age_days) AS account_age_days FROM order_checks GROUP BY order_id) c USING (order_id)'
    : '';
  const checkCols = tables.has('order_checks')
    ? 'c.payment_method, c.ip_country, c.device_id, c.account_age_days'
    : 'NULL AS payment_method, NULL AS ip_country, NULL AS device_id, NULL AS account_age_days';
  const hasScores = tables.has('fraud_scores');
  const scored = hasScores ? 'o.order_id IN (SELECT order_id FROM fraud_scores)' : 'false';
  const unscored = onlyUnscored && hasScores ? `WHERE NOT (${scored})` : '';
  return `
    WITH o AS (
      SELECT order_id, any_value(customer_id) AS customer_id, arg_max(product_id, total_amount) AS product_id,
             CAST(sum(quantity) AS DOUBLE) AS quantity, CAST(sum(total_amount) AS DOUBLE) AS amount,
             min(order_date) AS order_date, any_value(status) AS status, any_value(region) AS region
      FROM orders GROUP BY order_id)
    SELECT o.order_id, o.customer_id, o.product_id, o.quantity, o.amount, CAST(epoch_ms(o.order_date) AS DOUBLE) AS t,
           o.status, o.region, ${checkCols}, ${scored} AS scored
    FROM o ${checks} ${unscored}
    ORDER BY o.order_date, o.order_id`;
}

function toFacts(r: unknown): { facts: OrderFacts; scored: boolean } {
  const v = factsRow.parse(r);
  // factsRow already checked every field: the result has OrderFacts' shape by construction.
  const facts: OrderFacts = {
    orderId: v.order_id,
    customerId: v.customer_id,
    productId: v.product_id,
    quantity: v.quantity,
    amount: v.amount,
    t: v.t,
    status: v.status,
    region: v.region,
    payment: v.payment_method,
    ipCountry: v.ip_country,
    deviceId: v.device_id,
    accountAgeDays: v.account_age_days,
  };
  return { facts, scored: v.scored };
}

/**
 * The lake's orders as the model sees them (see factsSql), in time order, all at once. For a whole lake
 * prefer streamOrderFacts: this holds every order as an object (about 0.5 KB each).
 */
export async function loadOrderFacts(
  engine: Engine,
  options: { onlyUnscored?: boolean } = {},
): Promise<OrderFacts[]> {
  const tables = await loaded(engine);
  if (!tables.has('orders')) return [];
  const rows = await engine.query(factsSql(tables, options.onlyUnscored === true));
  return rows.map((r) => toFacts(r).facts);
}

/** One batch of streamed orders and, for each, whether fraud_scores holds it already. */
export interface FactsBatch {
  facts: OrderFacts[];
  scored: boolean[];
}

/**
 * The lake's orders as the model sees them, in time order, batch by batch (a few thousand at a time), so
 * that a lake of any size is read in bounded memory; each order says whether fraud_scores holds it. The
 * order ids in fraud_scores are checked inside DuckDB, never gathered in a JS Set (8.7 M ids are ~0.5 GB).
 */
export async function* streamOrderFacts(engine: Engine): AsyncGenerator<FactsBatch> {
  const tables = await loaded(engine);
  if (!tables.has('orders')) return;
  const stream = await engine.stream(factsSql(tables, false));
  for await (const rows of stream) {
    const batch: FactsBatch = { facts: [], scored: [] };
    for (const r of rows) {
      const { facts, scored } = toFacts(r);
      batch.facts.push(facts);
      batch.scored.push(scored);
    }
    yield batch;
  }
}

/** How many orders (distinct order ids) the lake holds. */
export async function countOrders(engine: Engine): Promise<number> {
  if (!(await loaded(engine)).has('orders')) return 0;
  const [row] = await engine.query('SELECT count(DISTINCT order_id) AS n FROM orders');
  return z.object({ n: num }).parse(row).n;
}

/** Every customer's home region and signup instant, from the customers table (empty without one). */
export async function loadProfiles(engine: Engine): Promise<Map<string, CustomerProfile>> {
  if (!(await loaded(engine)).has('customers')) return new Map();
  const rows = await engine.query(
    'SELECT customer_id, region, CAST(epoch_ms(CAST(signup_date AS TIMESTAMP)) AS DOUBLE) AS signup_ms FROM customers',
  );
  return new Map(
    rows.map((r) => {
      const v = profileRow.parse(r);
      return [v.customer_id, { region: v.region, signupMs: v.signup_ms }];
    }),
  );
}

/** Order ids fraud_scores already holds. */
export async function scoredOrders(engine: Engine): Promise<Set<string>> {
  if (!(await loaded(engine)).has('fraud_scores')) return new Set();
  const rows = await engine.query('SELECT order_id FROM fraud_scores');
  return new Set(rows.map((r) => z.object({ order_id: z.string() }).parse(r).order_id));
}

/** Ground truth: labels/fraud.csv (the generator's) overlaid by people's labels in fraud_labels (latest wins). */
export async function loadLabels(engine: Engine, dataDir: string): Promise<Map<string, boolean>> {
  const labels = new Map<string, boolean>();
  const file = join(dataLayout(dataDir).root, 'labels', 'fraud.csv');
  if (existsSync(file)) {
    const lines = readFileSync(file, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const id = line.split(',')[0];
      if (id) labels.set(id, true);
    }
  }
  if ((await loaded(engine)).has('fraud_labels')) {
    const rows = await engine.query(
      'SELECT order_id, arg_max(label, labelled_at) AS label FROM fraud_labels GROUP BY order_id',
    );
    for (const r of rows) {
      const v = z.object({ order_id: z.string(), label: z.enum(['confirmed', 'false']) }).parse(r);
      labels.set(v.order_id, v.label === 'confirmed');
    }
  }
  return labels;
}

/**
 * DuckDB's memory for the model's reads: the facts query groups, joins and sorts every order line before
 * its first row comes out; over that it spills to disk rather than grow (the default would let it take
 * half the machine, next to the Node heap).
 */
export const LAKE_MEMORY = '1GB';

/** Opens the lake's default engine for the model's reads. */
export function openLake(dataDir: string): Promise<Engine> {
  return openEngine({ dataDir, threads: 1, memoryLimit: LAKE_MEMORY });
}
