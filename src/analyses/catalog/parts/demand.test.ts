import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '../../../errors/index.js';
import { csv, ORDERS_HEADER } from '../../../testing/index.js';
import { fixtureLake, ingestFixture } from '../../fixture.test-helper.js';
import { dateOf, dayOf } from '../../models/forecast/index.js';
import { blackFridays, demandNotes, demandSql, toHistory } from './demand.js';

const line = (
  id: string,
  product: string,
  qty: number,
  price: string,
  day: string,
  status: string,
  region: string,
) => [
  id,
  'C1',
  product,
  product,
  qty,
  price,
  (qty * Number(price)).toFixed(2),
  `${day} 12:00:00`,
  status,
  region,
];

// P1–P3 are in the products table (list 10, 20, 5); P4 is not, so its list price is its highest daily price.
async function build(dir: string): Promise<void> {
  await ingestFixture(dir, [
    [
      'products',
      csv('product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days', [
        ['P1', 'P1', 'x', '10.00', '5.00', 10, 3],
        ['P2', 'P2', 'x', '20.00', '5.00', 10, 3],
        ['P3', 'P3', 'x', '5.00', '1.00', 10, 3],
      ]),
    ],
    [
      'orders',
      csv(ORDERS_HEADER, [
        line('O1', 'P1', 2, '10.00', '2026-11-02', 'COMPLETED', 'EU-WEST'),
        line('O2', 'P1', 1, '8.00', '2026-11-02', 'PENDING', 'US-EAST'),
        line('O3', 'P2', 3, '20.00', '2026-11-02', 'CANCELLED', 'EU-WEST'),
        line('O4', 'P2', -1, '20.00', '2026-11-02', 'COMPLETED', 'EU-WEST'),
        line('O5', 'P1', 1, '5.00', '2026-11-03', 'COMPLETED', 'EU-WEST'),
        line('O6', 'P2', 2, '15.00', '2026-11-03', 'COMPLETED', 'US-EAST'),
        line('O7', 'P3', 1, '4.00', '2026-11-03', 'COMPLETED', 'EU-WEST'),
        line('O8', 'P4', 4, '12.00', '2026-11-05', 'COMPLETED', 'US-EAST'),
        line('O9', 'P4', 1, '9.00', '2026-11-05', 'COMPLETED', 'US-EAST'),
        line('O10', 'P4', 1, '6.00', '2026-11-06', 'COMPLETED', 'US-EAST'),
      ]),
    ],
  ]);
}

describe('demand history from the orders (hand-built lake)', () => {
  const { engine, run } = fixtureLake(build);
  const history = async (asOf: string | null) =>
    toHistory(await engine().query(demandSql(), { asOf }), asOf ?? undefined);

  it('units of lines not cancelled, zeros on days without a sale, series from the product’s first sale', async () => {
    const h = await history(null);
    assert.equal(dateOf(h.end), '2026-11-07');
    const got = h.series.map((s) => [s.product, s.region, dateOf(s.start), s.units.join(' ')]);
    // P2 in EU-WEST has only a cancelled line and a return: no series. P2 starts on 11-03, its first sale
    // that was not cancelled.
    assert.deepEqual(got, [
      ['P1', 'EU-WEST', '2026-11-02', '2 1 0 0 0'],
      ['P1', 'US-EAST', '2026-11-02', '1 0 0 0 0'],
      ['P2', 'US-EAST', '2026-11-03', '2 0 0 0'],
      ['P3', 'EU-WEST', '2026-11-03', '1 0 0 0'],
      ['P4', 'US-EAST', '2026-11-05', '5 1'],
    ]);
    const short = await history('2026-11-05');
    assert.deepEqual(
      short.series.map((s) => s.units.length),
      [3, 3, 2, 2],
    );
  });

  it('discounts against the list price (or the highest daily price), and the store-wide sale day', async () => {
    const h = await history(null);
    const d = (p: string, day: string) => h.discount(p, dayOf(day));
    // P1 on 11-02: (20 + 8) / 3 = 9.333 against 10; cancelled P2 on 11-02 sold at list price.
    assert.ok(Math.abs(d('P1', '2026-11-02') - (1 - 28 / 3 / 10)) < 1e-12);
    assert.equal(d('P2', '2026-11-02'), 0);
    assert.equal(d('P1', '2026-11-03'), 0.5);
    assert.equal(d('P2', '2026-11-03'), 0.25);
    // P4: 11.40 on 11-05 (57 / 5) is its highest daily price; 6.00 on 11-06 is 47.4 % below it.
    assert.equal(d('P4', '2026-11-05'), 0);
    assert.ok(Math.abs(d('P4', '2026-11-06') - (1 - 6 / 11.4)) < 1e-12);
    assert.equal(d('P1', '2026-11-04'), 0);
    // 11-03: all three products sold were discounted by 5 % or more; 11-02 had only two products.
    const inData = [...h.saleDays].filter((x) => x >= dayOf('2026-11-01') && x < h.end).map(dateOf);
    assert.deepEqual(inData, ['2026-11-03']);
  });

  it('says how many whole days before --as-of the orders end (they count as no demand)', async () => {
    // The last line is 2026-11-06 12:00; --as-of 2026-11-20 is 13.5 days later: 13 whole days. With
    // --as-of the day after it (0.5 days), nothing is said.
    const q = demandNotes();
    const notes = async (asOf: string) => {
      const [row] = await engine().query(q.sql, { asOf });
      return row ? q.read(row).map((n) => [n.code, n.count]) : [];
    };
    assert.deepEqual(await notes('2026-11-20'), [
      ['cancelled_lines_left_out', 1],
      ['return_lines_left_out', 1],
      ['days_without_orders_before_as_of', 13],
    ]);
    assert.deepEqual(await notes('2026-11-07'), [
      ['cancelled_lines_left_out', 1],
      ['return_lines_left_out', 1],
    ]);
  });

  it('says what it left out: cancelled lines and return lines', async () => {
    const q = demandNotes();
    const [row] = await engine().query(q.sql, { asOf: null });
    assert.deepEqual(row ? q.read(row).map((n) => [n.code, n.count]) : [], [
      ['cancelled_lines_left_out', 1],
      ['return_lines_left_out', 1],
    ]);
  });

  it('no demand before --as-of: one user error, not a crash', async () => {
    const runs: [string, Record<string, unknown>][] = [
      ['forecast', { asOf: '2026-11-01', product: 'P1' }],
      ['forecast-backtest', { asOf: '2026-11-01' }],
    ];
    for (const [name, params] of runs)
      await assert.rejects(
        run(name, params),
        (e: unknown) => isUserError(e) && /no order line with a positive quantity/.test(e.message),
      );
  });

  it('a backtest on five days says what one cut-off needs', async () => {
    await assert.rejects(
      run('forecast-backtest'),
      (e: unknown) =>
        isUserError(e) &&
        /one cut-off with a 14-day horizon needs 28 days of order history .* the orders cover 5 from 2026-11-02/.test(
          e.message,
        ),
    );
  });
});

describe('Black Friday by the calendar', () => {
  it('is the day after the fourth Thursday of November', () => {
    // Thanksgiving 2026-11-26, 2029-11-22 (November 1st a Thursday: not the last Friday, 11-30), 2025-11-27.
    assert.deepEqual(blackFridays(dayOf('2025-01-01'), dayOf('2029-12-31')).map(dateOf), [
      '2025-11-28',
      '2026-11-27',
      '2027-11-26',
      '2028-11-24',
      '2029-11-23',
    ]);
  });
});
