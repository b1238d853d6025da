import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLICKSTREAM_HEADER, csv } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';
import { buildBehaviourLake } from './parts/behaviour.test-helper.js';
import { epochSecondsSql } from './parts/sql.js';

// Every expected value below is worked out by hand from the sessions listed in behaviour.test-helper.ts.
describe('session analyses on the hand-checked fixture', () => {
  const { run, engine } = fixtureLake(buildBehaviourLake);
  const near = (actual: unknown, expected: number, tol = 1e-5) =>
    assert.ok(Math.abs(Number(actual) - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

  it('epoch_seconds gives seconds since 1970 (hand-computed)', async () => {
    // 2000-02-29 23:59:59: 1970 → 2000 is 30 years with 7 leap days (1972 … 1996) = 10,957 days, + 59 days
    // of January and February = day 11,016; 11,016 · 86,400 + 86,399 = 951,868,799.
    // 2024-12-31 12:34:56: 54 years with 13 leap days = 19,723 days, + 365 (2024 is leap) = 20,088;
    // 20,088 · 86,400 + 45,296 = 1,735,648,496.
    // 2100-03-01 00:00:01: 130 years with 32 leap days (1972 … 2096; 2000 is one) = 47,482 days, + 59
    // (2100 is not leap) = 47,541; 47,541 · 86,400 + 1 = 4,107,542,401.
    const rows = await engine().query(
      `SELECT ${epochSecondsSql('ts')} AS sec FROM (VALUES (1, TIMESTAMP '1970-01-01 00:00:00'),
        (2, TIMESTAMP '2000-02-29 23:59:59'), (3, TIMESTAMP '2024-12-31 12:34:56'),
        (4, TIMESTAMP '2100-03-01 00:00:01')) t(i, ts) ORDER BY i`,
    );
    assert.deepEqual(
      rows.map((r) => Number(r.sec)),
      [0, 951_868_799, 1_735_648_496, 4_107_542_401],
    );
  });

  it('sessions: derives C4’s two sessions and reports length, depth, bounce and purchase per day and device', async () => {
    // Lengths (first event to end of last): S1 4 min + 3 s = 243, C4~1 10 min + 5 s = 605,
    // C4~2 6 min + 2 s = 362, S2 5 min + 4 s = 304, S3 8, S4 10 min + 20 s = 620, S5 10 min + 5 s = 605.
    assert.deepEqual(await run('sessions'), [
      // desktop Nov 1: S1, C4~1, C4~2: mean (243 + 605 + 362) / 3 = 403.33; median 362; 2 of 3 purchased.
      {
        day: '2026-11-01',
        device: 'desktop',
        sessions: 3,
        avg_seconds: 403.3,
        median_seconds: 362,
        avg_page_views: 1,
        bounce_rate: 0,
        purchase_rate: 0.6667,
      },
      // mobile Nov 1: S2 (304, purchased) and S3 (8, one event = bounce).
      {
        day: '2026-11-01',
        device: 'mobile',
        sessions: 2,
        avg_seconds: 156,
        median_seconds: 156,
        avg_page_views: 1,
        bounce_rate: 0.5,
        purchase_rate: 0.5,
      },
      {
        day: '2026-11-01',
        device: 'tablet',
        sessions: 1,
        avg_seconds: 620,
        median_seconds: 620,
        avg_page_views: 1,
        bounce_rate: 0,
        purchase_rate: 0,
      },
      {
        day: '2026-11-02',
        device: 'mobile',
        sessions: 1,
        avg_seconds: 605,
        median_seconds: 605,
        avg_page_views: 1,
        bounce_rate: 0,
        purchase_rate: 1,
      },
    ]);
    // UTC: 6 sessions on Nov 1, S5 on Nov 2. New York (UTC−5 after Nov 1 06:00 UTC): S5 at 19:30 Nov 1.
    assert.deepEqual(
      (await run('sessions', { by: 'day' })).map((r) => [r.day, r.sessions]),
      [
        ['2026-11-01', 6],
        ['2026-11-02', 1],
      ],
    );
    assert.deepEqual(
      (await run('sessions', { by: 'day', tz: 'America/New_York' })).map((r) => [r.day, r.sessions]),
      [['2026-11-01', 7]],
    );
  });

  it('conversion-by-device: purchasing sessions / sessions with a Wilson interval', async () => {
    const rows = await run('conversion-by-device');
    assert.deepEqual(
      rows.map((r) => [r.device, r.sessions, r.purchasing_sessions, r.conversion_rate]),
      [
        ['desktop', 3, 2, 0.666667],
        ['mobile', 3, 2, 0.666667],
        ['tablet', 1, 0, 0],
      ],
    );
    // Wilson 2/3, z = 1.959964: centre 0.666667 + 3.841459/6 = 1.306910; spread
    // 1.959964·sqrt(0.222222/3 + 3.841459/36) = 0.833345; denominator 1 + 3.841459/3 = 2.280486.
    near(rows[0]?.ci_low, 0.20766);
    near(rows[0]?.ci_high, 0.938508);
    // 0/1: upper bound z²/(1 + z²) = 3.841459 / 4.841459 = 0.793455.
    near(rows[2]?.ci_low, 0);
    near(rows[2]?.ci_high, 0.793455);
  });

  it('funnel: ordered steps, conversions and median times', async () => {
    const rows = await run('funnel');
    // VIEW: all 7 sessions. ADD after VIEW: S1, S2, C4~1, S5 (S4 added before viewing).
    // CHECKOUT after ADD: S1, S5. PURCHASE after CHECKOUT: S1, S5.
    assert.deepEqual(
      rows.map((r) => [r.action, r.sessions, r.conversion_from_previous, r.conversion_from_first]),
      [
        ['VIEW', 7, null, 1],
        ['ADD_TO_CART', 4, 0.5714, 0.5714],
        ['CHECKOUT', 2, 0.5, 0.2857],
        ['PURCHASE', 2, 1, 0.2857],
      ],
    );
    // VIEW→ADD: 60, 120, 600, 60 s → median 90; ADD→CHECKOUT: 120, 120; CHECKOUT→PURCHASE: 60, 420 → 240.
    assert.deepEqual(
      rows.map((r) => r.median_seconds_from_previous),
      [null, 90, 120, 240],
    );
  });

  it('funnel: per-step and overall conversion windows', async () => {
    // 5 min between steps: C4~1 (600 s to ADD) and S5 (420 s to PURCHASE) drop out.
    assert.deepEqual(
      (await run('funnel', { stepWindowMinutes: '5' })).map((r) => [
        r.sessions,
        r.median_seconds_from_previous,
      ]),
      [
        [7, null],
        [3, 60],
        [2, 120],
        [1, 60],
      ],
    );
    // 3 min from the first step: CHECKOUT at exactly 180 s still counts; both purchases come later.
    assert.deepEqual(
      (await run('funnel', { windowMinutes: '3' })).map((r) => r.sessions),
      [7, 3, 2, 0],
    );
    // Custom steps: VIEW → PURCHASE reached by S1, S2, C4~2, S5.
    assert.deepEqual(
      (await run('funnel', { steps: 'view,purchase' })).map((r) => [r.action, r.sessions]),
      [
        ['VIEW', 7],
        ['PURCHASE', 4],
      ],
    );
  });

  it('funnel: split by device, region and product', async () => {
    const byDevice = await run('funnel', { by: 'device' });
    assert.deepEqual(
      byDevice.map((r) => [r.segment, r.sessions]),
      [
        ['desktop', 3],
        ['desktop', 2],
        ['desktop', 1],
        ['desktop', 1],
        ['mobile', 3],
        ['mobile', 2],
        ['mobile', 1],
        ['mobile', 1],
        ['tablet', 1],
        ['tablet', 0],
        ['tablet', 0],
        ['tablet', 0],
      ],
    );
    // Regions from customers: C1 US-EAST (S1, S5), C2 EU-WEST, C3 US-EAST, C4 LATAM (2 sessions), GUEST.
    assert.deepEqual(
      (await run('funnel', { by: 'region' })).filter((r) => r.step === 1).map((r) => [r.segment, r.sessions]),
      [
        ['US-EAST', 3],
        ['LATAM', 2],
        ['EU-WEST', 1],
        ['GUEST', 1],
      ],
    );
    // Product split follows (session, product): CASE001 in C4~1 and C4~2, only C4~1 adds it to the cart.
    assert.deepEqual(
      (await run('funnel', { by: 'product' }))
        .filter((r) => Number(r.step) <= 2)
        .map((r) => [r.segment, r.sessions]),
      [
        ['CASE001', 2],
        ['CASE001', 1],
        ['LAPTOP001', 2],
        ['LAPTOP001', 2],
        ['CABLE001', 1],
        ['CABLE001', 0],
        ['PHONE001', 1],
        ['PHONE001', 1],
      ],
    );
  });

  it('ab-test: lift, interval, p-value, SRM and sample size', async () => {
    const [r] = await run('ab-test');
    assert.ok(r);
    // A: S1 (purchased), S3 → 1/2. B: S2 (purchased), S4, S5 (purchased) → 2/3.
    assert.deepEqual(
      [r.experiment, r.sessions_a, r.conversions_a, r.sessions_b, r.conversions_b],
      ['exp1', 2, 1, 3, 2],
    );
    near(r.absolute_lift, 1 / 6);
    near(r.relative_lift, 1 / 3);
    // Unpooled SE sqrt(0.25/2 + 0.222222/3) = 0.446177; ±1.959964·SE = ±0.874491.
    near(r.absolute_ci_low, 0.166667 - 0.874491);
    near(r.absolute_ci_high, 0.166667 + 0.874491);
    // Relative interval by the log ratio: ln(4/3) = 0.287682 ± 1.959964 · √(1/2 − 1/3 + 1/1 − 1/2)
    // = ± 1.959964 · 0.816497 = ± 1.600304 → exp(−1.312622) − 1 = −0.730886, exp(1.887986) − 1 = 5.606050.
    near(r.relative_ci_low, -0.730886);
    near(r.relative_ci_high, 5.60605);
    // Pooled p = 3/5, SE = sqrt(0.24·(1/2 + 1/3)) = 0.447214; z = 0.372678; p = 2(1 − Φ(z)) = 0.709388.
    near(r.z, 0.372678);
    near(r.p_value, 0.709388);
    assert.equal(r.significant, false);
    // SRM: expected 2.5 each, χ² = (0.5² + 0.5²)/2.5 = 0.2, p = P(χ²₁ ≥ 0.2) = 0.654721.
    near(r.srm_chi_square, 0.2);
    near(r.srm_p_value, 0.654721);
    assert.equal(r.srm_detected, false);
    // 0.5 → 0.55: 7.848879 · (0.25 + 0.2475) / 0.05² = 1561.9 → 1562 per variant; not reached.
    assert.equal(r.min_sample_per_variant, 1562);
    assert.equal(r.sample_size_reached, false);
  });
});

/**
 * Session T1 starts with two events in the same second on two devices; `mobileFirst` decides which of
 * them comes first in the input file. Then a purchase on desktop a minute later.
 */
function tiedDevicesLake(mobileFirst: boolean) {
  return async (dir: string) => {
    const tied = [
      ['2026-11-01 10:00:00', 'T1', 'C1', 'VIEW', 'product', 'LAPTOP001', 'mobile', 5],
      ['2026-11-01 10:00:00', 'T1', 'C1', 'ADD_TO_CART', 'product', 'LAPTOP001', 'desktop', 5],
    ];
    const clicks = csv(CLICKSTREAM_HEADER, [
      ...(mobileFirst ? tied : tied.reverse()),
      ['2026-11-01 10:01:00', 'T1', 'C1', 'PURCHASE', 'checkout', 'LAPTOP001', 'desktop', 5],
    ]);
    await ingestFixture(dir, [['clickstream', clicks]]);
  };
}

describe('a session whose first two events share a second', () => {
  const lakes = [fixtureLake(tiedDevicesLake(true)), fixtureLake(tiedDevicesLake(false))];

  it('goes under the alphabetically first device, whatever the input order', async () => {
    // Both first events are at 10:00:00; desktop < mobile, so the session is a desktop session.
    for (const lake of lakes) {
      assert.deepEqual(
        (await lake.run('sessions', { by: 'device' })).map((r) => [r.device, r.sessions]),
        [['desktop', 1]],
      );
      assert.deepEqual(
        (await lake.run('conversion-by-device')).map((r) => [r.device, r.sessions, r.purchasing_sessions]),
        [['desktop', 1, 1]],
      );
      assert.deepEqual(
        (await lake.run('funnel', { by: 'device', steps: 'VIEW,PURCHASE' })).map((r) => [
          r.segment,
          r.sessions,
        ]),
        [
          ['desktop', 1],
          ['desktop', 1],
        ],
      );
    }
  });
});

/**
 * Purchases without a session_id (an export that has none): C1 buys at 10:00 and at 10:20 (one session,
 * 20 minutes apart), then at 11:00 (40 minutes after the last event: a second session), all on mobile;
 * C2 buys once on desktop in session S9, and once more without a session id.
 */
function sessionlessPurchasesLake() {
  return async (dir: string) => {
    const clicks = csv(CLICKSTREAM_HEADER, [
      ['2026-11-01 10:00:00', '', 'C1', 'PURCHASE', 'checkout', 'LAPTOP001', 'mobile', 5],
      ['2026-11-01 10:20:00', '', 'C1', 'PURCHASE', 'checkout', 'CABLE001', 'mobile', 5],
      ['2026-11-01 11:00:00', '', 'C1', 'PURCHASE', 'checkout', 'CABLE001', 'mobile', 5],
      ['2026-11-01 10:00:00', 'S9', 'C2', 'PURCHASE', 'checkout', 'CABLE001', 'desktop', 5],
      ['2026-11-01 12:00:00', '', 'C2', 'PURCHASE', 'checkout', 'CABLE001', 'desktop', 5],
    ]);
    await ingestFixture(dir, [['clickstream', clicks]]);
  };
}

describe('purchases-by-device on events without a session_id', () => {
  const lake = fixtureLake(sessionlessPurchasesLake());

  it('counts their sessions as the other session analyses do (it counted none)', async () => {
    // mobile: 3 purchases in C1's two derived sessions; desktop: S9 and C2's derived session.
    assert.deepEqual(await lake.run('purchases-by-device'), [
      { device: 'mobile', purchases: 3, sessions: 2 },
      { device: 'desktop', purchases: 2, sessions: 2 },
    ]);
    const conversion = await lake.run('conversion-by-device');
    assert.deepEqual(conversion.map((r) => [r.device, r.purchasing_sessions]).sort(), [
      ['desktop', 2],
      ['mobile', 2],
    ]);
  });
});
