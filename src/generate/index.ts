import { join } from 'node:path';
import { Calendar, cumulativeTargets, TimeFormat } from './calendar.js';
import { PRODUCTS, SEED_PRODUCT_COUNT } from './catalog.js';
import { CLICK_HEADER, ClickstreamGenerator } from './clickstream.js';
import { CUSTOMER_HEADER, Customers } from './customers.js';
import { writeExperiment } from './experiment.js';
import { openInventory } from './inventory-files.js';
import { MEAN_PURCHASE_EVENTS } from './journey.js';
import { useCatalog, writeCatalogLabels } from './long-tail.js';
import { type GenerateOptions, parseOptions } from './options.js';
import { ORDER_CHECK_HEADER } from './order-checks.js';
import { ORDER_HEADER, OrderGenerator } from './orders.js';
import { COMPETITOR_HEADER, ELASTICITY_HEADER, PriceProcess } from './pricing.js';
import { writeProducts } from './products.js';
import { CsvWriter } from './writer.js';

export { REGIONS } from './catalog.js';
export { FRAUD_PATTERNS } from './fraud.js';
export { type GenerateOptions, generateDefaults } from './options.js';
export { COUNTRIES, ORDER_CHECK_HEADER, PAYMENT_METHODS, REGION_COUNTRIES } from './order-checks.js';

/** Largest share of orders (inside the clickstream window) that get a purchasing session. */
export const MAX_SESSION_SHARE = 0.6;
/** Purchasing sessions may take at most about this share of the event budget. */
export const MAX_PURCHASE_EVENT_SHARE = 0.5;

/** What one run produced. */
export interface GenerateStats {
  orders: number;
  customers: number;
  events: number;
  products: number;
  fraudOrders: number;
  /** Order lines not placed because the warehouse was out of stock (0 without --inventory). */
  lostLines: number;
  purchaseSessions: number;
  seconds: number;
  files: string[];
}

/** Generates the dataset into opts.out; same options give byte-identical files. */
export async function generate(
  opts: GenerateOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<GenerateStats> {
  const o = parseOptions(opts);
  const started = performance.now();
  const history = o.historyDays ?? 0;
  const days = Math.max(o.days, history);
  const endSec = Math.floor(o.asOf.getTime() / 1000);
  // The catalog comes first: the calendar's demand weights cover every product.
  const tail = useCatalog(o.products ?? SEED_PRODUCT_COUNT, o.seed, endSec - days * 86400, endSec);
  // The price process spans the calendar's days (Calendar.firstDay … + nDays), drawn before it.
  const endDay = Math.floor((endSec - 1) / 86400);
  const firstDay = Math.floor((endSec - days * 86400) / 86400);
  const pricing = o.pricing ? new PriceProcess(endDay - firstDay + 1, o.seed) : undefined;
  const cal = new Calendar(o.asOf, days, o.seed, o.blackFriday, pricing);
  const customers = new Customers(o.customers, cal.startSec, cal.endSec, o.seed, history);
  const path = (...p: string[]) => join(o.out, ...p);
  const files = {
    products: path('raw', 'products', 'products.csv'),
    orders: path('raw', 'orders', 'orders.csv'),
    customers: path('raw', 'customers', 'customers.csv'),
    clickstream: path('raw', 'clickstream', 'clickstream.csv'),
    fraud: path('labels', 'fraud.csv'),
    orderChecks: path('raw', 'order_checks', 'order_checks.csv'),
    churn: path('labels', 'churn.csv'),
    productLabels: path('labels', 'products.csv'),
    copurchase: path('labels', 'copurchase.csv'),
  };
  await writeProducts(files.products, o.orders / days, o.seed);
  await writeCatalogLabels(files.productLabels, files.copurchase, tail);

  // With a history the clickstream spans it too (sessions are churn signals); else the last 7 days.
  const clickHours = (history > 0 ? days : Math.min(7, days)) * 24;
  const clickStartHour = cal.hours - clickHours;
  const orderTargets = cumulativeTargets(cal.orderWeight, o.orders);
  const clickTargets = cumulativeTargets(cal.clickWeight.subarray(clickStartHour), o.events);
  const ordersInClickWindow =
    o.orders - (clickStartHour > 0 ? (orderTargets[clickStartHour - 1] as number) : 0);
  // Small event budgets cannot hold a session for most orders: lower the share instead of failing.
  const sessionShare = Math.min(
    MAX_SESSION_SHARE,
    (MAX_PURCHASE_EVENT_SHARE * o.events) / Math.max(1, ordersInClickWindow * MEAN_PURCHASE_EVENTS),
  );

  const ordersOut = await CsvWriter.open(files.orders, ORDER_HEADER);
  const fraudOut = await CsvWriter.open(files.fraud, 'order_id,pattern');
  const checksOut = await CsvWriter.open(files.orderChecks, ORDER_CHECK_HEADER);
  const clickOut = await CsvWriter.open(files.clickstream, CLICK_HEADER);
  const inventory = o.inventory
    ? await openInventory(
        o.out,
        cal,
        o.orders / days,
        o.seed,
        new TimeFormat(),
        (c) => customers.ids[c] ?? '',
      )
    : undefined;
  const orders = new OrderGenerator(
    cal,
    customers,
    o.orders,
    o.seed,
    ordersOut,
    fraudOut,
    checksOut,
    inventory?.world,
  );
  const clicks = new ClickstreamGenerator(
    cal,
    customers,
    o.events,
    cal.startSec + clickStartHour * 3600,
    sessionShare,
    o.seed,
    clickOut,
    o.experiment !== undefined,
  );
  const totalWork = o.orders + o.events + o.customers;
  for (let h = 0; h < cal.hours; h++) {
    const hourOrders = orders.hour(h, orderTargets[h] as number);
    if (h >= clickStartHour) {
      for (const order of hourOrders) clicks.purchaseSession(order);
      clicks.fill(h, clickTargets[h - clickStartHour] as number);
    }
    // Later sessions reach back at most one hour, so everything before hour h is final.
    clicks.flushBefore(h);
    inventory?.world.endOfHour(h);
    await Promise.all([ordersOut.ready(), fraudOut.ready(), clickOut.ready(), checksOut.ready()]);
    await inventory?.ready();
    onProgress?.(orders.emitted + clicks.committed, totalWork);
  }
  clicks.flushBefore(cal.hours);
  await Promise.all([ordersOut.close(), fraudOut.close(), clickOut.close(), checksOut.close()]);
  const inventoryFiles = inventory ? await inventory.close() : [];

  const customersOut = await CsvWriter.open(files.customers, CUSTOMER_HEADER);
  await customers.write(customersOut);
  await customersOut.close();
  const churnOut = await CsvWriter.open(files.churn, 'customer_id,churned_at');
  await customers.writeChurn(churnOut);
  await churnOut.close();
  onProgress?.(totalWork, totalWork);

  const written = [
    files.products,
    files.orders,
    files.customers,
    files.clickstream,
    files.fraud,
    files.churn,
    files.productLabels,
    files.copurchase,
    files.orderChecks,
    ...inventoryFiles,
  ];
  if (pricing) written.push(...(await writePricing(pricing, path, cal.firstDay)));
  if (o.experiment && clicks.purchased) {
    const assignments = path('raw', 'experiments', 'assignments.csv');
    const label = path('labels', 'experiment.csv');
    await writeExperiment(
      o.experiment,
      clicks.purchased,
      clicks.sessions,
      clicks.purchaseSessions,
      o.seed,
      assignments,
      label,
    );
    written.push(assignments, label);
  }
  return {
    orders: orders.emitted - orders.lost,
    customers: o.customers,
    events: clicks.committed,
    products: PRODUCTS.length,
    fraudOrders: orders.fraudCount,
    lostLines: orders.lost,
    purchaseSessions: clicks.purchaseSessions,
    seconds: (performance.now() - started) / 1000,
    files: written,
  };
}

/** generate --pricing: the competitor feed (a raw table) and the true elasticities (labels). */
async function writePricing(
  pricing: PriceProcess,
  path: (...p: string[]) => string,
  firstDay: number,
): Promise<string[]> {
  const feed = path('raw', 'competitor_prices', 'competitor_prices.csv');
  const labels = path('labels', 'elasticities.csv');
  const feedOut = await CsvWriter.open(feed, COMPETITOR_HEADER);
  await pricing.writeCompetitors(feedOut, firstDay);
  await feedOut.close();
  const labelsOut = await CsvWriter.open(labels, ELASTICITY_HEADER);
  pricing.writeLabels(labelsOut);
  await labelsOut.close();
  return [feed, labels];
}
