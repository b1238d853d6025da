/**
 * A customer's favourite category as a latent class. Each customer has one favourite category f; each of
 * their interactions is in f with probability ρ ("loyalty"), otherwise in a category drawn by its share of
 * all sales s_c. So P(an interaction in c | f) = ρ·[c = f] + (1 − ρ)·s_c, and given the customer's
 * (implicit-weight) counts n_c the posterior of f is ∝ π_f · Π_c P(c | f)^n_c; the next purchase is in c
 * with probability ρ·P(f = c | n) + (1 − ρ)·s_c. ρ and the prior π are fitted by EM over all customers.
 *
 * Why a latent class and not each customer's share of interest per category: a share smooths every
 * category alike, while the posterior weighs how unlikely the counts are under each favourite (four
 * purchases in a small category say more than four in the biggest), and ρ, learnt from all customers,
 * says how much one favourite explains, where a share needed a tuned pseudo-count. Written by hand: a
 * one-parameter mixture with closed-form EM steps; npm has no latent-class package.
 */

/** The fitted taste model over categories (numbered). */
export interface CategoryTasteModel {
  /** Probability that an interaction is in the customer's favourite category (EM estimate). */
  loyalty: number;
  /** Share of all order lines before the cut-off per category (s_c). */
  share: Float64Array;
  /** Prior probability of each category being a customer's favourite (π, EM estimate). */
  prior: Float64Array;
  /** EM iterations run. */
  iterations: number;
}

const START_LOYALTY = 0.3;
const MAX_ITERATIONS = 200;
const TOLERANCE = 1e-7;
/** Floor on probabilities inside logs: a category nobody bought before the cut-off has share 0. */
const TINY = 1e-12;

/** Per category: log((ρ + (1 − ρ)s_f) ÷ ((1 − ρ)s_f)), what each interaction in f adds to f's log-posterior. */
function liftsOf(loyalty: number, share: Float64Array): Float64Array {
  return share.map(
    (s) => Math.log(loyalty + (1 - loyalty) * s + TINY) - Math.log(Math.max((1 - loyalty) * s, TINY)),
  );
}

const logsOf = (prior: Float64Array) => prior.map((p) => Math.log(Math.max(p, TINY)));

/**
 * Posterior of each favourite, from log π_f + n_f·lift_f (the Σ_c n_c·log((1 − ρ)s_c) every favourite
 * shares drops out), normalised in place. Lifts and log π come precomputed: this runs once per customer.
 */
function posteriorInto(
  out: Float64Array,
  counts: Float64Array,
  lift: Float64Array,
  logPrior: Float64Array,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let f = 0; f < out.length; f++) {
    const v = (logPrior[f] as number) + (counts[f] as number) * (lift[f] as number);
    out[f] = v;
    if (v > max) max = v;
  }
  let z = 0;
  for (let f = 0; f < out.length; f++) {
    const e = Math.exp((out[f] as number) - max);
    out[f] = e;
    z += e;
  }
  for (let f = 0; f < out.length; f++) out[f] = (out[f] as number) / z;
}

/** P(f = c | counts) for every category c under the model. */
export function favouritePosterior(model: CategoryTasteModel, counts: Float64Array): Float64Array {
  const out = new Float64Array(model.share.length);
  posteriorInto(out, counts, liftsOf(model.loyalty, model.share), logsOf(model.prior));
  return out;
}

/** P(the next interaction is in c) = ρ·P(f = c | counts) + (1 − ρ)·s_c, for every category c. */
export function nextCategory(model: CategoryTasteModel, counts: Float64Array): Float64Array {
  const post = favouritePosterior(model, counts);
  return post.map((q, c) => model.loyalty * q + (1 - model.loyalty) * (model.share[c] as number));
}

/**
 * EM for ρ and π from every customer's category counts (customers without any count tell nothing).
 * E-step: the posterior q_f of each customer's favourite; within the favourite's count n_f, the expected
 * part from loyalty is n_f·ρ ÷ (ρ + (1 − ρ)s_f). M-step: ρ = Σ_u Σ_f q_uf·that ÷ Σ_u Σ_c n_uc, π_f = mean q_uf.
 */
export function fitCategoryTaste(
  customers: readonly Float64Array[],
  share: Float64Array,
): CategoryTasteModel {
  const k = share.length;
  const live = customers.filter((n) => n.some((x) => x > 0));
  let total = 0;
  for (const n of live) for (const x of n) total += x;
  let loyalty = START_LOYALTY;
  let prior = Float64Array.from(share, (s) => (k > 0 ? s : 0));
  let iterations = 0;
  if (live.length === 0 || total === 0 || k < 2)
    return { loyalty: 0, share, prior: Float64Array.from(share), iterations };
  const q = new Float64Array(k);
  for (; iterations < MAX_ITERATIONS; iterations++) {
    let loyal = 0;
    const nextPrior = new Float64Array(k);
    const lift = liftsOf(loyalty, share);
    const logPrior = logsOf(prior);
    for (const n of live) {
      posteriorInto(q, n, lift, logPrior);
      for (let f = 0; f < k; f++) {
        const qf = q[f] as number;
        nextPrior[f] = (nextPrior[f] as number) + qf;
        const nf = n[f] as number;
        if (nf > 0) loyal += (qf * nf * loyalty) / (loyalty + (1 - loyalty) * (share[f] as number));
      }
    }
    const next = loyal / total;
    prior = nextPrior.map((x) => x / live.length);
    const moved = Math.abs(next - loyalty);
    loyalty = next;
    if (moved < TOLERANCE) break;
  }
  return { loyalty, share, prior, iterations };
}
