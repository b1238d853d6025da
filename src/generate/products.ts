import { PRODUCTS, unitCostCents } from './catalog.js';
import { Rng } from './rng.js';
import { CsvWriter, money } from './writer.js';

export const PRODUCT_HEADER =
  'product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days';
/** Stock covers this many days (uniform) of the product's expected demand, so some items run short. */
export const STOCK_COVER_DAYS = [3, 60] as const;
/** Mean quantity per order line, used only to size stock. */
const MEAN_QTY = 1.3;

/** Writes products.csv: the seed's catalog plus category, unit cost, stock and supplier lead time. */
export async function writeProducts(path: string, ordersPerDay: number, seed: number): Promise<void> {
  const rng = new Rng(seed, 6);
  const totalPop = PRODUCTS.reduce((s, p) => s + p.popularity, 0);
  const out = await CsvWriter.open(path, PRODUCT_HEADER);
  for (const p of PRODUCTS) {
    const daily = (ordersPerDay * p.popularity * MEAN_QTY) / totalPop;
    const stock = Math.round(daily * rng.range(STOCK_COVER_DAYS[0], STOCK_COVER_DAYS[1]));
    const lead = p.leadTimeDays + rng.range(-2, 2);
    out.line(
      `${p.id},${p.name},${p.category},${money(p.listCents)},${money(unitCostCents(p))},${stock},${lead}`,
    );
  }
  await out.close();
}
