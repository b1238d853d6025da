import { normalQuantile } from '../../stats/index.js';
import { type DemandEstimate, leadTimeDemand } from './demand-estimate.js';
import type { Policy } from './reorder-sim.js';

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
