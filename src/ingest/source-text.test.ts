import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { lcg } from '../testing/index.js';
import { sourceTextSql } from './source-text.js';

let db: DuckDbSession;
before(async () => {
  db = await DuckDbSession.open();
});
after(() => db.close());

// Every Unicode space separator (category Zs), which trim() cuts, and characters it keeps.
const SPACES = [
  0x20,
  0xa0,
  0x1680,
  ...Array.from({ length: 11 }, (_, i) => 0x2000 + i),
  0x202f,
  0x205f,
  0x3000,
];
const KEPT = ['\t', '\n', '\r', '\u0001', '\u007f', '\u200b', 'é', '€', '😀', 'x', '0', '-'];

async function mapped(values: (string | null)[]): Promise<(string | null)[]> {
  const list = values.map((_, i) => `($v${i}, ${i})`).join(', ');
  const params = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
  const rows = await db.all(
    `SELECT ${sourceTextSql('v')} AS m FROM (VALUES ${list}) t(v, i) ORDER BY i`,
    params,
  );
  return rows.map((r) => (r.m === null ? null : String(r.m)));
}

// The shortcut for values trim() cannot change was added for speed (issue 15); what comes out must
// not change. Expected values worked out by hand.
it('cuts space separators at both ends, keeps tabs and line breaks, and reads blank as absent', async () => {
  const cases: [string | null, string | null][] = [
    ['ORD1', 'ORD1'],
    [' ORD1', 'ORD1'],
    ['ORD1 ', 'ORD1'],
    ['ORD1\u00a0', 'ORD1'],
    ['\u3000ORD1', 'ORD1'],
    ['Café\u2003', 'Café'],
    ['Café', 'Café'],
    ['\tORD1', '\tORD1'],
    ['ORD1\t', 'ORD1\t'],
    ['ORD1\r\n', 'ORD1\r\n'],
    ['a b', 'a b'],
    ['', null],
    ['   ', null],
    ['\u00a0 \u202f', null],
    [null, null],
  ];
  assert.deepEqual(
    await mapped(cases.map(([v]) => v)),
    cases.map(([, m]) => m),
  );
});

// An independent reference: DuckDB's own NULLIF(trim(v), ''), over values built to hit every branch.
it("gives what NULLIF(trim(v), '') gives, for every space separator and kept character at either end", async () => {
  const random = lcg(15);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const edges = [...SPACES.map((c) => String.fromCodePoint(c)), ...KEPT, ''];
  const values: string[] = [];
  for (const a of edges) for (const b of edges) values.push(`${a}mid${b}`, `${a}${b}`);
  for (let i = 0; i < 500; i++) {
    const n = 1 + Math.floor(random() * 6);
    values.push(Array.from({ length: n }, () => pick(edges) || 'a').join(''));
  }
  const list = values.map((_, i) => `($v${i})`).join(', ');
  const params = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
  const [row] = await db.all(
    `SELECT count(*) AS n, count(*) FILTER (WHERE ${sourceTextSql('v')} IS DISTINCT FROM NULLIF(trim(v), '')) AS differ
     FROM (VALUES ${list}) t(v)`,
    params,
  );
  assert.equal(Number(row?.n), values.length);
  assert.equal(Number(row?.differ), 0);
});
