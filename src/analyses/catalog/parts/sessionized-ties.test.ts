import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../../engines/testing.js';
import { ingest } from '../../../ingest/index.js';
import { TABLES } from '../../../lake/index.js';
import { CLICKSTREAM_HEADER, csv, tempDir, writeText } from '../../../testing/index.js';
import { eventLevelSql } from './event-level.test-helper.js';
import { sessionizedEventsSql } from './sql.js';

/*
 * Events without a session_id at one exact time that start a derived session all belong to it. By hand,
 * for each of 300 customers: one VIEW at 10:00:00; 1,801 s later (past the 30-minute gap) five VIEWs at
 * 10:30:01 and an ADD_TO_CART at 10:30:05; then 1,800 s after that (exactly the gap: the same session) a
 * VIEW at 11:00:05. So two sessions each, of 1 and 7 events. Numbering sessions with a window ordered by
 * the time alone let the tied events fall on either side of the one that starts the session, so some
 * were counted in the customer's previous session (found 2026-11-26 by the sessions table's twin).
 */
const CUSTOMERS = 300;
const PAGES = ['home', 'search', 'product', 'cart', 'account'] as const;

function rows(): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customer = `C${c}`;
    out.push(['2026-11-05 10:00:00', '', customer, 'VIEW', 'home', '', 'desktop', 0]);
    for (const page of PAGES) out.push(['2026-11-05 10:30:01', '', customer, 'VIEW', page, '', 'desktop', 0]);
    out.push(['2026-11-05 10:30:05', '', customer, 'ADD_TO_CART', 'product', 'P1', 'desktop', 0]);
    out.push(['2026-11-05 11:00:05', '', customer, 'VIEW', 'home', '', 'desktop', 0]);
  }
  return out;
}

describe('derived sessions that start with tied events', () => {
  let engine: DuckDbEngine;
  let cleanup: () => void;
  before(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = writeText(join(t.dir, 'raw', 'clickstream', 'ties.csv'), csv(CLICKSTREAM_HEADER, rows()));
    const report = await ingest({ dataDir: t.dir, table: TABLES.clickstream, input: file });
    assert.equal(report.quarantined, 0);
    engine = await DuckDbEngine.open(t.dir);
  });
  after(async () => {
    await engine.close();
    cleanup();
  });

  it('the analyses put every event of the starting time in the session it starts (hand-counted)', async () => {
    const counts = await engine.query(
      `WITH ${sessionizedEventsSql()}
       SELECT n, count(*) AS sessions FROM (SELECT session, count(*) AS n FROM ev GROUP BY session)
       GROUP BY n ORDER BY n`,
      { from: null, to: null },
    );
    assert.deepEqual(
      counts.map((r) => [Number(r.n), Number(r.sessions)]),
      [
        [1, CUSTOMERS],
        [7, CUSTOMERS],
      ],
    );
  });

  it('so does the event-level reference the table-backed analyses are compared with', async () => {
    // By hand: 600 sessions; durations 0 s and 11:00:05 − 10:30:01 = 1,804 s (mean 902); page views 1
    // and 6 (mean 3.5); half of them one event long (bounces); none purchased.
    const rows = await engine.query(eventLevelSql('sessions', { by: 'total' }), { from: null, to: null });
    assert.deepEqual(
      rows.map((r) => [Number(r.sessions), r.avg_seconds, r.avg_page_views, r.bounce_rate, r.purchase_rate]),
      [[2 * CUSTOMERS, 902, 3.5, 0.5, 0]],
    );
  });
});
