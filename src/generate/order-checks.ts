import { REGIONS } from './catalog.js';
import type { Customers } from './customers.js';
import type { Order } from './order-line.js';
import { cumulative, Rng } from './rng.js';
import type { CsvWriter } from './writer.js';

/** Header of raw/order_checks/order_checks.csv: the fields a payment-fraud check sees, one row per order. */
export const ORDER_CHECK_HEADER =
  'order_id,order_date,payment_method,shipping_region,ip_country,account_age_days,device_id';

/** Countries customers live in, per region (same order as REGIONS); US regions are all 'US'. */
export const REGION_COUNTRIES: readonly (readonly string[])[] = [
  ['US'],
  ['US'],
  ['DE', 'FR', 'GB', 'NL', 'ES'],
  ['JP', 'SG', 'AU', 'IN', 'KR'],
  ['BR', 'MX', 'AR', 'CL', 'CO'],
];
/** Every country an IP address can come from (travellers and fraudsters use any of these). */
export const COUNTRIES: readonly string[] = [
  ...new Set(REGION_COUNTRIES.flat()),
  'NG',
  'RU',
  'UA',
  'VN',
  'RO',
];

export const PAYMENT_METHODS = [
  'card',
  'paypal',
  'apple_pay',
  'gift_card',
  'bank_transfer',
  'invoice',
] as const;
export const CARD = 0;
export const PAYPAL = 1;
export const GIFT_CARD = 3;
const INVOICE = 5;
/** Preferred payment method of a consumer (business customers prefer invoice half of the time). */
const CONSUMER_PAYMENT = cumulative([0.62, 0.2, 0.1, 0.05, 0.03, 0]);
/** Chance that a legitimate order uses the customer's preferred method; otherwise any consumer method. */
export const PAYMENT_LOYALTY = 0.85;

/**
 * Legitimate look-alikes of the fraud signals (docs/DATA.md "Fraud"), per legitimate order: paid from
 * abroad (travellers), placed on a device the customer never used before (a new phone, a work laptop).
 */
export const LEGIT_RATES = { foreignIp: 0.025, newDevice: 0.02 };
/** Share of customers that are businesses: several devices, bulk quantities, invoices. */
export const BUSINESS_SHARE = 0.04;
/** Consumers start with 1 or 2 devices (60 % have 2); businesses with 3–6. */
const MAX_DEVICES = 255;

/** Per-customer traits the fraud checks need, drawn once from their own random stream. */
export class BuyerTraits {
  readonly business: Uint8Array;
  readonly country: Uint8Array;
  readonly devices: Uint8Array;
  readonly payment: Uint8Array;

  constructor(customers: Customers, seed: number) {
    const n = customers.count;
    const rng = new Rng(seed, 11);
    this.business = new Uint8Array(n);
    this.country = new Uint8Array(n);
    this.devices = new Uint8Array(n);
    this.payment = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const biz = rng.chance(BUSINESS_SHARE);
      this.business[i] = biz ? 1 : 0;
      const options = REGION_COUNTRIES[customers.region[i] as number] ?? ['US'];
      this.country[i] = COUNTRIES.indexOf(options[rng.int(options.length)] ?? 'US');
      this.devices[i] = biz ? rng.range(3, 6) : rng.chance(0.6) ? 2 : 1;
      this.payment[i] = biz && rng.chance(0.5) ? INVOICE : rng.pickCumulative(CONSUMER_PAYMENT);
    }
  }
}

/** A device id that looks the same whether the customer owns it or a fraudster does. */
export function deviceId(n: number): string {
  let h = Math.imul(n ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x165667b1) >>> 0;
  // Each step is a bijection on 32 bits, so distinct numbers never share an id.
  return `DV${((h ^ (h >>> 13)) >>> 0).toString(16).padStart(8, '0')}`;
}

/** Writes one order_checks line per order, drawing the legitimate look-alikes as it goes. */
export class OrderChecks {
  private readonly rng: Rng;
  constructor(
    private readonly customers: Customers,
    private readonly traits: BuyerTraits,
    seed: number,
    private readonly out: CsvWriter,
  ) {
    this.rng = new Rng(seed, 12);
  }

  /** The line for order `id` (written in time order); `date` is its formatted order_date. */
  write(id: string, date: string, o: Order): void {
    const rng = this.rng;
    const { traits } = this;
    const c = o.cust;
    const s = o.signals;
    let device: number;
    if (s?.device !== undefined) device = s.device;
    else {
      const owned = traits.devices[c] as number;
      if (rng.chance(LEGIT_RATES.newDevice) && owned < MAX_DEVICES) {
        traits.devices[c] = owned + 1;
        device = c * MAX_DEVICES + owned;
      } else device = c * MAX_DEVICES + rng.int(owned);
    }
    const home = traits.country[c] as number;
    const foreign = s ? s.foreignIp === true : rng.chance(LEGIT_RATES.foreignIp);
    const country = foreign ? (home + 1 + rng.int(COUNTRIES.length - 1)) % COUNTRIES.length : home;
    const preferred = traits.payment[c] as number;
    const payment =
      s?.payment ?? (rng.chance(PAYMENT_LOYALTY) ? preferred : rng.pickCumulative(CONSUMER_PAYMENT));
    const age = Math.max(0, Math.floor((o.t - (this.customers.signup[c] as number)) / 86400));
    this.out.line(
      `${id},${date},${PAYMENT_METHODS[payment]},${REGIONS[o.region]},${COUNTRIES[country]},${age},${deviceId(device)}`,
    );
  }
}
