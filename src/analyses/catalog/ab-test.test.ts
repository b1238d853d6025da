import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../errors/index.js';
import { CLICKSTREAM_HEADER, CUSTOMERS_HEADER, csv } from '../../testing/index.js';
import { fixtureLake, ingestFixture } from '../fixture.test-helper.js';

const click = (time: string, session: string, action: string) => [
  `2026-11-01 ${time}`,
  session,
  'C1',
  action,
  action === 'VIEW' ? 'product' : 'checkout',
  '',
  'desktop',
  5,
];

/*
 * 'solo' ran its control alone: A = S1 (purchased), S2, S3; no session in B. 'both' has A = S4
 * (purchased), S5 and B = S6, S7 (neither purchased).
 */
describe('ab-test with a variant that never ran, and an experiment name that matches nothing', () => {
  const lake = fixtureLake(async (dir) => {
    await ingestFixture(dir, [
      [
        'customers',
        csv(CUSTOMERS_HEADER, [
          ['C1', 'Ann', 'Lee', 'ann@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
        ]),
      ],
      [
        'clickstream',
        csv(CLICKSTREAM_HEADER, [
          click('10:00:00', 'S1', 'VIEW'),
          click('10:01:00', 'S1', 'PURCHASE'),
          click('11:00:00', 'S2', 'VIEW'),
          click('12:00:00', 'S3', 'VIEW'),
          click('13:00:00', 'S4', 'VIEW'),
          click('13:01:00', 'S4', 'PURCHASE'),
          click('14:00:00', 'S5', 'VIEW'),
          click('15:00:00', 'S6', 'VIEW'),
          click('16:00:00', 'S7', 'VIEW'),
        ]),
      ],
      [
        'experiments',
        'session_id,experiment,variant\nS1,solo,A\nS2,solo,A\nS3,solo,A\nS4,both,A\nS5,both,A\nS6,both,B\nS7,both,B\n',
      ],
    ]);
  });

  it('leaves rate B, the lifts and the test empty when B has no session (was a -100 % lift, CI [0, 0])', async () => {
    const [solo] = await lake.run('ab-test', { experiment: 'solo' });
    assert.ok(solo);
    assert.deepEqual(
      [solo.sessions_a, solo.conversions_a, solo.sessions_b, solo.conversions_b, solo.rate_a],
      [3, 1, 0, 0, 0.333333],
    );
    for (const column of [
      'rate_b',
      'absolute_lift',
      'absolute_ci_low',
      'absolute_ci_high',
      'relative_lift',
      'relative_ci_low',
      'relative_ci_high',
      'z',
      'p_value',
    ])
      assert.equal(solo[column], null, column);
    assert.equal(solo.significant, false);
    // The sample-ratio check still speaks: all 3 sessions in A against a planned half, χ² = 3.
    assert.equal(solo.srm_chi_square, 3);
  });

  it('still compares two variants when one has no conversion (hand-computed)', async () => {
    const [both] = await lake.run('ab-test', { experiment: 'both' });
    assert.ok(both);
    // pA = 1/2, pB = 0: lift −0.5; Wald se = √(0.25/2) = 0.353553, ± 1.959964 × se = ± 0.692952.
    assert.equal(both.rate_b, 0);
    assert.equal(both.absolute_lift, -0.5);
    assert.equal(both.absolute_ci_low, -1.192952);
    assert.equal(both.absolute_ci_high, 0.192952);
    assert.equal(both.relative_ci_low, null);
    // Pooled p = 1/4: z = −0.5 / √(0.1875 × (1/2 + 1/2)) = −1.154701.
    assert.equal(both.z, -1.154701);
  });

  it('refuses an experiment name that matches no session, with what to do (was an empty answer)', async () => {
    await assert.rejects(
      () => lake.run('ab-test', { experiment: 'nope' }),
      (e: unknown) => e instanceof UserError && /experiment 'nope' has no session/.test(e.message),
    );
  });
});
