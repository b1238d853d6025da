import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate, generateDefaults } from '../generate/index.js';
import { buildLake } from '../ingest/index.js';
import { PYREF_PYTHON as PYTHON, pyrefSkip, tempDir } from '../testing/index.js';
import { averagePath, IsolationForest } from './isolation-forest.js';
import { loadLabels, loadOrderFacts, loadProfiles, openLake } from './load.js';
import { averagePrecision } from './metrics.js';
import { seededRandom } from './random.js';
import { replayFeatures } from './train.js';

const skip = pyrefSkip('scikit-learn');

const SKLEARN = `
import sys, numpy as np
from sklearn.ensemble import IsolationForest
x = np.loadtxt(sys.argv[1], delimiter=',')
f = IsolationForest(n_estimators=100, max_samples=256, random_state=0).fit(x)
np.savetxt(sys.stdout, -f.score_samples(x), fmt='%.6f')
`;

function ranks(v: readonly number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let k = 0; k < order.length; ) {
    let j = k;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[k]?.[0]) j++;
    for (let m = k; m <= j; m++) r[order[m]?.[1] as number] = (k + j) / 2;
    k = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('isolation forest', () => {
  it('uses the paper’s c(n): c(2) = 1, c(256) = 2(ln 255 + γ) − 2·255/256', () => {
    assert.equal(averagePath(1), 0);
    assert.equal(averagePath(2), 1);
    // Computed by hand: 2 × (5.541264 + 0.577216) − 1.992188 = 10.244770
    assert.ok(Math.abs(averagePath(256) - 10.24477) < 1e-4);
  });

  it('isolates an obvious outlier faster than the points of a dense cluster', () => {
    const rows: number[][] = [];
    for (let i = 0; i < 500; i++) rows.push([(i % 10) / 10, ((i * 7) % 13) / 13]);
    // One far point among the training rows: the first split between min and max almost always cuts it off.
    rows.push([25, -30]);
    const forest = IsolationForest.fit(rows, { seed: 3 });
    assert.ok(forest.score([25, -30]) > 0.7, `outlier ${forest.score([25, -30])}`);
    assert.ok(forest.score([0.5, 0.5]) < 0.55, `inlier ${forest.score([0.5, 0.5])}`);
  });

  it('grows the same forest from the same rows and seed', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i * 3)]);
    const a = IsolationForest.fit(rows, { seed: 9 });
    const b = IsolationForest.fit(rows, { seed: 9 });
    for (const r of rows.slice(0, 20)) assert.equal(a.score(r), b.score(r));
  });

  it('scores exactly as a node-by-node walk of the grown trees, whatever their depth and number', () => {
    const random = seededRandom(5);
    // Three features: a spread one, a clustered one and one with repeated values, so that trees end at
    // many depths (leaves above the depth limit are padded in the scoring layout).
    const rows = Array.from({ length: 600 }, (_, i) => [
      random() * 100,
      i % 50 < 45 ? random() : 10 + random(),
      i % 4,
    ]);
    const probes = [
      ...rows,
      ...Array.from({ length: 400 }, () => [
        random() * 140 - 20,
        random() * 12 - 1,
        Math.floor(random() * 6),
      ]),
      [Number.NaN, 0.5, 1],
      [50, Number.NaN, Number.NaN],
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2],
      [-1e300, 1e300, -0],
    ];
    for (const options of [
      { trees: 100, sampleSize: 256 },
      // Not a multiple of the trees walked side by side (10): whole groups, then the rest one by one.
      { trees: 23, sampleSize: 64 },
      { trees: 7, sampleSize: 17 },
      { trees: 3, sampleSize: 3 },
      { trees: 1, sampleSize: 600 },
    ]) {
      const forest = IsolationForest.fit(rows, { ...options, seed: 11 });
      for (const p of probes)
        assert.equal(forest.score(p), forest.walkScore(p), `${JSON.stringify(options)} ${p}`);
    }
  });

  it('scores random rows of the live scorer’s shape (20 features in a Float64Array) exactly as the plain walk', () => {
    const random = seededRandom(21);
    // Flags, counts on a log scale and standardised amounts, as the model's features are (features.ts).
    const row = () =>
      Float64Array.from({ length: 20 }, (_, j) =>
        j % 4 === 0
          ? +(random() < 0.1)
          : j % 4 === 1
            ? Math.log1p(Math.floor(random() * 5))
            : random() * 10 - 4,
      );
    const forest = IsolationForest.fit(Array.from({ length: 5000 }, row), { seed: 4 });
    let differ = 0;
    for (let i = 0; i < 3000; i++) {
      const p = row();
      if (forest.score(p) !== forest.walkScore(p)) differ++;
    }
    assert.equal(differ, 0);
  });

  describe("agrees with scikit-learn's IsolationForest on the model's features", { skip }, () => {
    let dir: string;
    let cleanup: () => void;
    let rows: Float64Array[];
    let labels: boolean[];
    before(async () => {
      ({ dir, cleanup } = tempDir('shoplake-iforest-'));
      await generate({
        ...generateDefaults,
        orders: 6000,
        customers: 600,
        events: 1000,
        days: 20,
        seed: 21,
        asOf: new Date('2026-11-01T00:00:00Z'),
        out: dir,
      });
      await buildLake(dir);
      const engine = await openLake(dir);
      try {
        const facts = await loadOrderFacts(engine);
        const labelMap = await loadLabels(engine, dir);
        rows = replayFeatures(facts, await loadProfiles(engine)).rows;
        labels = facts.map((o) => labelMap.get(o.orderId) === true);
      } finally {
        await engine.close();
      }
    });
    after(() => cleanup?.());

    it('ranks orders alike and gives scores of the same size', (t) => {
      const csv = join(dir, 'features.csv');
      writeFileSync(csv, `${rows.map((r) => Array.from(r).join(',')).join('\n')}\n`);
      const out = execFileSync(PYTHON, ['-c', SKLEARN, csv], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const theirs = out.trim().split('\n').map(Number);
      assert.equal(theirs.length, rows.length);
      const ours = IsolationForest.fit(rows, { seed: 1 });
      const mine = rows.map((r) => ours.score(r));
      const rho = pearson(ranks(mine), ranks(theirs));
      const meanDiff = mine.reduce((s, v, i) => s + Math.abs(v - (theirs[i] as number)), 0) / mine.length;
      const apMine = averagePrecision(mine, labels);
      const apTheirs = averagePrecision(theirs, labels);
      t.diagnostic(
        `Spearman ${rho.toFixed(3)}, mean |diff| ${meanDiff.toFixed(4)}, AP ${apMine.toFixed(3)} vs ${apTheirs.toFixed(3)}`,
      );
      assert.ok(rho > 0.9, `Spearman correlation ${rho}`);
      assert.ok(meanDiff < 0.03, `mean |score difference| ${meanDiff}`);
      assert.ok(Math.abs(apMine - apTheirs) < 0.1, `average precision ${apMine} vs scikit-learn ${apTheirs}`);
    });
  });
});
