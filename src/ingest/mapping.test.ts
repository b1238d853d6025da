import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbEngine } from '../engines/index.js';
import { TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { ingest, loadMapping } from './index.js';

const EXAMPLES = fileURLToPath(new URL('../../../docs/examples/', import.meta.url));

// The worked examples of docs/MAPPING.md, so that the figures printed there stay true.
describe('mapping real exports (docs/examples)', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('loads the Online Retail invoice lines: returns kept, repeated lines kept, bad lines counted', async () => {
    const report = await ingest({
      dataDir: dir,
      table: TABLES.orders,
      input: join(EXAMPLES, 'online-retail', 'sample.csv'),
      mapping: loadMapping(join(EXAMPLES, 'online-retail', 'mapping.yaml')),
    });
    // The export repeats one invoice line word for word: without a line id both copies are lines.
    assert.deepEqual([report.read, report.loaded, report.duplicate, report.quarantined], [12, 11, 0, 1]);
    const engine = await DuckDbEngine.open(dir);
    try {
      // By hand, UK + France + Iceland lines: 15.30 + 20.34 + 11.10 + 54.08 + 90.00 + 54.00 − 6.96 + 2.51
      // + 15.30 (the repeated line) + 15.00 = 270.67; Australia: 6 × 8.50 = 51.00.
      const rows = await engine.query(
        'SELECT region, CAST(sum(total_amount) AS DOUBLE) AS revenue FROM orders GROUP BY 1 ORDER BY 2 DESC',
      );
      assert.deepEqual(rows, [
        { region: 'EU-WEST', revenue: 270.67 },
        { region: 'ASIA-PACIFIC', revenue: 51 },
      ]);
      const [guest] = await engine.query("SELECT count(*) AS n FROM orders WHERE customer_id = 'GUEST'");
      assert.equal(guest?.n, 1, 'the line without CustomerID is a guest order');
      const [ret] = await engine.query("SELECT quantity, order_date FROM orders WHERE order_id = 'C536391'");
      assert.deepEqual(ret, { quantity: -24, order_date: '2010-12-01 10:24:00' });
    } finally {
      await engine.close();
    }
  });

  it('maps REES46 events and quarantines an untranslated event type with the value in the reason', async () => {
    const report = await ingest({
      dataDir: dir,
      table: TABLES.clickstream,
      input: join(EXAMPLES, 'rees46', 'sample.csv'),
      mapping: loadMapping(join(EXAMPLES, 'rees46', 'mapping.yaml')),
    });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [10, 9, 1]);
  });

  it('reports every problem of a bad mapping file with its path', () => {
    const file = writeText(
      join(dir, 'bad.yaml'),
      'columns:\n  order_id: { multiply: [a] }\n  region: { nonsense: 1 }\n',
    );
    assert.throws(() => loadMapping(file), /columns\.order_id: .*columns\.region: Unrecognized key/);
  });
});
