import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUserError } from '../../errors/index.js';
import { csv, ORDERS_HEADER } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';
import { dayOf, forecastDemand } from '../models/forecast/index.js';
import { stockoutRisk } from './inventory.js';
import { demandSql, toHistory } from './parts/demand.js';
import { leadTimeDemand, trailingMeanEstimator } from './parts/demand-estimate.js';

const line = (id: string, region: string, product: string, qty: number, at: string, status = 'COMPLETED') => [
  id,
  'C1',
  product,
  'Thing',
  qty,
  '10.00',
  (qty * 10).toFixed(2),
  at,
  status,
  region,
];

/**
 * Hand-built: WH-A serves NORTH (WH-Z is NORTH too but has the larger id), WH-B serves SOUTH. Every
 * expected figure below is worked out by hand from these rows (see the comments).
 */
export async function buildInv(dir: string): Promise<void> {
  await ingestFixture(dir, [
    [
      'products',
      csv('product_id,product_name,category,list_price,unit_cost,stock_on_hand,lead_time_days', [
        ['P1', 'Thing', 'Misc', '10.00', '6.00', '', ''],
        ['P2', 'Other', 'Misc', '20.00', '', '', ''],
      ]),
    ],
    [
      'warehouses',
      csv('warehouse_id,warehouse_name,region', [
        ['WH-A', 'North A', 'NORTH'],
        ['WH-B', 'South', 'SOUTH'],
        ['WH-Z', 'North Z', 'NORTH'],
      ]),
    ],
    [
      'stock_levels',
      csv('warehouse_id,product_id,counted_at,on_hand,reorder_point,order_quantity,lead_time_days', [
        ['WH-A', 'P1', '2026-10-01 00:00:00', 999, 20, 50, 5],
        ['WH-A', 'P1', '2026-11-01 00:00:00', 100, 20, 50, 5],
        ['WH-B', 'P1', '2026-11-01 00:00:00', 10, 3, 6, 2],
      ]),
    ],
    [
      'stock_movements',
      csv('movement_id,warehouse_id,product_id,moved_at,movement_type,quantity,reference', [
        ['M1', 'WH-A', 'P1', '2026-10-20 00:00:00', 'RECEIPT', 500, 'PO0'],
        ['M2', 'WH-A', 'P1', '2026-11-02 10:00:00', 'RECEIPT', 40, 'PO1'],
        ['M3', 'WH-A', 'P1', '2026-11-03 10:00:00', 'SALE', -3, 'O1'],
        ['M4', 'WH-A', 'P1', '2026-11-04 10:00:00', 'ADJUSTMENT', -1, 'COUNT'],
        ['M5', 'WH-A', 'P1', '2026-11-05 10:00:00', 'RETURN', 1, 'O2'],
        ['M6', 'WH-B', 'P1', '2026-11-03 10:00:00', 'SALE', -2, 'O5'],
        ['M7', 'WH-Z', 'P2', '2026-11-02 00:00:00', 'RECEIPT', 7, 'PO2'],
      ]),
    ],
    [
      'orders',
      csv(ORDERS_HEADER, [
        line('O1', 'NORTH', 'P1', 3, '2026-11-03 10:00:00'), // recorded by M3
        line('O2', 'NORTH', 'P1', 2, '2026-11-04 10:00:00'), // not recorded: −2
        line('O2', 'NORTH', 'P1', -1, '2026-11-05 10:00:00'), // its return, recorded by M5
        line('O3', 'NORTH', 'P1', 4, '2026-11-06 13:00:00', 'CANCELLED'), // takes nothing
        line('O4', 'NORTH', 'P1', 5, '2026-10-31 10:00:00'), // before the count
        line('O6', 'NORTH', 'P1', 1, '2026-11-02 09:00:00', 'PENDING'), // late, not recorded: −1
        line('O7', 'NORTH', 'P1', -1, '2026-11-06 12:00:00'), // a return no movement records: +1
        line('O5', 'SOUTH', 'P1', 2, '2026-11-03 10:00:00'), // recorded by M6
        line('O8', 'SOUTH', 'P1', 3, '2026-11-06 08:00:00'), // not recorded: −3
        line('O9', 'SOUTH', 'P1', 1, '2026-10-20 10:00:00'), // before the count; first order
        line('O10', 'EAST', 'P1', 9, '2026-11-05 10:00:00'), // no warehouse serves EAST
      ]),
    ],
  ]);
}

describe('inventory on a hand-built lake', () => {
  const lake = fixtureLake(buildInv);

  it('adds the latest count, later movements and the order lines no movement records', async () => {
    const rows = await lake.run('inventory', { demandDays: 7, demand: 'trailing' });
    const byPair = Object.fromEntries(
      rows.map((r) => [
        `${r.warehouse_id}/${r.product_id}`,
        [r.counted, r.moved, r.unrecorded_sales, r.on_hand],
      ]),
    );
    assert.deepEqual(byPair, {
      // 100 + (40 − 3 − 1 + 1) − (O2 2 + O6 1 − O7 1) = 135
      'WH-A/P1': [100, 37, 2, 135],
      // 10 − 2 − O8 3 = 5
      'WH-B/P1': [10, -2, 3, 5],
      // No count: 0 + 7
      'WH-Z/P2': [0, 7, 0, 7],
    });
  });

  it('estimates demand over the trailing days, days of cover and the stockout risk within the lead time', async () => {
    const rows = await lake.run('inventory', { demandDays: 7, demand: 'trailing' });
    const a = rows.find((r) => r.warehouse_id === 'WH-A') as Record<string, number>;
    // Window: the 7 days before 2026-11-06 12:00:01 (the last non-cancelled order + 1 s); units by day
    // back from it: O6 1 (day 4), O1 3 (day 3), O2 2 (day 2), O4 5 (day 6); returns are not demand.
    // Series [0,0,2,3,1,0,5]: mean 11/7, sample sd √((39 − 121/7)/6) = 1.90238.
    assert.ok(Math.abs((a.daily_demand as number) - 11 / 7) < 1e-4);
    assert.ok(Math.abs((a.demand_sd as number) - 1.90238) < 1e-4);
    assert.ok(Math.abs((a.days_of_cover as number) - 135 / (11 / 7)) < 1e-3);
    assert.ok(Math.abs((a.lead_time_demand as number) - 55 / 7) < 1e-4);
    assert.ok((a.stockout_risk as number) < 1e-4);
    const b = rows.find((r) => r.warehouse_id === 'WH-B') as Record<string, number>;
    // O8 3 (day 0), O5 2 (day 3): mean 5/7, sd 1.253566; lead 2: N(10/7, 1.772811);
    // P(D > 5) = 1 − Φ(2.01455) = 0.02198 (normal table: Φ(2.01) = 0.97778, Φ(2.02) = 0.97831).
    assert.ok(Math.abs((b.daily_demand as number) - 5 / 7) < 1e-4);
    assert.ok(Math.abs((b.stockout_risk as number) - 0.02198) < 3e-4, String(b.stockout_risk));
    const z = rows.find((r) => r.warehouse_id === 'WH-Z') as Record<string, unknown>;
    assert.deepEqual(
      [z.daily_demand, z.days_of_cover, z.lead_time_days, z.stockout_risk],
      [0, null, null, null],
    );
  });

  it('filters by warehouse and product, and refuses ones the lake has no stock for', async () => {
    const rows = await lake.run('inventory', { warehouse: 'WH-B' });
    assert.deepEqual(
      rows.map((r) => [r.warehouse_id, r.product_id, r.on_hand]),
      [['WH-B', 'P1', 5]],
    );
    for (const params of [{ warehouse: 'WH-NOPE' }, { product: 'NOPE' }]) {
      await assert.rejects(
        () => lake.run('inventory', params),
        (e) => isUserError(e) && /unknown (warehouse|product) '(WH-)?NOPE'/.test((e as Error).message),
      );
    }
  });

  it('reorder refuses a service level outside (0, 1) and too little history', async () => {
    for (const serviceLevel of [0, 1, 1.5, -0.1]) {
      await assert.rejects(
        () => lake.run('reorder', { serviceLevel }),
        (e) => isUserError(e) && /--service-level: must be between 0 and 1/.test((e as Error).message),
      );
    }
    // The last order is on 2026-11-06, so the 14 held-out days start 2026-10-24 00:00: only 3 whole days
    // after the first order (2026-10-20 10:00) are left to estimate from.
    await assert.rejects(
      () => lake.run('reorder', { holdoutDays: 14 }),
      (e) =>
        isUserError(e) &&
        /too little history: needs at least 7 whole days .* has 3 \(hold out fewer days/.test(
          (e as Error).message,
        ),
    );
    await assert.rejects(
      () => lake.run('reorder', { holdoutDays: 1, product: 'NOPE' }),
      (e) => isUserError(e) && /unknown product 'NOPE'/.test((e as Error).message),
    );
  });

  it('reorder: policy from the days before the held-out one, replayed on it', async () => {
    const rows = await lake.run('reorder', {
      demand: 'trailing',
      holdoutDays: 1,
      demandDays: 7,
      holdingRate: 3.65,
      warehouse: 'WH-B',
    });
    // Held out: 2026-11-06. Stock at its start: 10 − 2 (M6) = 8 (O8 falls on the held-out day).
    // Days before: O5 2 units on 2026-11-03, all 7 days in stock: μ 2/7, σ √((4 − 4/7)/6) = 0.755929.
    // L 2: s = ⌈4/7 + 1.644854 × 0.755929 × √2⌉ = ⌈2.32986⌉ = 3; Q = ⌈2/7 × 14⌉ = 4.
    // Replay: 8 − 3 (O8) = 5 at the day's end, above s: no order, nothing short; holding 5 × 6.00 × 3.65 / 365.
    assert.deepEqual(rows, [
      {
        warehouse_id: 'WH-B',
        product_id: 'P1',
        lead_time_days: 2,
        daily_demand: 0.2857,
        demand_sd: 0.7559,
        reorder_point: 3,
        order_quantity: 4,
        current_reorder_point: 3,
        current_order_quantity: 6,
        estimate_days: 7,
        holdout_demand: 3,
        censored_days: 0,
        stockout_units: 0,
        current_stockout_units: 0,
        fill_rate: 1,
        current_fill_rate: 1,
        holding_cost: 0.3,
        current_holding_cost: 0.3,
      },
    ]);
  });

  it("reorder --demand forecast: s and Q from the forecast model's sums over the lead time and order days", async () => {
    const [row] = await lake.run('reorder', { holdoutDays: 1, warehouse: 'WH-B' });
    // Independently: the forecast model on the demand history before the held-out day (2026-11-06),
    // WH-B serving SOUTH, lead time 2, order days 14; s = ⌈Σμ + z(0.95)·√Σvar⌉, Q = ⌈Σμ over 14 days⌉.
    const asOf = '2026-11-06';
    const history = toHistory(await lake.engine().query(demandSql(true), { asOf }), asOf);
    const days = forecastDemand(history, { horizon: 14 }).filter((f) => f.region === 'SOUTH');
    const lead = days.slice(0, 2);
    const mean = lead.reduce((t, f) => t + f.mean, 0);
    const variance = lead.reduce((t, f) => t + f.variance, 0);
    assert.ok(mean > 0);
    assert.equal(row?.reorder_point, Math.ceil(mean + 1.644854 * Math.sqrt(variance)));
    assert.equal(row?.order_quantity, Math.max(1, Math.ceil(days.reduce((t, f) => t + f.mean, 0))));
    assert.ok(Math.abs(Number(row?.daily_demand) - mean / 2) < 1e-4);
  });

  it("inventory --demand forecast: lead-time demand and risk from the forecast model's sums", async () => {
    const rows = await lake.run('inventory', { warehouse: 'WH-B' });
    // History: every order; the forecast starts the day after the last order line (2026-11-07).
    const history = toHistory(await lake.engine().query(demandSql(true), { asOf: null }), undefined);
    assert.equal(history.end, dayOf('2026-11-07'));
    const lead = forecastDemand(history, { horizon: 2 }).filter((f) => f.region === 'SOUTH');
    const mean = lead.reduce((t, f) => t + f.mean, 0);
    const sd = Math.sqrt(lead.reduce((t, f) => t + f.variance, 0));
    const b = rows[0] as { lead_time_demand: number; stockout_risk: number };
    assert.ok(Math.abs(b.lead_time_demand - mean) < 1e-4);
    // On hand 5: 1 − Φ((5 − mean) ÷ sd), the normal tail computed here by the erf series of stockoutRisk's peer.
    assert.ok(Math.abs(b.stockout_risk - stockoutRisk(5, mean, sd)) < 1e-4);
  });

  it('averages over the days since the first order when the window reaches back further', async () => {
    // First order O9 2026-10-20 10:00 to 2026-11-06 12:00:01: 17 whole days, not 28. NORTH P1 lines
    // with quantity > 0 in them: O1 3 + O2 2 + O4 5 + O6 1 = 11.
    const rows = await lake.run('inventory', { demandDays: 28, demand: 'trailing' });
    const a = rows.find((r) => r.warehouse_id === 'WH-A') as Record<string, number>;
    assert.ok(Math.abs((a.daily_demand as number) - 11 / 17) < 1e-4);
  });
});

describe('demand estimate and stockout risk', () => {
  it('mean and sample sd of daily units, zero days included', () => {
    assert.deepEqual(trailingMeanEstimator([2, 0, 4]), { mean: 2, sd: 2 });
    assert.deepEqual(trailingMeanEstimator([3]), { mean: 3, sd: 0 });
    assert.deepEqual(leadTimeDemand({ mean: 2, sd: 3 }, 4), { mean: 8, sd: 6 });
  });

  it('risk is the normal tail beyond the stock on hand', () => {
    assert.equal(stockoutRisk(10, 10, 2), 0.5);
    // 1 − Φ(2) = 0.02275
    assert.ok(Math.abs(stockoutRisk(14, 10, 2) - 0.02275) < 1e-5);
    assert.equal(stockoutRisk(5, 6, 0), 1);
    assert.equal(stockoutRisk(6, 6, 0), 0);
  });
});
