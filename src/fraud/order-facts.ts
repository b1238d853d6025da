import { z } from 'zod';

/** What the model knows about one order when it arrives: the order's own fields and its fraud checks. */
export const orderFactsSchema = z.object({
  orderId: z.string().min(1),
  customerId: z.string().min(1).nullable(),
  productId: z.string().min(1),
  quantity: z.number(),
  /** Order total (sum of its lines). */
  amount: z.number(),
  /** order_date in epoch milliseconds (UTC). */
  t: z.number(),
  status: z.string().nullable(),
  /** Shipping region (the orders table's region). */
  region: z.string().nullable(),
  payment: z.string().nullable(),
  ipCountry: z.string().nullable(),
  deviceId: z.string().nullable(),
  accountAgeDays: z.number().nullable(),
});
export type OrderFacts = z.infer<typeof orderFactsSchema>;

/**
 * A facts object with every field set, for objects reused order after order (the live queue's slots, the
 * worker's line reader): all of one shape, so V8 gives them one hidden class.
 */
export function blankFacts(): OrderFacts {
  return {
    orderId: '',
    customerId: null,
    productId: '',
    quantity: 0.5,
    amount: 0.5,
    t: 0.5,
    status: null,
    region: null,
    payment: null,
    ipCountry: null,
    deviceId: null,
    accountAgeDays: null,
  };
}

/** A customer's profile from the customers table: where they live and when they signed up. */
export interface CustomerProfile {
  region: string | null;
  signupMs: number | null;
}
