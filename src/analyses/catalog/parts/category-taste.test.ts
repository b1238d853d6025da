import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lcg } from '../../../testing/index.js';
import { favouritePosterior, fitCategoryTaste, nextCategory } from './category-taste.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

describe('category taste (latent favourite category)', () => {
  it('posterior and next category by hand: one purchase in a small category says more than in a big one', () => {
    // Shares (0.8, 0.2), ρ = ½, π = (½, ½), one interaction in each. Likelihood ratio of favourite c over
    // the background: (ρ + (1 − ρ)s_c) ÷ ((1 − ρ)s_c) = 0.9/0.4 = 2.25 for the big one, 0.6/0.1 = 6 for the
    // small one → posterior 2.25/8.25 = 0.272727, 6/8.25 = 0.727273. Next: ½·0.272727 + ½·0.8 = 0.536364,
    // ½·0.727273 + ½·0.2 = 0.463636.
    const model = {
      loyalty: 0.5,
      share: Float64Array.from([0.8, 0.2]),
      prior: Float64Array.from([0.5, 0.5]),
      iterations: 0,
    };
    const post = favouritePosterior(model, Float64Array.from([1, 1]));
    close(post[0] as number, 2.25 / 8.25, 1e-12, 'big');
    close(post[1] as number, 6 / 8.25, 1e-12, 'small');
    const next = nextCategory(model, Float64Array.from([1, 1]));
    close(next[0] as number, 0.5 * (2.25 / 8.25) + 0.4, 1e-12, 'next big');
    close(next[1] as number, 0.5 * (6 / 8.25) + 0.1, 1e-12, 'next small');
    // No interaction: the prior, and the next category by ½·π + ½·s.
    close(nextCategory(model, Float64Array.from([0, 0]))[1] as number, 0.25 + 0.1, 1e-12, 'cold start');
  });

  it('EM recovers a planted loyalty and prior from simulated customers', () => {
    // 4,000 customers, favourite drawn from π = (0.1, 0.2, 0.3, 0.4), 8 interactions each, each in the
    // favourite with ρ = 0.45 else by s = (0.4, 0.3, 0.2, 0.1). ρ's standard error here is about 0.005.
    const rand = lcg(5);
    const share = Float64Array.from([0.4, 0.3, 0.2, 0.1]);
    const pi = [0.1, 0.2, 0.3, 0.4];
    const draw = (p: ArrayLike<number>) => {
      let u = rand();
      for (let i = 0; i < p.length; i++) {
        u -= p[i] as number;
        if (u < 0) return i;
      }
      return p.length - 1;
    };
    const customers: Float64Array[] = [];
    for (let c = 0; c < 4000; c++) {
      const fav = draw(pi);
      const n = new Float64Array(4);
      for (let k = 0; k < 8; k++) {
        const i = rand() < 0.45 ? fav : draw(share);
        n[i] = (n[i] as number) + 1;
      }
      customers.push(n);
    }
    customers.push(new Float64Array(4));
    const m = fitCategoryTaste(customers, share);
    close(m.loyalty, 0.45, 0.02, 'loyalty');
    pi.forEach((p, i) => {
      close(m.prior[i] as number, p, 0.03, `prior ${i}`);
    });
  });

  it('without any interaction there is nothing to learn: loyalty 0, the next category by share', () => {
    const m = fitCategoryTaste([new Float64Array(2)], Float64Array.from([0.7, 0.3]));
    assert.equal(m.loyalty, 0);
    close(nextCategory(m, Float64Array.from([3, 0]))[0] as number, 0.7, 1e-12, 'share');
  });
});
