import { z } from 'zod';
import { isUserError, UserError } from '../../errors/index.js';
import { dateOf } from '../models/forecast/index.js';
import { defineAnalysis } from '../types.js';
import { toHistory } from './parts/demand.js';
import { trailingMeanEstimator } from './parts/demand-estimate.js';
import { historyDays, series } from './parts/demand-series.js';
import { demandForecaster, forecastPolicy } from './parts/forecast-demand.js';
import { inStockDays, proposePolicy, uncensor } from './parts/reorder-policy.js';
import { type Policy, type SimResult, simulatePolicy } from './parts/reorder-sim.js';
import { reorderSql } from './parts/reorder-sql.js';
import { checkFilters, num } from './parts/stock.js';

/** Kinds of the demand history rows reorderSql adds for the forecast. */
const DEMAND_KINDS = new Set(['u', 'p', 's']);

/** The forecast fitted on the demand history before the cut-off (epoch day), with the days it fitted. */
function forecastAt(rows: readonly Record<string, unknown>[], cutDay: number) {
  const history = toHistory(
    rows.map((r) => ({
      kind: r.kind,
      product_id: r.product_id,
      region: r.region,
      day: r.day,
      value: r.value,
    })),
    dateOf(cutDay),
  );
  let over: ReturnType<typeof demandForecaster>;
  try {
    over = demandForecaster(history);
  } catch (err) {
    if (!isUserError(err)) throw err;
    throw new UserError(`reorder: ${err.message}; or use --demand trailing`, {
      code: 'too_little_history',
      cause: err,
    });
  }
  const fitted = (product: string, region: string) => {
    const s = history.series.find((x) => x.product === product && x.region === region);
    return s ? s.units.length - (s.censored?.filter(Boolean).length ?? 0) : 0;
  };
  return { over, fitted };
}

const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);
const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/**
 * Reorder point and quantity per product × warehouse from a demand estimate, the lead time and a service
 * level, and both it and today's policy replayed on the held-out last days.
 */
export default defineAnalysis({
  name: 'reorder',
  description:
    'Reorder point and order quantity per product × warehouse for a service level, from the forecast (or the trailing mean) before the held-out last days; stockouts and holding cost of following it vs today’s policy, replayed on those days',
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
    demand: z
      .enum(['forecast', 'trailing'])
      .default('forecast')
      .describe(
        'demand from the forecast model over the lead time (forecast, default) or the trailing mean of the --demand-days days in stock (trailing)',
      ),
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
    demand: 'shape',
    serviceLevel: 'transform',
    orderDays: 'transform',
    holdingRate: 'transform',
    warehouse: 'transform',
    product: 'transform',
  },
  sql: (p) => reorderSql(p.demand === 'forecast'),
  transform: (allRows, p) => {
    const rows = allRows.filter((r) => !DEMAND_KINDS.has(String(r.kind)));
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
    const forecaster =
      p.demand === 'forecast'
        ? forecastAt(
            allRows.filter((r) => DEMAND_KINDS.has(String(r.kind))),
            Math.round(num(first.cut_sec) / 86400),
          )
        : null;
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
        const region = String(pair.region ?? '');
        const product = String(pair.product_id);
        // Forecast: sums over the lead time (the order days when there is none) of daily means and variances.
        const fc = forecaster
          ? {
              lead: forecaster.over(product, region, 0, lead ?? p.orderDays),
              order: forecaster.over(product, region, 0, p.orderDays).mean,
              days: forecaster.fitted(product, region),
            }
          : null;
        const proposed =
          lead === null
            ? null
            : fc
              ? forecastPolicy(fc.lead, fc.order, p.serviceLevel)
              : proposePolicy(est, lead, p.serviceLevel, p.orderDays);
        const perDay = fc ? fc.lead.mean / (lead ?? p.orderDays) : est.mean;
        const sdPerDay = fc ? Math.sqrt(fc.lead.variance / (lead ?? p.orderDays)) : est.sd;
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
          daily_demand: r4(perDay),
          demand_sd: r4(sdPerDay),
          reorder_point: proposed?.reorderPoint ?? null,
          order_quantity: proposed?.orderQuantity ?? null,
          current_reorder_point: current?.reorderPoint ?? null,
          current_order_quantity: current?.orderQuantity ?? null,
          estimate_days: fc ? fc.days : inStock.length >= 7 ? inStock.length : train.length,
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
