/** What to maximise when choosing a price. */
export type PriceObjective = 'revenue' | 'margin';

/**
 * The best price under constant-elasticity demand Q(P) = Q0 (P / P0)^-e within [P0 (1 − m), P0 (1 + m)].
 * Revenue P·Q ∝ P^(1−e) is monotone: the lower bound when e > 1, the upper when e < 1, P0 at e = 1.
 * Margin (P − c)·Q peaks at c·e / (e − 1) when e > 1 (clamped to the bounds); with e ≤ 1 it rises with P.
 */
export function optimalPrice(
  current: number,
  elasticity: number,
  maxChange: number,
  objective: PriceObjective,
  unitCost: number | null,
): number {
  const lo = current * (1 - maxChange);
  const hi = current * (1 + maxChange);
  const e = elasticity;
  if (objective === 'revenue') return e > 1 ? lo : e < 1 ? hi : current;
  if (unitCost === null) throw new Error('margin objective without a unit cost');
  if (e <= 1) return hi;
  return Math.min(hi, Math.max(lo, (unitCost * e) / (e - 1)));
}

/** Relative change in units and revenue when the price moves from p0 to p1 at elasticity e. */
export function expectedChange(p0: number, p1: number, e: number): { units: number; revenue: number } {
  const r = p1 / p0;
  return { units: r ** -e - 1, revenue: r ** (1 - e) - 1 };
}

/** Relative change in margin (P − c)·Q when the price moves from p0 to p1 at elasticity e. */
export function marginChange(p0: number, p1: number, e: number, unitCost: number): number {
  const before = p0 - unitCost;
  const after = (p1 - unitCost) * (p1 / p0) ** -e;
  return before === 0 ? Number.NaN : after / before - 1;
}
