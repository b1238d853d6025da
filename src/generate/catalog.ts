import { SEED_REGIONS } from '../seed/index.js';
import { cumulative } from './rng.js';

/** Static facts of the seed (catalog, regions, cities) plus the generator's product attributes. */

export interface Product {
  id: string;
  name: string;
  /** List price in cents (the seed's catalog.csv price). */
  listCents: number;
  category: string;
  /** Relative demand at list price; see docs/DATA.md "Products". */
  popularity: number;
  /** Supplier lead time in days. */
  leadTimeDays: number;
  /** Brand (the seed's products: 'Seed'); long-tail products carry it in their name too. */
  brand: string;
  /** When the product arrives in the catalog, epoch seconds (0: always there). */
  arrivalSec: number;
}

export const CATEGORY: Record<string, { costRatio: number; leadTimeDays: number }> = {
  Computers: { costRatio: 0.72, leadTimeDays: 21 },
  Phones: { costRatio: 0.68, leadTimeDays: 18 },
  Audio: { costRatio: 0.55, leadTimeDays: 14 },
  Wearables: { costRatio: 0.6, leadTimeDays: 14 },
  Cameras: { costRatio: 0.7, leadTimeDays: 28 },
  Peripherals: { costRatio: 0.5, leadTimeDays: 10 },
  Accessories: { costRatio: 0.35, leadTimeDays: 7 },
  // Categories that only long-tail catalogs (generate --products) use.
  'Smart Home': { costRatio: 0.55, leadTimeDays: 14 },
  Storage: { costRatio: 0.6, leadTimeDays: 10 },
  Networking: { costRatio: 0.58, leadTimeDays: 12 },
  Gaming: { costRatio: 0.65, leadTimeDays: 21 },
};

// id, name, list price in cents (from the seed's catalog.csv), category, popularity.
const ROWS: [string, string, number, string, number][] = [
  ['LAPTOP001', 'Gaming Laptop', 129999, 'Computers', 0.6],
  ['PHONE001', 'Smartphone Pro', 89999, 'Phones', 1.0],
  ['TABLET001', 'Tablet 10-inch', 39999, 'Computers', 0.5],
  ['HEADPH001', 'Wireless Headphones', 19999, 'Audio', 0.9],
  ['WATCH001', 'Smart Watch', 29999, 'Wearables', 0.6],
  ['CAMERA001', 'Digital Camera', 59999, 'Cameras', 0.3],
  ['SPEAKER001', 'Bluetooth Speaker', 7999, 'Audio', 0.8],
  ['KEYBOARD001', 'Mechanical Keyboard', 12999, 'Peripherals', 0.5],
  ['MOUSE001', 'Gaming Mouse', 5999, 'Peripherals', 0.8],
  ['MONITOR001', '4K Monitor', 44999, 'Computers', 0.4],
  ['CHARGER001', 'Fast Charger', 2999, 'Accessories', 1.2],
  ['CASE001', 'Phone Case', 1999, 'Accessories', 1.4],
  ['CABLE001', 'USB-C Cable', 1499, 'Accessories', 1.5],
  ['ADAPTER001', 'Power Adapter', 2499, 'Accessories', 0.9],
  ['STAND001', 'Laptop Stand', 3999, 'Accessories', 0.5],
];

/** The seed's catalog size: the default, and the head of every larger catalog. */
export const SEED_PRODUCT_COUNT = ROWS.length;

const ALL: Product[] = ROWS.map(([id, name, listCents, category, popularity]) => ({
  id,
  name,
  listCents,
  category,
  popularity,
  leadTimeDays: CATEGORY[category]?.leadTimeDays ?? 14,
  brand: 'Seed',
  arrivalSec: 0,
}));

/**
 * The products of the current run, in catalog order: the seed's 15, then the long-tail products that
 * `generate --products N` adds (setLongTail). Module state, so one process generates one catalog at a time.
 */
export const PRODUCTS: readonly Product[] = ALL;

export function unitCostCents(p: Product): number {
  return Math.round(p.listCents * (CATEGORY[p.category]?.costRatio ?? 0.6));
}

let popCum = cumulative(PRODUCTS.map((p) => p.popularity));
/** Cumulative base popularity, for drawing browsed products. */
export function popularityCum(): Float64Array {
  return popCum;
}

const INDEX = new Map(PRODUCTS.map((p, i) => [p.id, i]));
function idx(id: string): number {
  const i = INDEX.get(id);
  if (i === undefined) throw new Error(`unknown product ${id}`);
  return i;
}

/**
 * Co-purchase affinity: after buying `from`, the same customer orders one of `to`
 * (weighted) with probability `p`, a few minutes to hours later.
 */
export interface Complement {
  from: number;
  p: number;
  to: number[];
  cum: Float64Array;
}
export const COMPLEMENTS: readonly Complement[] = [
  { from: idx('LAPTOP001'), p: 0.35, to: [idx('MOUSE001'), idx('STAND001')], cum: cumulative([0.6, 0.4]) },
  { from: idx('PHONE001'), p: 0.4, to: [idx('CASE001'), idx('CHARGER001')], cum: cumulative([0.65, 0.35]) },
  { from: idx('TABLET001'), p: 0.2, to: [idx('CHARGER001'), idx('CABLE001')], cum: cumulative([0.5, 0.5]) },
  { from: idx('MONITOR001'), p: 0.25, to: [idx('CABLE001'), idx('ADAPTER001')], cum: cumulative([0.7, 0.3]) },
  { from: idx('KEYBOARD001'), p: 0.3, to: [idx('MOUSE001')], cum: cumulative([1]) },
];

const byProduct = new Map<number, Complement[]>();
/** The complement rules whose `from` is this product (seed and planted ones), in rule order. */
export function complementsOf(prod: number): readonly Complement[] {
  return byProduct.get(prod) ?? NONE;
}
const NONE: readonly Complement[] = [];

/** Replaces the long-tail part of the catalog (after the seed's 15) and its planted complement rules. */
export function setLongTail(extra: readonly Product[], planted: readonly Complement[]): void {
  ALL.length = SEED_PRODUCT_COUNT;
  ALL.push(...extra);
  popCum = cumulative(ALL.map((p) => p.popularity));
  byProduct.clear();
  for (const c of [...COMPLEMENTS, ...planted]) {
    const list = byProduct.get(c.from);
    if (list) list.push(c);
    else byProduct.set(c.from, [c]);
  }
}
setLongTail([], []);

/** Products that fraudsters favour (resellable, expensive). */
export const FRAUD_PRODUCTS: readonly number[] = ['LAPTOP001', 'PHONE001', 'CAMERA001', 'WATCH001'].map(idx);

/** The seed's five sales regions, defined once: the generator writes them, replay and docs refer to them. */
export const REGIONS = SEED_REGIONS;
/** Share of customers per region, same order as REGIONS. */
export const REGION_WEIGHTS = [0.28, 0.22, 0.22, 0.18, 0.1];
export const CITIES: readonly (readonly string[])[] = [
  ['New York', 'Boston', 'Philadelphia', 'Atlanta', 'Miami'],
  ['Los Angeles', 'San Francisco', 'Seattle', 'Portland', 'San Diego'],
  ['London', 'Paris', 'Berlin', 'Madrid', 'Rome'],
  ['Tokyo', 'Singapore', 'Sydney', 'Mumbai', 'Seoul'],
  ['Mexico City', 'Sao Paulo', 'Buenos Aires', 'Lima', 'Bogota'],
];

export const FIRST_NAMES = (
  'John Emily Michael Sarah David Laura James Anna Robert Maria William Sofia Daniel Olivia Carlos ' +
  'Lucia Pierre Camille Hans Greta Kenji Yuki Wei Mei Arjun Priya Minjun Jiwoo Diego Valentina ' +
  'Thomas Chloe Lucas Emma Mateo Isabella Noah Mia Liam Ava'
).split(' ');
export const LAST_NAMES = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Martinez Lopez Wilson Anderson Taylor Moore ' +
  'Martin Dubois Muller Schmidt Rossi Bianchi Tanaka Sato Wang Li Chen Sharma Patel Kim Park Silva ' +
  'Santos Gonzalez Rodriguez Fernandez Perez Nguyen Lee Walker Hall Young'
).split(' ');
