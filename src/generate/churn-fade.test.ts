import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AS_OF, file, readCsv, smallDataset } from './testkit.js';

const DAY = 86400;
const secOf = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`) / 1000;

// docs/DATA.md "Customers": with --history-days, churners fade over ~90 days before their churn date.
describe('generate --history-days: churners disengage before they churn', () => {
  let dir: string;
  before(async () => {
    dir = await smallDataset({ historyDays: 365, orders: 20_000, customers: 1500, events: 400_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('puts churn dates inside the history, after its first 90 days (most before the end)', () => {
    const churn = readCsv(join(dir, 'labels', 'churn.csv'));
    const end = AS_OF.getTime() / 1000;
    assert.ok(churn.rows.length > 200, `${churn.rows.length} churners`);
    // (A customer who signed up less than 30 days before their draw churns later, possibly after the end.)
    let inside = 0;
    for (const [, at] of churn.rows) {
      const t = secOf(at as string);
      assert.ok(t >= end - 275 * DAY - 1, `churn at ${at}`);
      if (t < end) inside++;
    }
    assert.ok(inside > 0.8 * churn.rows.length, `${inside} of ${churn.rows.length} inside the window`);
  });

  it('churners visit and order less in the 30 days before churning than 60–90 days before', () => {
    const churnAt = new Map(
      readCsv(join(dir, 'labels', 'churn.csv')).rows.map(([id, at]) => [id as string, secOf(at as string)]),
    );
    const sessions = new Map<string, number>();
    const clicks = readCsv(file.clickstream(dir));
    const [sid, cid, ts] = [clicks.col('session_id'), clicks.col('customer_id'), clicks.col('timestamp')];
    for (const r of clicks.rows) {
      const s = r[sid] as string;
      if (!sessions.has(s)) sessions.set(s, 0);
      const at = churnAt.get(r[cid] as string);
      if (at === undefined || sessions.get(s) !== 0) continue;
      // Each session counted once, by its first event, relative to its customer's churn date.
      sessions.set(s, 1);
      countWindow(at, secOf(r[ts] as string), visits);
    }
    const orders = readCsv(file.orders(dir));
    for (const r of orders.rows) {
      const at = churnAt.get(r[orders.col('customer_id')] as string);
      if (at !== undefined) countWindow(at, secOf(r[orders.col('order_date')] as string), bought);
    }
    // Engagement averages about 1/6 over the last 30 days of a 90-day fade and 5/6 over days 60–90.
    assert.ok(visits.last < 0.5 * visits.before, `visits ${JSON.stringify(visits)}`);
    assert.ok(bought.last < 0.5 * bought.before, `orders ${JSON.stringify(bought)}`);
    assert.ok(visits.after === 0 && bought.after === 0, 'nothing after the churn date');
  });

  const visits = { last: 0, before: 0, after: 0 };
  const bought = { last: 0, before: 0, after: 0 };
  function countWindow(churn: number, t: number, into: typeof visits): void {
    const daysBefore = (churn - t) / DAY;
    if (daysBefore < 0) into.after++;
    else if (daysBefore < 30) into.last++;
    else if (daysBefore >= 60 && daysBefore < 90) into.before++;
  }
});
