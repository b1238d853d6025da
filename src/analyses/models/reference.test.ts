import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lcg, pyref, pyrefSkip } from '../../testing/index.js';
import { averagePrecision, fitLogistic, ItemKnn, predictLogistic, rocAuc } from './index.js';

// The hand-written models against scikit-learn 1.5.2 (scripts/pyref-setup.sh installs it into
// .cache/pyref) on the same data. Without it the checks skip, except under CI=true where they fail.
const skip = pyrefSkip('scikit-learn');

describe('reference checks against scikit-learn', { skip }, () => {
  it('logistic regression: coefficients within 1e-4, AUC and average precision within 1e-9', () => {
    const rand = lcg(7);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 800; i++) {
      const row = [rand() * 10, rand() * 3 - 1, rand() < 0.3 ? 1 : 0, rand() * 100];
      const eta = -1 + 0.3 * (row[0] as number) - 1.2 * (row[1] as number) + 0.8 * (row[2] as number);
      x.push(row);
      y.push(rand() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
    }
    const model = fitLogistic(['a', 'b', 'c', 'd'], x, y, 1);
    const probs = x.map((r) => predictLogistic(model, r));
    const text = ['a,b,c,d,y', ...x.map((r, i) => [...r, y[i]].join(','))].join('\n');
    const out = pyref(
      `import sys, json, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, average_precision_score
d = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
X, y = d[:, :4], d[:, 4]
Z = (X - X.mean(axis=0)) / X.std(axis=0)
m = LogisticRegression(C=1.0, tol=1e-12, max_iter=10000).fit(Z, y)
p = m.predict_proba(Z)[:, 1]
print(json.dumps({"coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
  "auc": roc_auc_score(y, p), "ap": average_precision_score(y, p)}))`,
      text,
    );
    const ref = JSON.parse(out) as { coef: number[]; intercept: number; auc: number; ap: number };
    model.coef.forEach((c, j) => {
      assert.ok(Math.abs(c - (ref.coef[j] as number)) < 1e-4, `coef ${j}: ${c} vs ${ref.coef[j]}`);
    });
    assert.ok(Math.abs(model.intercept - ref.intercept) < 1e-4);
    assert.ok(Math.abs(rocAuc(probs, y) - ref.auc) < 1e-9, `auc ${rocAuc(probs, y)} vs ${ref.auc}`);
    assert.ok(
      Math.abs(averagePrecision(probs, y) - ref.ap) < 1e-9,
      `ap ${averagePrecision(probs, y)} vs ${ref.ap}`,
    );
  });

  it('item-kNN: cosine similarity of every item pair within 1e-9', () => {
    const rand = lcg(11);
    const rows: { user: string; item: string; weight: number }[] = [];
    for (let u = 0; u < 300; u++) {
      const favourite = u % 6;
      for (let k = 0; k < 8; k++) {
        const item = rand() < 0.6 ? favourite * 5 + Math.floor(rand() * 5) : Math.floor(rand() * 30);
        rows.push({ user: `u${u}`, item: `i${item}`, weight: 1 + Math.floor(rand() * 3) });
      }
    }
    const knn = new ItemKnn(rows, 1000);
    const text = [
      'user,item,weight',
      ...rows.map((r) => `${r.user.slice(1)},${r.item.slice(1)},${r.weight}`),
    ].join('\n');
    const out = pyref(
      `import sys, json, numpy as np
from sklearn.metrics.pairwise import cosine_similarity
d = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
M = np.zeros((300, 30))
for u, i, w in d: M[int(u), int(i)] += w
print(json.dumps(cosine_similarity(M.T).tolist()))`,
      text,
    );
    const ref = JSON.parse(out) as number[][];
    let compared = 0;
    for (let i = 0; i < 30; i++) {
      const mine = new Map(knn.similar(`i${i}`).map((s) => [s.item, s.sim]));
      for (let j = 0; j < 30; j++) {
        if (i === j) continue;
        const want = ref[i]?.[j] ?? Number.NaN;
        assert.ok(
          Math.abs((mine.get(`i${j}`) ?? 0) - want) < 1e-9,
          `sim(i${i}, i${j}) ${mine.get(`i${j}`)} vs ${want}`,
        );
        compared++;
      }
    }
    assert.equal(compared, 30 * 29);
  });
});
