import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { analysisColumns, cellText } from './columns.js';

describe('column formats for table output', () => {
  it('takes money and percent from .meta({ format }) first, then from the naming convention', () => {
    const row = z.object({
      region: z.string(),
      revenue: z.number(),
      share: z.number(),
      conversions_a: z.number(),
      p_value: z.number(),
      spend: z.number().meta({ format: 'money' }),
      uplift: z.number().nullable().meta({ format: 'percent' }),
      churn: z.number().meta({ format: 'percent' }).nullable(),
    });
    assert.deepEqual(
      analysisColumns(row).map((c) => [c.name, c.kind]),
      [
        ['region', 'number'],
        ['revenue', 'money'],
        ['share', 'percent'],
        ['conversions_a', 'number'],
        ['p_value', 'number'],
        ['spend', 'money'],
        ['uplift', 'percent'],
        ['churn', 'percent'],
      ],
    );
  });

  it('writes money with two decimals and fractions as percentages', () => {
    assert.equal(cellText(4556672.3, { name: 'revenue', kind: 'money' }), '4,556,672.30');
    assert.equal(cellText(0.1234, { name: 'share', kind: 'percent' }), '12.3 %');
    assert.equal(cellText(null, { name: 'share', kind: 'percent' }), '');
    assert.equal(cellText(7, { name: 'n', kind: 'fixed', decimals: 2 }), '7.00');
    // DECIMAL(18,4) money: two decimals at least, a sub-cent price in full, never rounded away.
    assert.equal(cellText(1359.95, { name: 'n', kind: 'fixed', decimals: 4 }), '1,359.95');
    assert.equal(cellText(0.001, { name: 'n', kind: 'fixed', decimals: 4 }), '0.001');
  });
});
