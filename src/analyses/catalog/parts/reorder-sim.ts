/** A continuous-review (s, Q) policy: when stock on hand + on order falls to s or below, order Q. */
export interface Policy {
  reorderPoint: number;
  orderQuantity: number;
}

/** What following a policy over the held-out days would have given. */
export interface SimResult {
  /** Units asked for that stock could not fill. */
  shortUnits: number;
  /** Days with at least one unit short. */
  stockoutDays: number;
  /** Units filled ÷ units asked for (1 when nothing was asked for). */
  fillRate: number;
  /** Σ over days of the units on hand at the day's end. */
  unitDays: number;
  /** Replenishment orders placed. */
  orders: number;
}

/**
 * Replays daily demand against a policy, day by day: at the start of day d what is due arrives
 * (`arrivals` already on order before the held-out period, plus the policy's own orders placed
 * `leadDays` earlier), then demand takes what stock there is (the rest is short, lost), then at the end
 * of the day the policy orders Q as many times as needed to lift the position (on hand + on order)
 * above s; an order placed on day d arrives at the start of day d + leadDays. Written by hand: it is a
 * few lines of bookkeeping no inventory library on npm offers in this form.
 */
export function simulatePolicy(
  startOnHand: number,
  demand: readonly number[],
  arrivals: ReadonlyMap<number, number>,
  policy: Policy,
  leadDays: number,
): SimResult {
  const due = new Map(arrivals);
  let onOrder = 0;
  for (const q of due.values()) onOrder += q;
  let onHand = Math.max(0, startOnHand);
  let asked = 0;
  let short = 0;
  let stockoutDays = 0;
  let unitDays = 0;
  let orders = 0;
  const lead = Math.max(0, leadDays);
  for (let d = 0; d < demand.length; d++) {
    const arriving = due.get(d) ?? 0;
    onHand += arriving;
    onOrder -= arriving;
    const want = demand[d] ?? 0;
    const sold = Math.min(onHand, want);
    asked += want;
    if (want > sold) {
      short += want - sold;
      stockoutDays++;
    }
    onHand -= sold;
    unitDays += onHand;
    while (onHand + onOrder <= policy.reorderPoint && policy.orderQuantity > 0) {
      // A zero lead time arrives tomorrow morning: stock is reviewed at the day's end.
      const at = d + Math.max(1, lead);
      due.set(at, (due.get(at) ?? 0) + policy.orderQuantity);
      onOrder += policy.orderQuantity;
      orders++;
    }
  }
  return {
    shortUnits: short,
    stockoutDays,
    fillRate: asked === 0 ? 1 : (asked - short) / asked,
    unitDays,
    orders,
  };
}
