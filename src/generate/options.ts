import { z } from 'zod';

/** Options of one generator run; see docs/DATA.md for what each one shapes. */
export interface GenerateOptions {
  /** Data directory; files go to <out>/raw/... and <out>/labels/... */
  out: string;
  orders: number;
  customers: number;
  /** Clickstream rows. */
  events: number;
  /** Order window in days; the clickstream window is min(7, days) days. */
  days: number;
  seed: number;
  /** End of the window (exclusive). */
  asOf: Date;
  blackFriday: boolean;
  experiment?: { name: string; lift: number; split: number };
  /** Catalog size: the seed's 15 (default) or a long tail of up to 100,000 after them (docs/DATA.md). */
  products?: number;
  /**
   * Days of history (0 or absent: none): orders and the clickstream both cover the last
   * max(days, historyDays) days, and churn dates fall inside that window (docs/DATA.md, "Churn").
   */
  historyDays?: number;
  /**
   * Warehouses, stock, replenishment and stockouts that censor demand (docs/DATA.md, "Inventory"). Off by
   * default so the default dataset stays the seed's: with it, out-of-stock lines are not placed.
   */
  inventory?: boolean;
  /**
   * Per-product elasticities, list price changes and a competitor price feed (docs/DATA.md, "Prices");
   * off by default so the default dataset stays the seed-compatible one.
   */
  pricing?: boolean;
}

/** The seed's dataset size. */
export const generateDefaults: Omit<GenerateOptions, 'out' | 'asOf'> = {
  orders: 50_000,
  customers: 5_000,
  events: 200_000,
  days: 30,
  seed: 42,
  blackFriday: false,
};

const count = (what: string, min: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(Number.MAX_SAFE_INTEGER / 4096, `${what} is too large`);

export const generateSchema = z.object({
  out: z.string().min(1, 'out must name a directory'),
  orders: count('orders', 1),
  customers: count('customers', 1),
  events: count('events', 0).max(2 ** 31 - 1, 'events must be below 2147483648'),
  days: count('days', 1).max(3660, 'days must be at most 3660 (ten years)'),
  seed: z.number().int('seed must be a whole number'),
  asOf: z
    .date({ error: 'asOf must be a date' })
    .refine((d) => !Number.isNaN(d.getTime()), 'asOf must be a valid date')
    .refine((d) => d.getTime() >= Date.UTC(1990, 0, 1), 'asOf must be 1990-01-01 or later'),
  blackFriday: z.boolean(),
  experiment: z
    .object({
      name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'experiment name: use 1-64 letters, digits, _ . or -'),
      lift: z.number().gt(-1, 'experiment lift must be above -1 (a relative change)').max(100),
      split: z
        .number()
        .gt(0, 'experiment split must be between 0 and 1')
        .lt(1, 'experiment split must be between 0 and 1'),
    })
    .optional(),
  products: count('products', 15).max(100_000, 'products must be at most 100000').optional(),
  historyDays: count('historyDays', 0).max(3660, 'historyDays must be at most 3660 (ten years)').optional(),
  inventory: z.boolean().optional(),
  pricing: z.boolean().optional(),
});

/** Validates options, throwing one Error that lists every problem with its field. */
export function parseOptions(opts: GenerateOptions): GenerateOptions {
  const r = generateSchema.safeParse(opts);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new Error(`invalid generate options: ${msg}`);
  }
  return r.data;
}
