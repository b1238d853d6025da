import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

// The competitor price feed (generate --pricing, price-elasticity) goes through the one write path.
describe('ingest --table competitor_prices', () => {
  const t = tempDir();
  after(() => t.cleanup());

  it('loads valid rows, quarantines bad ones with their reason, and skips a repeated key', async () => {
    const file = writeText(
      join(t.dir, 'feed.csv'),
      [
        'product_id,competitor,price_date,price',
        'PHONE001,COMP-A,2026-11-20,879.00',
        'PHONE001,COMP-B,2026-11-20,905.50',
        // A price must be above 0.
        'PHONE001,COMP-C,2026-11-20,0',
        // Not a date.
        'CASE001,COMP-A,yesterday,19.99',
        // The same product, competitor and day again.
        'PHONE001,COMP-A,2026-11-20,879.00',
      ].join('\n'),
    );
    const report = await ingest({ dataDir: t.dir, table: TABLES.competitor_prices, input: file });
    assert.deepEqual([report.loaded, report.quarantined, report.duplicate], [2, 2, 1]);
    const reasons = readFileSync(report.quarantineFile ?? '', 'utf8');
    assert.match(reasons, /price/);
    assert.match(reasons, /price_date/);
    const engine = await DuckDbEngine.open(t.dir);
    try {
      const rows = await engine.query(
        'SELECT competitor, CAST(price AS DOUBLE) AS price FROM competitor_prices ORDER BY competitor',
      );
      assert.deepEqual(rows, [
        { competitor: 'COMP-A', price: 879 },
        { competitor: 'COMP-B', price: 905.5 },
      ]);
    } finally {
      await engine.close();
    }
  });
});
