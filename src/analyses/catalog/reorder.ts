import { z } from 'zod';
import { UserError } from '../../errors/index.js';
import { normalQuantile } from '../stats/index.js';
import { defineAnalysis } from '../types.js';
import { type DemandEstimate, leadTimeDemand, trailingMeanEstimator } from './parts/demand-estimate.js';
import { historyDays, series } from './parts/demand-series.js';
import { type Policy, type SimResult, simulatePolicy } from './parts/reorder-sim.js';
import { epochSecondsSql, ratioSql } from './parts/sql.js';
import { checkFilters, dailyDemandCte, num, stockCtes } from './parts/stock.js';

const DAY = 86400;
const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);
const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/** Reorder point s = ⌈μL + z·σ√L⌉ and order quantity Q = max(1, ⌈μ·orderDays⌉) for a service level. */
export function proposePolicy(
  e: DemandEstimate,
  leadDays: number,
  serviceLevel: number,
  orderDays: number,
): Policy {
  const lt = leadTimeDemand(e, leadDays);
  const z = normalQuantile(serviceLevel);
  return {
    reorderPoint: Math.max(0, Math.ceil(lt.mean + z * lt.sd - 1e-9)),
    orderQuantity: Math.max(1, Math.ceil(e.mean * orderDays - 1e-9)),
  };
}

/**
 * Sales are censored demand: on a day the warehouse actually ran out (stock at the cut-off + receipts −
 * sales up to that day's end ≤ 0), the shop sold what it had, not what was asked for. Those days' demand
 * is taken as max(sales, the estimated daily mean rounded to whole units), so a replay is not judged on demand that stockouts hid.
 */
export function uncensor(
  startOnHand: number,
  sales: readonly number[],
  receipts: ReadonlyMap<number, number>,
  dailyMean: number,
): { demand: number[]; censored: number } {
  let onHand = startOnHand;
  let censored = 0;
  const demand = sales.map((sold, d) => {
    onHand += (receipts.get(d) ?? 0) - sold;
    if (onHand > 0) return sold;
    censored++;
    return Math.max(sold, Math.round(dailyMean));
  });
  return { demand, censored };
}

/**
 * The sales of the days before the cut-off on which the warehouse ended the day with stock (so sales were
 * not cut short by a stockout). Stock at the end of each day is worked back from the stock at the
 * cut-off: end of day k + 1 (counting back, 0 = the last day) = end of day k − supply of day k + sales of
 * day k, where supply is every movement but sales (receipts, returns, adjustments).
 */
export function inStockDays(
  onHandAtCut: number,
  sales: readonly number[],
  supply: readonly number[],
): number[] {
  const kept: number[] = [];
  let endOfDay = onHandAtCut;
  for (let k = 0; k < sales.length; k++) {
    if (endOfDay > 0) kept.push(sales[k] ?? 0);
    endOfDay = endOfDay - (supply[k] ?? 0) + (sales[k] ?? 0);
  }
  return kept;
}

const bigint = (v: string) => `CAST(${v} AS BIGINT)`;
const dbl = (v: string) => `CAST(${v} AS DOUBLE)`;
const NULL_INT = 'CAST(NULL AS BIGINT)';

/**
 * Reorder point and quantity per product × warehouse from a demand estimate, the lead time and a service
 * level, and both it and today's policy replayed on the held-out last days.
 */
export default defineAnalysis({
  name: 'reorder',
  description:
    'Reorder point and order quantity per product × warehouse for a service level, from demand before the held-out last days; stockouts and holding cost of following it vs today’s policy, replayed on those days',
  params: z.object({
    serviceLevel: z.coerce
      .number()
      .gt(0, 'must be between 0 and 1 (e.g. 0.95)')
      .lt(1, 'must be between 0 and 1 (e.g. 0.95)')
      .default(0.95)
      .describe('chance of no stockout while an order is on its way (default 0.95)'),
    holdoutDays: z.coerce
      .number()
      .int()
      .min(1)
      .max(366)
      .default(42)
      .describe(
        'last days held out and replayed; longer than the lead times to see orders arrive (default 42)',
      ),
    demandDays: z.coerce
      .number()
      .int()
      .min(7)
      .max(366)
      .default(28)
      .describe(
        'days before the held-out ones that demand is estimated from (default 28; at least 7 needed)',
      ),
    orderDays: z.coerce
      .number()
      .int()
      .min(1)
      .max(366)
      .default(14)
      .describe('an order covers this many days of demand (default 14)'),
    holdingRate: z.coerce
      .number()
      .gt(0)
      .max(10)
      .default(0.25)
      .describe('yearly holding cost as a share of unit cost (default 0.25)'),
    warehouse: z.string().min(1).optional().describe('only this warehouse (e.g. WH-US-EAST)'),
    product: z.string().min(1).optional().describe('only this product (e.g. PHONE001)'),
  }),
  row: z.object({
    warehouse_id: z.string(),
    product_id: z.string(),
    lead_time_days: z.number().int().nullable(),
    daily_demand: z.number().nullable(),
    demand_sd: z.number().nullable(),
    reorder_point: z.number().int().nullable(),
    order_quantity: z.number().int().nullable(),
    current_reorder_point: z.number().int().nullable(),
    current_order_quantity: z.number().int().nullable(),
    estimate_days: z.number().int(),
    holdout_demand: z.number().int(),
    censored_days: z.number().int(),
    stockout_units: z.number().int().nullable(),
    current_stockout_units: z.number().int().nullable(),
    fill_rate: z.number().nullable().meta({ format: 'percent' }),
    current_fill_rate: z.number().nullable().meta({ format: 'percent' }),
    holding_cost: z.number().nullable(),
    current_holding_cost: z.number().nullable(),
  }),
  unbound: {
    serviceLevel: 'transform',
    orderDays: 'transform',
    holdingRate: 'transform',
    warehouse: 'transform',
    product: 'transform',
  },
  sql: () => `
    WITH e AS (
      SELECT (floor(${ratioSql(`max(${epochSecondsSql('order_date')})`, String(DAY))}) + 1) * ${DAY} AS end_sec,
        min(${epochSecondsSql('order_date')}) AS first_sec
      FROM orders WHERE status <> 'CANCELLED'
    ),
    b AS (SELECT end_sec - :holdoutDays * ${DAY} AS cut_sec, end_sec, first_sec FROM e),
    ${stockCtes()},
    ${dailyDemandCte('cut_sec', ':demandDays')},
    held AS (
      SELECT o.warehouse_id, o.product_id,
        ${bigint(`floor(${ratioSql('o.sec - b.cut_sec', String(DAY))})`)} AS day, sum(o.quantity) AS units
      FROM ol o CROSS JOIN b
      WHERE o.quantity > 0 AND o.sec >= b.cut_sec AND o.sec < b.end_sec
      GROUP BY o.warehouse_id, o.product_id, ${bigint(`floor(${ratioSql('o.sec - b.cut_sec', String(DAY))})`)}
    ),
    arriving AS (
      SELECT m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`${epochSecondsSql('m.moved_at')} - b.cut_sec`, String(DAY))})`)} AS day,
        sum(m.quantity) AS units
      FROM stock_movements m CROSS JOIN b
      WHERE m.movement_type = 'RECEIPT' AND ${epochSecondsSql('m.moved_at')} >= b.cut_sec
        AND ${epochSecondsSql('m.moved_at')} < b.end_sec
      GROUP BY m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`${epochSecondsSql('m.moved_at')} - b.cut_sec`, String(DAY))})`)}
    ),
    supply AS (
      SELECT m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`b.cut_sec - ${epochSecondsSql('m.moved_at')}`, String(DAY))})`)} AS day,
        sum(m.quantity) AS units
      FROM stock_movements m CROSS JOIN b
      WHERE m.movement_type <> 'SALE' AND ${epochSecondsSql('m.moved_at')} < b.cut_sec
        AND ${epochSecondsSql('m.moved_at')} >= b.cut_sec - :demandDays * ${DAY}
      GROUP BY m.warehouse_id, m.product_id,
        ${bigint(`floor(${ratioSql(`b.cut_sec - ${epochSecondsSql('m.moved_at')}`, String(DAY))})`)}
    ),
    cost AS (SELECT product_id, coalesce(unit_cost, list_price) AS unit_cost FROM products)
    SELECT 'pair' AS kind, s.warehouse_id, s.product_id, ${NULL_INT} AS day, ${NULL_INT} AS units,
      ${bigint('s.on_hand')} AS on_hand, ${bigint('s.reorder_point')} AS reorder_point,
      ${bigint('s.order_quantity')} AS order_quantity, ${bigint('s.lead_time_days')} AS lead_time_days,
      ${dbl('c.unit_cost')} AS unit_cost, ${dbl('b.first_sec')} AS first_sec, ${dbl('b.cut_sec')} AS cut_sec
    FROM stock s CROSS JOIN b LEFT JOIN cost c ON c.product_id = s.product_id
    UNION ALL
    SELECT 'train' AS kind, warehouse_id, product_id, ${bigint('day')}, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE) FROM daily
    UNION ALL
    SELECT 'held' AS kind, warehouse_id, product_id, day, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE) FROM held
    UNION ALL
    SELECT 'arriving' AS kind, warehouse_id, product_id, day, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE) FROM arriving
    UNION ALL
    SELECT 'supply' AS kind, warehouse_id, product_id, day, ${bigint('units')}, ${NULL_INT}, ${NULL_INT},
      ${NULL_INT}, ${NULL_INT}, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE) FROM supply
    ORDER BY 2, 3, 1, 4`,
  transform: (rows, p) => {
    const pairs = new Map<
      string,
      { pair?: Record<string, unknown>; series: Record<string, Map<number, number>> }
    >();
    for (const r of rows) {
      const key = `${String(r.warehouse_id)}\u0000${String(r.product_id)}`;
      let entry = pairs.get(key);
      if (!entry) {
        entry = { series: { train: new Map(), held: new Map(), arriving: new Map(), supply: new Map() } };
        pairs.set(key, entry);
      }
      const kind = String(r.kind);
      if (kind === 'pair') entry.pair = r;
      else entry.series[kind]?.set(num(r.day), num(r.units));
    }
    const stocked = [...pairs.values()].flatMap((x) => (x.pair ? [x as Required<typeof x>] : []));
    checkFilters(
      'reorder',
      stocked.map((x) => ({
        warehouse_id: String(x.pair.warehouse_id),
        product_id: String(x.pair.product_id),
      })),
      p,
    );
    const first = stocked[0]?.pair;
    if (!first)
      throw new UserError('reorder: the lake has no stock counts or movements', { code: 'no_stock' });
    const days = historyDays('reorder', first.first_sec, first.cut_sec, p.demandDays, 7);
    return stocked
      .filter(
        (x) =>
          (p.warehouse === undefined || x.pair.warehouse_id === p.warehouse) &&
          (p.product === undefined || x.pair.product_id === p.product),
      )
      .map(({ pair, series: s }) => {
        const train = series(s.train as Map<number, number>, days);
        const inStock = inStockDays(num(pair.on_hand), train, series(s.supply as Map<number, number>, days));
        const est = trailingMeanEstimator(inStock.length >= 7 ? inStock : train);
        const arriving = s.arriving as Map<number, number>;
        const { demand: held, censored } = uncensor(
          num(pair.on_hand),
          series(s.held as Map<number, number>, p.holdoutDays),
          arriving,
          est.mean,
        );
        const lead = pair.lead_time_days === null ? null : num(pair.lead_time_days);
        // Receipts due within the lead time were ordered before the held-out days: both policies get them.
        const pipeline = new Map(
          [...(s.arriving as Map<number, number>)].filter(([d]) => lead !== null && d < lead),
        );
        const holdingPerUnitDay = (num(pair.unit_cost) * p.holdingRate) / 365;
        const run = (policy: Policy | null): SimResult | null =>
          policy && lead !== null ? simulatePolicy(num(pair.on_hand), held, pipeline, policy, lead) : null;
        const proposed = lead !== null ? proposePolicy(est, lead, p.serviceLevel, p.orderDays) : null;
        const current =
          pair.reorder_point !== null && pair.order_quantity !== null
            ? { reorderPoint: num(pair.reorder_point), orderQuantity: num(pair.order_quantity) }
            : null;
        const a = run(proposed);
        const c = run(current);
        const cost = (x: SimResult | null) => (x ? r2(x.unitDays * holdingPerUnitDay) : null);
        return {
          warehouse_id: String(pair.warehouse_id),
          product_id: String(pair.product_id),
          lead_time_days: lead,
          daily_demand: r4(est.mean),
          demand_sd: r4(est.sd),
          reorder_point: proposed?.reorderPoint ?? null,
          order_quantity: proposed?.orderQuantity ?? null,
          current_reorder_point: current?.reorderPoint ?? null,
          current_order_quantity: current?.orderQuantity ?? null,
          estimate_days: inStock.length >= 7 ? inStock.length : train.length,
          holdout_demand: held.reduce((t, u) => t + u, 0),
          censored_days: censored,
          stockout_units: a?.shortUnits ?? null,
          current_stockout_units: c?.shortUnits ?? null,
          fill_rate: a ? r4(a.fillRate) : null,
          current_fill_rate: c ? r4(c.fillRate) : null,
          holding_cost: cost(a),
          current_holding_cost: cost(c),
        };
      });
  },
});
