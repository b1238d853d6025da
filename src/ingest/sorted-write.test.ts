import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../duckdb/index.js';
import { dataLayout, lakeParquetSql, TABLES, tableDirectory, tableSnapshot } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

// Assignment CSV lines for ids S000 … S(n-1) of `experiment`, in a scrambled order (i * 37 mod n visits
// every i once when n is not a multiple of 37).
function scrambled(experiment: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const id = (i * 37) % n;
    return `S${String(id).padStart(3, '0')},${experiment},${id % 2 === 0 ? 'A' : 'B'}`;
  });
}

describe('ingest writes the experiments table sorted by session_id', () => {
  let db: DuckDbSession;
  let cleanup: () => void;
  let dir: string;

  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    db = await DuckDbSession.open();
  });
  after(() => {
    db.close();
    cleanup();
  });

  it('a clean file and a file with an identical line (the checked path) both come out sorted', async () => {
    const header = 'session_id,experiment,variant';
    const first = scrambled('e1', 500);
    // The second file repeats a line, which the direct write hands to the checked path.
    const second = [...scrambled('e2', 300), 'S005,e2,B'];
    assert.notDeepEqual(first, [...first].sort(), 'the input is out of order');
    for (const [name, lines] of [
      ['a.csv', first],
      ['b.csv', second],
    ] as const) {
      const input = writeText(join(dir, 'in', name), `${header}\n${lines.join('\n')}\n`);
      const report = await ingest({ dataDir: dir, table: TABLES.experiments, input });
      assert.equal(report.loaded, name === 'a.csv' ? 500 : 300);
    }
    const files = tableSnapshot(tableDirectory(dataLayout(dir), 'experiments')).files;
    assert.equal(files.length, 2);
    // Per file, rows after a greater session_id (by their place in the file).
    const rows = await db.all(`SELECT count(*) AS n, count(*) FILTER (WHERE session_id < previous) AS bad
      FROM (SELECT session_id, lag(session_id) OVER (PARTITION BY filename ORDER BY file_row_number) AS previous
        FROM ${lakeParquetSql(files, 'filename = true, file_row_number = true, hive_partitioning = false')})`);
    assert.deepEqual(
      rows.map((r) => [Number(r.n), Number(r.bad)]),
      [[800, 0]],
    );
  });
});
