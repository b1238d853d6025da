import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dataLayout } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { tableStatus } from './table-status.js';

// A hand-written lake: products' manifest lists one file that exists here, orders' one that does not
// (as on a machine that keeps only the manifests of a lake Spark reads from HDFS).
const t = tempDir();
const layout = dataLayout(t.dir);
const manifest = (file: string) => JSON.stringify({ version: 2, files: [file], retired: [], log: 0 });
writeText(join(layout.lake, 'products', '_manifest.json'), manifest('b1.parquet'));
writeText(join(layout.lake, 'products', 'b1.parquet'), 'not read by tableStatus');
writeText(join(layout.lake, 'orders', '_manifest.json'), manifest('part=2025/b2.parquet'));

describe('tableStatus', () => {
  after(() => t.cleanup());

  it('finds a table damaged when a file its manifest lists is missing here (the default)', () => {
    const status = tableStatus(layout, 'orders');
    assert.equal(status.state, 'damaged');
    assert.match(
      status.problem ?? '',
      /1 file\(s\) its manifest lists are missing, e.g\. orders\/part=2025\/b2\.parquet/,
    );
    assert.equal(tableStatus(layout, 'products').state, 'loaded');
  });

  it('trusts the manifest when the engine reads the files elsewhere (filesHere: false)', () => {
    const status = tableStatus(layout, 'orders', { filesHere: false });
    assert.equal(status.state, 'loaded');
    assert.deepEqual(status.files, [join(layout.lake, 'orders', 'part=2025', 'b2.parquet')]);
  });

  it('still tells a table without a manifest as not loaded, and an unreadable manifest as damaged', () => {
    assert.equal(tableStatus(layout, 'customers', { filesHere: false }).state, 'not loaded');
    writeText(join(layout.lake, 'clickstream', '_manifest.json'), '{"version": 2');
    assert.equal(tableStatus(layout, 'clickstream', { filesHere: false }).state, 'damaged');
  });
});
