import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bars, sparkline, terminalChart } from './terminal-chart.js';

test('bars scale to the widest value', () => {
  // 40 × 50/100 = 20 blocks; 40 × 25/100 = 10.
  assert.deepEqual(
    bars(
      [
        { name: 'EAST', value: 100 },
        { name: 'WEST', value: 50 },
        { name: 'LATAM', value: 25 },
      ],
      'number',
      40,
    ),
    [`EAST  ${'█'.repeat(40)} 100`, `WEST  ${'█'.repeat(20)} 50`, `LATAM ${'█'.repeat(10)} 25`],
  );
  assert.deepEqual(bars([{ name: 'a', value: 0 }], 'number', 10), ['a ▏ 0']);
});

test('a sparkline spans the lowest to the highest block', () => {
  // 7 of 14 is half way: round(3.5) = block 4 of 0–7.
  assert.equal(sparkline([0, 7, 14, 7]), '▁▅█▅');
  assert.equal(sparkline([5, 5]), '▁▁');
});

test('a funnel draws its first segment; a heat map has no terminal chart', () => {
  const measure = { name: 'sessions', type: 'integer', nullable: false, format: 'number' } as const;
  const rows = [
    { segment: 'mobile', action: 'VIEW', sessions: 10 },
    { segment: 'mobile', action: 'PURCHASE', sessions: 5 },
    { segment: 'desktop', action: 'VIEW', sessions: 99 },
  ];
  assert.deepEqual(
    terminalChart({ kind: 'funnel', label: 'action', measure, segment: 'segment' }, rows, 10),
    ['sessions per step (mobile)', `VIEW     ${'█'.repeat(10)} 10`, `PURCHASE ${'█'.repeat(5)} 5`],
  );
  assert.equal(terminalChart({ kind: 'heatmap', x: 'a', y: 'b', measure }, rows), null);
});
