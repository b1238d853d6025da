import { ACTIONS, DEVICES, PAGES } from '../seed/index.js';
import { PRODUCTS, popularityCum } from './catalog.js';
import { pickIndex } from './pick.js';
import { cumulative, type Rng } from './rng.js';

export { ACTIONS, DEVICES, PAGES };
/** Share of visits per device. */
export const DEVICE_SHARE = [0.55, 0.35, 0.1];
/** Funnel per device: P(add to cart | viewed), P(checkout | cart), P(purchase | checkout). */
export const FUNNEL: readonly (readonly [number, number, number])[] = [
  [0.18, 0.45, 0.55],
  [0.28, 0.6, 0.75],
  [0.22, 0.5, 0.65],
];
const conv = FUNNEL.map(([a, b, c]) => a * b * c);
/** Devices of purchasing sessions ∝ share × conversion; of the others ∝ share × (1 − conversion). */
export const PURCHASE_DEVICE_CUM = cumulative(DEVICE_SHARE.map((s, d) => s * (conv[d] ?? 0)));
export const BROWSE_DEVICE_CUM = cumulative(DEVICE_SHARE.map((s, d) => s * (1 - (conv[d] ?? 0))));
/** Furthest stage of a non-purchasing session given its device: browse, cart, checkout. */
export const ABANDON_STAGE_CUM = FUNNEL.map(([a, b, c]) => cumulative([1 - a, a * (1 - b), a * b * (1 - c)]));

const [VIEW, ADD, REMOVE, CHECKOUT, PURCHASE] = [0, 1, 2, 3, 4];
const [HOME, CATEGORY, PRODUCT, CART, CHECKOUT_PAGE, ACCOUNT, SEARCH] = [0, 1, 2, 3, 4, 5, 6];
/** Pages without a product show an empty product_id. */
export const PAGE_HAS_PRODUCT = [false, false, true, true, true, false, false];

export const STAGE_BROWSE = 0;
export const STAGE_CART = 1;
export const STAGE_CHECKOUT = 2;
export const STAGE_PURCHASE = 3;

/** Landing page weights (home, search, category, product) and in-between browsing page weights. */
const LANDING_CUM = cumulative([0.4, 0.2, 0.25, 0.15]);
const LANDING = [HOME, SEARCH, CATEGORY, PRODUCT];
const BROWSE_CUM = cumulative([0.05, 0.35, 0.2, 0.4]);
const BROWSE = [HOME, CATEGORY, SEARCH, PRODUCT];
/** Browsing steps between landing and the target product: geometric with this stop chance, capped. */
const BROWSE_STOP = 0.45;
const BROWSE_MAX = 5;
const ACCOUNT_VISIT = 0.1;
const REMOVE_CHANCE = 0.15;
const CART_VIEW_CHANCE = 0.5;
const BROWSE_VIEWS_TARGET = 0.6;
/** Median seconds on a page (VIEW) or for an action; log-normal spread, capped so journeys fit an hour. */
const PAGE_SECONDS = [8, 20, 45, 25, 50, 20, 15];
const ACTION_SECONDS = [0, 6, 4, 40, 5];
const DURATION_SIGMA = 0.7;
export const MAX_STEP_SECONDS = 240;
/** Mean events per purchasing session, used to plan how many sessions the event budget holds. */
export const MEAN_PURCHASE_EVENTS = 7.2;
export const MIN_PURCHASE_EVENTS = 4;

/** A journey as parallel arrays; reused between sessions to avoid allocation. */
export class Journey {
  readonly action = new Int8Array(16);
  readonly page = new Int8Array(16);
  // Int32: long-tail catalogs (generate --products) have more products than an Int8 holds.
  readonly product = new Int32Array(16);
  readonly seconds = new Int32Array(16);
  length = 0;

  private push(rng: Rng, action: number, page: number, product: number): void {
    const i = this.length++;
    this.action[i] = action;
    this.page[i] = page;
    this.product[i] = PAGE_HAS_PRODUCT[page] ? product : -1;
    const median = action === VIEW ? (PAGE_SECONDS[page] ?? 10) : (ACTION_SECONDS[action] ?? 5);
    const s = Math.round(median * rng.lognormal(0, DURATION_SIGMA));
    this.seconds[i] = Math.max(1, Math.min(MAX_STEP_SECONDS, s));
  }

  /** Builds a journey that reaches `stage` about product `target` (a random product for browse-only). */
  build(rng: Rng, stage: number, target: number, loggedIn: boolean): void {
    this.length = 0;
    const cum = popularityCum();
    const randomProduct = () => pickIndex(rng, cum);
    this.push(rng, VIEW, LANDING[rng.pickCumulative(LANDING_CUM)] ?? HOME, randomProduct());
    if (loggedIn && rng.chance(ACCOUNT_VISIT)) this.push(rng, VIEW, ACCOUNT, -1);
    const browse = Math.min(BROWSE_MAX, rng.geometric(BROWSE_STOP));
    for (let i = 0; i < browse; i++)
      this.push(rng, VIEW, BROWSE[rng.pickCumulative(BROWSE_CUM)] ?? HOME, randomProduct());
    if (stage === STAGE_BROWSE && !rng.chance(BROWSE_VIEWS_TARGET)) return;
    this.push(rng, VIEW, PRODUCT, target);
    if (stage === STAGE_BROWSE) return;
    if (rng.chance(REMOVE_CHANCE)) {
      const other = (target + 1 + rng.int(PRODUCTS.length - 1)) % PRODUCTS.length;
      this.push(rng, ADD, PRODUCT, other);
      this.push(rng, REMOVE, CART, other);
    }
    this.push(rng, ADD, PRODUCT, target);
    if (rng.chance(CART_VIEW_CHANCE)) this.push(rng, VIEW, CART, target);
    if (stage === STAGE_CART) return;
    this.push(rng, CHECKOUT, CHECKOUT_PAGE, target);
    if (stage === STAGE_PURCHASE) this.push(rng, PURCHASE, CHECKOUT_PAGE, target);
  }

  /** The shortest purchasing journey, for when the event budget is nearly spent. */
  minimalPurchase(rng: Rng, target: number): void {
    this.length = 0;
    this.push(rng, VIEW, PRODUCT, target);
    this.push(rng, ADD, PRODUCT, target);
    this.push(rng, CHECKOUT, CHECKOUT_PAGE, target);
    this.push(rng, PURCHASE, CHECKOUT_PAGE, target);
  }

  /** Seconds from the first event to the last one (the last step's own duration excluded). */
  span(): number {
    let s = 0;
    for (let i = 0; i < this.length - 1; i++) s += this.seconds[i] as number;
    return s;
  }
}
