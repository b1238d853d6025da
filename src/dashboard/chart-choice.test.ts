import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ColumnInfo, chooseChart } from './chart-choice.js';

const col = (
  name: string,
  type: ColumnInfo['type'],
  format: ColumnInfo['format'] = 'number',
): ColumnInfo => ({
  name,
  type,
  nullable: false,
  format,
});

test('a chart is chosen from the row schema alone', () => {
  const kinds = [
    [
      [col('region', 'string'), col('revenue', 'number', 'money'), col('order_lines', 'integer')],
      'bar',
      'revenue',
    ],
    [[col('day', 'string'), col('orders', 'integer'), col('revenue', 'number', 'money')], 'line', 'revenue'],
    [
      [col('segment', 'string'), col('step', 'integer'), col('action', 'string'), col('sessions', 'integer')],
      'funnel',
      'sessions',
    ],
    [
      [
        col('cohort', 'string'),
        col('repeat_rate', 'number', 'percent'),
        col('period_index', 'integer'),
        col('customers', 'integer'),
        col('retention', 'number', 'percent'),
      ],
      'heatmap',
      'retention',
    ],
    [
      [
        col('experiment', 'string'),
        col('sessions_a', 'integer'),
        col('rate_a', 'number', 'percent'),
        col('rate_b', 'number', 'percent'),
      ],
      'compare',
      null,
    ],
    [
      [col('customer_id', 'string'), col('tier', 'string'), col('monetary', 'number', 'money')],
      'histogram',
      'monetary',
    ],
    [
      [col('device', 'string'), col('sessions', 'integer'), col('conversion_rate', 'number', 'percent')],
      'bar',
      'conversion_rate',
    ],
    [[col('name', 'string'), col('note', 'string')], 'none', null],
  ] as const;
  for (const [columns, kind, measure] of kinds) {
    const spec = chooseChart([...columns]);
    assert.equal(spec.kind, kind, columns.map((c) => c.name).join(','));
    if (measure && 'measure' in spec) assert.equal(spec.measure.name, measure);
  }
});

test('a text column whose values are dates makes a time series; a second label splits the series', () => {
  const columns = [col('week_start', 'string'), col('device', 'string'), col('sessions', 'integer')];
  assert.deepEqual(chooseChart(columns, [{ week_start: '2026-11-02', device: 'mobile', sessions: 3 }]), {
    kind: 'line',
    x: 'week_start',
    measure: columns[2],
    series: 'device',
  });
  assert.equal(chooseChart(columns, [{ week_start: 'first', device: 'mobile', sessions: 3 }]).kind, 'bar');
});
