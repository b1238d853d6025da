import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
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
    assert.throws(
      () => loadMapping(file),
      /columns\.order_id\.multiply: give at least two operands.*columns\.region: unknown key 'nonsense': use column, constant, .*format/,
    );
  });
});
