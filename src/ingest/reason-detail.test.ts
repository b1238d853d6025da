import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DuckDbSession, sqlString } from '../duckdb/index.js';
import { TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { checkedSelectSql } from './checked.js';
import { ingest } from './index.js';
import { BROKEN_UNSAID } from './validate.js';

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir()));
after(() => cleanup());

const spec = TABLES.fraud_scores;
const T = '2026-11-01 10:00:00';
// fraud_scores rows as the mapping hands them over (VARCHAR, in column order), by line; the last column says
// by hand which rule, if any, the row breaks.
const rows: [line: number, values: (string | null)[], breaks: string | null][] = [
  [1, ['O1', 'C1', T, T, '0.5', '0', null, 'm1'], null],
  [
    2,
    ['bad id!', 'C1', T, T, '0.5', '0', null, 'm1'],
    "order_id: 'bad id!' has characters that are not allowed",
  ],
  [3, ['O3', 'C1', T, T, '1.5', '1', null, 'm1'], 'score: above 1'],
  [4, ['O4', 'C1', T, T, '0.12345', '0', null, 'm1'], "score: '0.12345' has more than 4 decimal places"],
  [5, ['O5', 'C1', T, T, '0.5', '2', null, 'm1'], 'alert: above 1'],
  [6, ['O6', 'C1', 'yesterday', T, '0.5', '0', null, 'm1'], 'order_date: not a timestamp'],
  [7, ['O7', 'C1', T, T, '0.5', '0', null, null], 'model: required'],
  [8, ['O8', null, T, T, '0.25', '1', 'a reason', 'm1'], null],
  [9, ['O9', 'null', T, T, '0.5', '0', null, 'm1'], "customer_id: 'null' stands for a missing value"],
  [10, ['O10', 'C1', T, T, '0.5', '0', 'x'.repeat(2001), 'm1'], 'reasons: longer than 2000 characters'],
];

function mappedSql(): string {
  const lit = (v: string | null) => (v === null ? 'CAST(NULL AS VARCHAR)' : sqlString(v));
  const values = rows.map(([line, v]) => `(${line}, ${v.map(lit).join(', ')})`).join(', ');
  const names = spec.columns.map((c) => c.name).join(', ');
  return `SELECT 0 AS __src, __line, CAST(NULL AS VARCHAR) AS __skip, ${names} FROM (VALUES ${values}) AS v(__line, ${names})`;
}

async function reasons(detail: 'words' | 'flag'): Promise<Map<number, string | null>> {
  const db = await DuckDbSession.open({ threads: 1 });
  try {
    const got = await db.all(
      `SELECT __line, __reason FROM (${checkedSelectSql(spec, [mappedSql()], new Set(), detail)}) ORDER BY __line`,
    );
    return new Map(got.map((r) => [Number(r.__line), r.__reason === null ? null : String(r.__reason)]));
  } finally {
    db.close();
  }
}

it('flags exactly the rows the worded reasons refuse, and words them only when asked', async () => {
  const words = await reasons('words');
  const flag = await reasons('flag');
  for (const [line, , breaks] of rows) {
    if (breaks === null) {
      assert.equal(words.get(line), null, `line ${line} is valid`);
      assert.equal(flag.get(line), null, `line ${line} is valid`);
    } else {
      assert.ok(words.get(line)?.startsWith(breaks), `line ${line}: ${words.get(line)} should say ${breaks}`);
      assert.equal(flag.get(line), BROKEN_UNSAID, `line ${line} is flagged`);
    }
  }
  // What makes the flag cheap: none of the date-format suggestions (some 300 try_strptime) is in its SQL.
  assert.doesNotMatch(checkedSelectSql(spec, [mappedSql()], new Set(), 'flag'), /try_strptime/);
  assert.match(checkedSelectSql(spec, [mappedSql()], new Set(), 'words'), /try_strptime/);
});

it("a collector's segment with a broken line is quarantined with its reason in words, the rest loaded", async () => {
  const line = (id: string, score: string) =>
    JSON.stringify({ order_id: id, order_date: T, scored_at: T, score, alert: 0, model: 'm1' });
  const input = writeText(
    join(dir, 'wal', '000000000001.ndjson'),
    `${[line('S1', '0.5'), line('S2', '1.5'), line('S3', '0.25')].join('\n')}\n`,
  );
  const report = await ingest({
    dataDir: join(dir, 'data'),
    table: spec,
    input,
    threads: 1,
    dedupScope: 'partitions',
    kind: 'collector',
  });
  assert.deepEqual([report.read, report.loaded, report.quarantined], [3, 2, 1]);
  const [rejected] = readFileSync(report.quarantineFile ?? '', 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; reason: string });
  assert.equal(rejected?.line, 2);
  assert.equal(rejected?.reason, 'score: above 1');
});
