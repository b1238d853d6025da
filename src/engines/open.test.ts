import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readsLocalLake } from './open.js';

// The dashboard counts live on a local DuckDB only where the lake's files are on this machine.
test('readsLocalLake: DuckDB and Spark on the local lake read local files; Spark on HDFS or S3 does not', () => {
  const dataDir = '/srv/shop';
  const lake = join(dataDir, 'lake');
  const remote = 'sc://127.0.0.1:15002';
  assert.equal(readsLocalLake({ dataDir }), true);
  assert.equal(readsLocalLake({ dataDir, kind: 'duckdb' }), true);
  assert.equal(readsLocalLake({ dataDir, kind: 'spark', spark: { remote } }), true);
  assert.equal(
    readsLocalLake({ dataDir, kind: 'spark', spark: { remote, lakeUri: `file://${lake}/` } }),
    true,
  );
  assert.equal(
    readsLocalLake({ dataDir, kind: 'spark', spark: { remote, lakeUri: 'hdfs://127.0.0.1:9000/shop/lake' } }),
    false,
  );
  assert.equal(
    readsLocalLake({ dataDir, kind: 'spark', spark: { remote, lakeUri: 's3a://bucket/lake' } }),
    false,
  );
  assert.equal(
    readsLocalLake({ dataDir, kind: 'spark', spark: { remote, lakeUri: 'file:///elsewhere/lake' } }),
    false,
  );
});
