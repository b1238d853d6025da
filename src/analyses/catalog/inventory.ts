import { z } from 'zod';
import { MIN_HISTORY_DAYS } from '../models/forecast/index.js';
import { normalCdf } from '../stats/index.js';
import { defineAnalysis } from '../types.js';
import { demandSql, toHistory } from './parts/demand.js';
import { leadTimeDemand, trailingMeanEstimator } from './parts/demand-estimate.js';
import { groupPairs, historySpan, series } from './parts/demand-series.js';
import { demandForecaster } from './parts/forecast-demand.js';
import { epochSecondsSql } from './parts/sql.js';
import { checkFilters, dailyDemandCte, num, stockCtes } from './parts/stock.js';

/** Fewer whole days of orders than this give no demand estimate (the stock columns still answer). */
const MIN_DEMAND_DAYS = 7;
const r4 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10000) / 10000 : null);
const iso = (sec: number) =>
  Number.isFinite(sec) ? new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ') : null;

/** Days the forecast's daily demand is averaged over for a pair without a lead time. */
const COVER_DAYS = 7;

/**
 * The forecast over every order the lake holds (null when the orders cover under 14 days: the trailing
 * mean answers then): demand of a product × region over the next days, summed.
 */
function forecastNow(rows: readonly Record<string, unknown>[]) {
  const history = toHistory(rows, undefined);
  const first = Math.min(...history.series.map((s) => s.start));
  if (history.series.length === 0 || history.end - first < MIN_HISTORY_DAYS) return null;
  const over = demandForecaster(history);
  return (product: string, region: string, days: number) => over(product, region, 0, days);
}

/** P(demand over the lead time > on hand) with lead-time demand Normal(mean, sd). */
export function stockoutRisk(onHand: number, mean: number, sd: number): number {
  if (sd <= 0) return mean > onHand ? 1 : 0;
  return 1 - normalCdf((onHand - mean) / sd);
}

/** Stock on hand per product × warehouse now, days of cover and the risk of running out within the lead time. */
export default defineAnalysis({
  name: 'inventory',
  description:
    'Stock on hand per product × warehouse now (latest count + movements + orders no movement records yet), days of cover and the chance of running out within the lead time from the forecast (or the trailing mean)',
  params: z.object({
    warehouse: z.string().min(1).optional().describe('only this warehouse (e.g. WH-US-EAST)'),
    product: z.string().min(1).optional().describe('only this product (e.g. PHONE001)'),
    demand: z
      .enum(['forecast', 'trailing'])
      .default('forecast')
      .describe(
        'daily demand from the forecast model (forecast, default; the trailing mean when the orders cover under 14 days) or the trailing mean of --demand-days (trailing)',
      ),
    demandDays: z.coerce
      .number()
      .int()
      .min(7)
      .max(366)
      .default(28)
      .describe('days of recent orders the daily demand is estimated from (default 28)'),
  }),
  row: z.object({
    warehouse_id: z.string(),
    region: z.string().nullable(),
    product_id: z.string(),
    on_hand: z.number().int(),
    counted: z.number().int(),
    counted_at: z.string().nullable(),
    moved: z.number().int(),
    unrecorded_sales: z.number().int(),
    daily_demand: z.number().nullable(),
    demand_sd: z.number().nullable(),
    days_of_cover: z.number().nullable(),
    lead_time_days: z.number().int().nullable(),
    lead_time_demand: z.number().nullable(),
    stockout_risk: z.number().nullable().meta({ format: 'percent' }),
  }),
  unbound: { demand: 'shape', warehouse: 'transform', product: 'transform' },
  // Without a products table the forecast takes list prices from the orders (inventory never needed it).
  optionalTables: ['products'],
  sql: (p, loaded) => `
    WITH b AS (
      SELECT CAST(NULL AS BIGINT) AS cut_sec, min(${epochSecondsSql('order_date')}) AS first_sec,
        max(${epochSecondsSql('order_date')}) + 1 AS end_sec
      FROM orders WHERE status <> 'CANCELLED'
    ),
    ${stockCtes()},
    ${dailyDemandCte('end_sec', ':demandDays')}
    SELECT 'pair' AS kind, s.warehouse_id, s.region, s.product_id, s.on_hand, s.counted, s.counted_sec,
      s.moved, s.unrecorded_sold, s.lead_time_days, b.first_sec, b.end_sec, d.day, d.units,
      CAST(NULL AS DOUBLE) AS value
    FROM stock s CROSS JOIN b
    LEFT JOIN daily d ON d.warehouse_id = s.warehouse_id AND d.product_id = s.product_id${
      p.demand === 'forecast'
        ? `
    UNION ALL
    SELECT kind, CAST(NULL AS STRING), region, product_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      day, NULL, value
    FROM (${demandSql(true, null, loaded === undefined || loaded.has('products'))}) dem`
        : ''
    }
    ORDER BY 2 NULLS FIRST, 4, 1, 13 NULLS FIRST, 3 NULLS FIRST, 15 NULLS FIRST`,
  transform: (allRows, p) => {
    const isDemand = (r: Record<string, unknown>) => r.kind !== 'pair';
    const rows = allRows.filter((r) => !isDemand(r));
    const pairs = groupPairs(rows);
    checkFilters(
      'inventory',
      pairs.map((x) => ({
        warehouse_id: String(x.first.warehouse_id),
        product_id: String(x.first.product_id),
      })),
      p,
    );
    const first = pairs[0]?.first;
    // Demand needs a week of orders; without it the stock columns still answer.
    const span = first ? Math.min(p.demandDays, historySpan(first.first_sec, first.end_sec)) : 0;
    const days = span >= MIN_DEMAND_DAYS ? span : 0;
    const forecaster = p.demand === 'forecast' ? forecastNow(allRows.filter(isDemand)) : null;
    return pairs
      .filter(
        (x) =>
          (p.warehouse === undefined || x.first.warehouse_id === p.warehouse) &&
          (p.product === undefined || x.first.product_id === p.product),
      )
      .map(({ first: r, units }) => {
        const onHand = num(r.on_hand);
        const lead =
          r.lead_time_days === null || r.lead_time_days === undefined ? null : num(r.lead_time_days);
        const fc = forecaster?.(String(r.product_id), String(r.region ?? ''), lead ?? COVER_DAYS) ?? null;
        // Forecast: the per-day average over the lead time (COVER_DAYS without one), variances summed.
        const est = fc
          ? { mean: fc.mean / (lead ?? COVER_DAYS), sd: Math.sqrt(fc.variance / (lead ?? COVER_DAYS)) }
          : days > 0
            ? trailingMeanEstimator(series(units, days))
            : null;
        const lt =
          fc && lead !== null
            ? { mean: fc.mean, sd: Math.sqrt(fc.variance) }
            : est && lead !== null
              ? leadTimeDemand(est, lead)
              : null;
        return {
          warehouse_id: String(r.warehouse_id),
          region: r.region === null || r.region === undefined ? null : String(r.region),
          product_id: String(r.product_id),
          on_hand: onHand,
          counted: num(r.counted),
          counted_at: iso(num(r.counted_sec)),
          moved: num(r.moved),
          unrecorded_sales: num(r.unrecorded_sold),
          daily_demand: est ? r4(est.mean) : null,
          demand_sd: est ? r4(est.sd) : null,
          days_of_cover: est && est.mean > 0 ? r4(onHand / est.mean) : null,
          lead_time_days: lead,
          lead_time_demand: lt ? r4(lt.mean) : null,
          stockout_risk: lt ? r4(stockoutRisk(onHand, lt.mean, lt.sd)) : null,
        };
      });
  },
});
