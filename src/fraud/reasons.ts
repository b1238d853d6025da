import type { FeatureContext, FeatureName } from './features.js';
import type { OrderFacts } from './order-facts.js';

// Intl number formatting costs more than the rest of a score: thousands separators by hand.
const money = (v: number) => `$${String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
const times = (v: number) => (v >= 10 ? `${Math.round(v)}×` : `${v.toFixed(1)}×`);
const usual = (perDay: number) =>
  perDay >= 1
    ? `${perDay.toFixed(1)} a day`
    : perDay * 7 >= 1
      ? `${(perDay * 7).toFixed(1)} a week`
      : `${(perDay * 30).toFixed(1)} a month`;

/** One feature's contribution in plain words, or null when it has nothing worth saying. */
export function reasonFor(name: FeatureName, value: number, o: OrderFacts, c: FeatureContext): string | null {
  const recent = (ms: number) =>
    (c.customer?.recent.filter((t) => o.t - t >= 0 && o.t - t <= ms).length ?? 0) + 1;
  switch (name) {
    case 'orders_10m':
      return `${recent(600_000)} orders in 10 minutes from one customer; usual is ${usual(c.usualPerDay)}`;
    case 'orders_1h':
    case 'orders_24h_vs_usual':
      return `${recent(name === 'orders_1h' ? 3_600_000 : 86_400_000)} orders in ${name === 'orders_1h' ? 'an hour' : 'a day'} from one customer; usual is ${usual(c.usualPerDay)}`;
    case 'amount_vs_customer':
    case 'quantity_vs_customer':
      return c.customerMedian
        ? `amount ${times(o.amount / c.customerMedian)} this customer's median (${money(o.amount)})`
        : null;
    case 'amount_vs_product':
    case 'expensive_burst':
      return c.productMedian
        ? `amount ${times(o.amount / c.productMedian)} this product's usual (${money(o.amount)})`
        : null;
    case 'amount_vs_all':
      return `large order: ${money(o.amount)}`;
    case 'no_history':
      return 'first order from this customer';
    case 'ships_away_from_home':
    case 'new_ship_region':
      return `shipped to ${o.region}, customer lives in ${c.profile?.region ?? 'another region'}`;
    case 'new_device':
      return 'placed from a device this customer never used before';
    case 'foreign_ip':
    case 'new_ip_country':
      return `IP address in ${o.ipCountry}, customer usually orders from ${c.topIp ?? 'elsewhere'}`;
    case 'new_device_and_foreign_ip':
      return `new device and IP address in ${o.ipCountry}`;
    case 'new_account_large_basket':
      return `account ${Math.floor(c.accountAgeDays ?? 0)} days old, basket ${money(o.amount)}`;
    case 'payment_change':
      return `paid with ${o.payment}, customer usually pays with ${c.topPayment}`;
    case 'gift_card':
      return 'paid with a gift card';
    case 'prior_cancel_rate':
      return `${Math.round(value * 100)} % of this customer's earlier orders were cancelled`;
    case 'small_order_burst':
      return `${recent(600_000)} small orders in 10 minutes (card testing)`;
  }
}
