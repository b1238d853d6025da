import { formatDate } from './calendar.js';
import {
  CATEGORY,
  type Complement,
  complementsOf,
  PRODUCTS,
  type Product,
  SEED_PRODUCT_COUNT,
  setLongTail,
} from './catalog.js';
import { setTaste, type Taste } from './pick.js';
import { cumulative, Rng } from './rng.js';
import { CsvWriter, money } from './writer.js';

const DAY = 86400;
/** Largest catalog: the clickstream packs a product index into 20 bits (events.ts). */
export const MAX_PRODUCTS = 100_000;
/** Zipf exponent of long-tail popularity by rank (a few products sell most, many sell rarely). */
export const ZIPF_EXPONENT = 0.8;
/** Popularity of the long tail's top product (the seed's range 0.3–1.5), so the seed's 15 keep about a fifth of sales at 1,000 products. */
export const TAIL_HEAD_POPULARITY = 3;
/** Share of long-tail products that arrive inside the window (new products) rather than before it. */
export const NEW_PRODUCT_SHARE = 0.12;
/** Share of long-tail products that get planted complements, and the range of their follow-up chance. */
export const PLANTED_SHARE = 0.3;
export const PLANTED_P = [0.25, 0.45] as const;
/** Chance that a customer's pick follows their favourite category, and their favourite brand. */
export const CATEGORY_SHARE = 0.5;
export const BRAND_SHARE = 0.3;

/** Long-tail categories: share of products, list price range in cents (log-uniform), product nouns. */
const SPECS: { category: string; share: number; price: [number, number]; nouns: string[] }[] = [
  { category: 'Computers', share: 0.08, price: [29900, 249900], nouns: ['Laptop', 'Desktop', 'Mini PC'] },
  { category: 'Phones', share: 0.07, price: [14900, 149900], nouns: ['Phone', 'Smartphone'] },
  {
    category: 'Audio',
    share: 0.12,
    price: [1999, 49900],
    nouns: ['Earbuds', 'Headphones', 'Speaker', 'Soundbar'],
  },
  { category: 'Wearables', share: 0.06, price: [4999, 79900], nouns: ['Watch', 'Fitness Band', 'Ring'] },
  { category: 'Cameras', share: 0.05, price: [19900, 299900], nouns: ['Camera', 'Action Cam', 'Lens'] },
  {
    category: 'Peripherals',
    share: 0.12,
    price: [1499, 29900],
    nouns: ['Mouse', 'Keyboard', 'Webcam', 'Mic'],
  },
  {
    category: 'Accessories',
    share: 0.2,
    price: [599, 7999],
    nouns: ['Case', 'Cable', 'Charger', 'Strap', 'Sleeve'],
  },
  {
    category: 'Smart Home',
    share: 0.08,
    price: [1999, 39900],
    nouns: ['Smart Plug', 'Bulb', 'Doorbell', 'Hub'],
  },
  { category: 'Storage', share: 0.08, price: [2999, 59900], nouns: ['SSD', 'Memory Card', 'Drive'] },
  { category: 'Networking', share: 0.06, price: [2999, 49900], nouns: ['Router', 'Mesh Node', 'Switch'] },
  { category: 'Gaming', share: 0.08, price: [2999, 69900], nouns: ['Console', 'Controller', 'Headset'] },
];

/** Which categories a product's planted complements come from. */
const COMPLEMENTARY: Record<string, string[]> = {
  Computers: ['Peripherals', 'Accessories', 'Storage'],
  Phones: ['Accessories', 'Audio'],
  Cameras: ['Storage', 'Accessories'],
  Gaming: ['Peripherals', 'Audio'],
  'Smart Home': ['Networking'],
  Wearables: ['Accessories'],
  Networking: ['Accessories'],
};

const BRANDS = (
  'Norda Veltra Quorix Luma Archon Zentic Brisa Kova Maruto Plexa Solano Tessar Orbis Vantor Elkin ' +
  'Corvo Halden Ibex Juno Kestrel Lyra Mistral Nimbus Oakley Pavo Rhea Sable Tundra Umbra Wren'
).split(' ');

/** The long-tail catalog of one run, with what the generator planted (for labels/). */
export interface LongTail {
  products: Product[];
  planted: Complement[];
  /** Price band of every product (catalog order): budget, mid or premium within its category. */
  bands: string[];
}

/**
 * Builds products SEED_PRODUCT_COUNT+1..n (after the seed's 15) and makes them the current catalog:
 * categories, brands, log-uniform prices per category (band = tercile of that range), Zipf popularity,
 * arrival days (NEW_PRODUCT_SHARE arrive inside the window), planted complements, and the taste groups
 * customers pick from. n = 15 (the default) restores the seed's catalog exactly.
 */
export function useCatalog(n: number, seed: number, startSec: number, endSec: number): LongTail {
  if (n <= SEED_PRODUCT_COUNT) {
    setLongTail([], []);
    setTaste(undefined);
    return { products: [], planted: [], bands: PRODUCTS.map(() => '') };
  }
  const rng = new Rng(seed, 11);
  const shareCum = cumulative(SPECS.map((s) => s.share));
  const products: Product[] = [];
  const bands: string[] = PRODUCTS.map((p) =>
    p.listCents < 5000 ? 'budget' : p.listCents < 40000 ? 'mid' : 'premium',
  );
  const extra = n - SEED_PRODUCT_COUNT;
  // Ranks are shuffled so that popularity does not follow id order.
  const rank = Int32Array.from({ length: extra }, (_, i) => i + 1);
  for (let i = extra - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = rank[i] as number;
    rank[i] = rank[j] as number;
    rank[j] = t;
  }
  const width = Math.max(6, String(n).length);
  for (let k = 0; k < extra; k++) {
    const spec = SPECS[rng.pickCumulative(shareCum)] ?? (SPECS[0] as (typeof SPECS)[number]);
    const brand = BRANDS[rng.int(BRANDS.length)] ?? 'Norda';
    const pos = rng.float();
    const [lo, hi] = spec.price;
    const listCents = Math.round((lo * (hi / lo) ** pos) / 100) * 100 - 1;
    const noun = spec.nouns[rng.int(spec.nouns.length)] ?? 'Gadget';
    const arrivalSec = rng.chance(NEW_PRODUCT_SHARE)
      ? Math.floor((startSec + rng.float() * (endSec - startSec)) / DAY) * DAY
      : 0;
    products.push({
      id: `SKU${String(SEED_PRODUCT_COUNT + k + 1).padStart(width, '0')}`,
      name: `${brand} ${noun} ${String.fromCharCode(65 + rng.int(26))}${rng.range(1, 99)}`,
      listCents,
      category: spec.category,
      popularity: TAIL_HEAD_POPULARITY * (rank[k] as number) ** -ZIPF_EXPONENT * rng.lognormal(0, 0.3),
      leadTimeDays: CATEGORY[spec.category]?.leadTimeDays ?? 14,
      brand,
      arrivalSec,
    });
    bands.push(pos < 1 / 3 ? 'budget' : pos < 2 / 3 ? 'mid' : 'premium');
  }
  const planted = plantComplements(rng, products);
  setLongTail(products, planted);
  setTaste(tasteGroups());
  return { products, planted, bands };
}

function plantComplements(rng: Rng, products: readonly Product[]): Complement[] {
  const byCategory = new Map<string, number[]>();
  products.forEach((p, k) => {
    // Complements are established products: a follow-up order must not come before its product arrives.
    if (p.arrivalSec > 0) return;
    const list = byCategory.get(p.category) ?? [];
    list.push(SEED_PRODUCT_COUNT + k);
    byCategory.set(p.category, list);
  });
  const planted: Complement[] = [];
  products.forEach((p, k) => {
    const from = COMPLEMENTARY[p.category];
    if (!from || !rng.chance(PLANTED_SHARE)) return;
    const to: number[] = [];
    const count = rng.range(1, 2);
    for (let i = 0; i < count; i++) {
      const pool = byCategory.get(from[rng.int(from.length)] ?? '') ?? [];
      const target = pool[rng.int(pool.length)];
      if (target !== undefined && !to.includes(target)) to.push(target);
    }
    if (to.length === 0) return;
    const p0 = PLANTED_P[0] + rng.float() * (PLANTED_P[1] - PLANTED_P[0]);
    planted.push({ from: SEED_PRODUCT_COUNT + k, p: p0, to, cum: cumulative(to.map(() => 1)) });
  });
  return planted;
}

function tasteGroups(): Taste {
  const categories = [...new Set(PRODUCTS.map((p) => p.category))];
  const brands = [...new Set(PRODUCTS.map((p) => p.brand).filter((b) => b !== 'Seed'))];
  const group = (keep: (p: Product) => boolean) => {
    const products = Int32Array.from(PRODUCTS.flatMap((p, i) => (keep(p) ? [i] : [])));
    return { products, cum: cumulative(Array.from(products, (i) => PRODUCTS[i]?.popularity ?? 0)) };
  };
  return {
    groups: [
      ...categories.map((c) => group((p) => p.category === c)),
      ...brands.map((b) => group((p) => p.brand === b)),
    ],
    categoryGroups: categories.length,
    categoryShare: CATEGORY_SHARE,
    brandShare: BRAND_SHARE,
  };
}

/**
 * Writes labels/products.csv (brand, price band, arrival day, popularity of every product) and
 * labels/copurchase.csv (every complement rule: after buying product_id the customer orders
 * complement_id with this probability, split evenly over a rule's complements).
 */
export async function writeCatalogLabels(
  productsPath: string,
  pairsPath: string,
  tail: LongTail,
): Promise<void> {
  const out = await CsvWriter.open(
    productsPath,
    'product_id,brand,category,price_band,list_price,arrival_date,popularity',
  );
  PRODUCTS.forEach((p, i) => {
    const arrival = p.arrivalSec > 0 ? formatDate(p.arrivalSec) : '';
    out.line(
      `${p.id},${p.brand},${p.category},${tail.bands[i]},${money(p.listCents)},${arrival},${p.popularity.toFixed(6)}`,
    );
  });
  await out.close();
  const pairs = await CsvWriter.open(pairsPath, 'product_id,complement_id,probability,planted');
  for (let prod = 0; prod < PRODUCTS.length; prod++) {
    for (const c of complementsOf(prod)) {
      const from = PRODUCTS[c.from]?.id;
      c.to.forEach((to, k) => {
        const share =
          ((c.cum[k] as number) - (k > 0 ? (c.cum[k - 1] as number) : 0)) /
          (c.cum[c.cum.length - 1] as number);
        pairs.line(
          `${from},${PRODUCTS[to]?.id},${(c.p * share).toFixed(4)},${c.from >= SEED_PRODUCT_COUNT ? 1 : 0}`,
        );
      });
    }
  }
  await pairs.close();
}
