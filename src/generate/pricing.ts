import { PRODUCTS } from './catalog.js';
import { Rng } from './rng.js';
import { type CsvWriter, money } from './writer.js';

/**
 * The price process of `generate --pricing` (docs/DATA.md, "Prices"): each product's own constant
 * elasticity, list prices that step up and down over time, and a competitor price feed whose level
 * moves demand. Without --pricing none of this exists and the seed's single elasticity applies.
 */

/** Range (uniform) of a product's own-price elasticity: units ∝ (price / catalog list price)^-e. */
export const ELASTICITY_RANGE = [0.6, 3.0] as const;
/** Cross-price elasticity on the competitors' mean price: units ∝ (competitor mean / catalog list)^γ. */
export const COMPETITOR_ELASTICITY = 0.8;
/** Competitor names of the feed. */
export const COMPETITORS = ['COMP-A', 'COMP-B', 'COMP-C'] as const;
/** Mean days between two list price changes of a product, and the size (uniform, ±) of one change. */
export const LIST_CHANGE_MEAN_DAYS = 21;
export const LIST_CHANGE_SIZE = [0.03, 0.12] as const;
/** A product's list price stays within this range of its catalog price. */
export const LIST_BOUNDS = [0.8, 1.25] as const;
/** A competitor's standing offset from the catalog price (uniform ±), how often (mean days) its own level moves, and its sd. */
export const COMPETITOR_OFFSET = 0.08;
export const COMPETITOR_MOVE_DAYS = 14;
export const COMPETITOR_MOVE_SD = 0.08;
/** How much of our list price moves a competitor follows (in logs). */
export const COMPETITOR_FOLLOW = 0.5;
/** Chance of a competitor's one-day promotion, and its discount. */
export const COMPETITOR_PROMO_CHANCE = 0.04;
export const COMPETITOR_PROMO_DISCOUNT = 0.15;

export const COMPETITOR_HEADER = 'product_id,competitor,price_date,price';
export const ELASTICITY_HEADER = 'product_id,elasticity,competitor_elasticity';

/**
 * Prices of one run per (day, product): our list price as a multiple of the catalog price, and the
 * competitors' prices in cents. Drawn up front from its own random stream.
 */
export class PriceProcess {
  /** True own-price elasticity per product. */
  readonly elasticity: Float64Array;
  /** Our list price ÷ catalog list price, per (day, product). */
  readonly listFactor: Float64Array;
  /** Competitor prices in cents, per (day, product, competitor). */
  readonly competitorCents: Int32Array;
  /** Mean competitor price ÷ catalog list price, per (day, product). */
  readonly competitorFactor: Float64Array;

  constructor(
    readonly nDays: number,
    seed: number,
  ) {
    const np = PRODUCTS.length;
    const nc = COMPETITORS.length;
    const rng = new Rng(seed, 21);
    this.elasticity = Float64Array.from(
      PRODUCTS,
      () => ELASTICITY_RANGE[0] + rng.float() * (ELASTICITY_RANGE[1] - ELASTICITY_RANGE[0]),
    );
    this.listFactor = new Float64Array(nDays * np);
    this.competitorCents = new Int32Array(nDays * np * nc);
    this.competitorFactor = new Float64Array(nDays * np);
    for (let p = 0; p < np; p++) {
      const list = PRODUCTS[p]?.listCents ?? 0;
      let factor = 1;
      const offset = Array.from({ length: nc }, () => (rng.float() * 2 - 1) * COMPETITOR_OFFSET);
      const level = new Float64Array(nc);
      for (let d = 0; d < nDays; d++) {
        if (d > 0 && rng.chance(1 / LIST_CHANGE_MEAN_DAYS)) {
          const size = LIST_CHANGE_SIZE[0] + rng.float() * (LIST_CHANGE_SIZE[1] - LIST_CHANGE_SIZE[0]);
          const up = rng.chance(0.5) ? 1 : -1;
          factor = Math.min(LIST_BOUNDS[1], Math.max(LIST_BOUNDS[0], factor * (1 + up * size)));
        }
        this.listFactor[d * np + p] = factor;
        let sum = 0;
        for (let c = 0; c < nc; c++) {
          if (rng.chance(1 / COMPETITOR_MOVE_DAYS)) level[c] = COMPETITOR_MOVE_SD * rng.normal();
          const promo = rng.chance(COMPETITOR_PROMO_CHANCE) ? 1 - COMPETITOR_PROMO_DISCOUNT : 1;
          const rel =
            Math.exp((offset[c] as number) + (level[c] as number) + COMPETITOR_FOLLOW * Math.log(factor)) *
            promo;
          const cents = Math.max(1, Math.round(list * rel));
          this.competitorCents[(d * np + p) * nc + c] = cents;
          sum += cents;
        }
        this.competitorFactor[d * np + p] = sum / nc / list;
      }
    }
  }

  /** Our list price in cents of product p on window day d (before any promotion). */
  listCents(d: number, p: number): number {
    return Math.round((PRODUCTS[p]?.listCents ?? 0) * (this.listFactor[d * PRODUCTS.length + p] ?? 1));
  }

  /** Demand multiplier of product p on day d at a selling price of priceCents (docs/DATA.md). */
  demand(d: number, p: number, priceCents: number): number {
    const i = d * PRODUCTS.length + p;
    return demandFactor(
      this.elasticity[p] as number,
      priceCents / (PRODUCTS[p]?.listCents ?? 1),
      this.competitorFactor[i] as number,
    );
  }

  /** Writes the feed, one row per (product, competitor, day), dates from firstDay (days since 1970). */
  async writeCompetitors(out: CsvWriter, firstDay: number): Promise<void> {
    const np = PRODUCTS.length;
    const nc = COMPETITORS.length;
    for (let d = 0; d < this.nDays; d++) {
      const date = new Date((firstDay + d) * 86400_000).toISOString().slice(0, 10);
      for (let p = 0; p < np; p++) {
        const id = PRODUCTS[p]?.id;
        for (let c = 0; c < nc; c++) {
          out.line(
            `${id},${COMPETITORS[c]},${date},${money(this.competitorCents[(d * np + p) * nc + c] as number)}`,
          );
        }
      }
      await out.ready();
    }
  }

  /** Writes the true elasticities (labels/elasticities.csv). */
  writeLabels(out: CsvWriter): void {
    PRODUCTS.forEach((p, i) => {
      out.line(`${p.id},${(this.elasticity[i] as number).toFixed(4)},${COMPETITOR_ELASTICITY}`);
    });
  }
}

/**
 * The generator's demand model with --pricing: relative demand of a product whose price is `priceRatio`
 * times its catalog list price while the competitors' mean is `competitorRatio` times it.
 */
export function demandFactor(elasticity: number, priceRatio: number, competitorRatio: number): number {
  return priceRatio ** -elasticity * competitorRatio ** COMPETITOR_ELASTICITY;
}
