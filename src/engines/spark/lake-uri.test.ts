import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../errors/index.js';
import { lakeLocator } from './lake-uri.js';

describe('lakeLocator', () => {
  const file = '/data/lake/orders/part=2026-11-01/b1.parquet';
  it('defaults to the local lake as file://', () => {
    assert.equal(
      lakeLocator('/data/lake').uriOf(file),
      'file:///data/lake/orders/part=2026-11-01/b1.parquet',
    );
  });
  it('swaps the lake prefix for HDFS or S3', () => {
    assert.equal(
      lakeLocator('/data/lake', 'hdfs://nn:8020/shop/lake/').uriOf(file),
      'hdfs://nn:8020/shop/lake/orders/part=2026-11-01/b1.parquet',
    );
    assert.equal(
      lakeLocator('/data/lake/', 's3a://bucket/lake').uriOf(file),
      's3a://bucket/lake/orders/part=2026-11-01/b1.parquet',
    );
  });
  it('tells whether Spark reads the local files themselves', () => {
    assert.equal(lakeLocator('/data/lake/').local, true);
    assert.equal(lakeLocator('/data/lake', 'file:///data/lake/').local, true);
    assert.equal(lakeLocator('/data/lake', 'file:///mnt/shared/lake').local, false);
    assert.equal(lakeLocator('/data/lake', 'hdfs://nn:8020/data/lake').local, false);
  });
  it('rejects a URI without a scheme, and files outside the lake', () => {
    assert.throws(() => lakeLocator('/data/lake', '/mnt/lake'), UserError);
    assert.throws(() => lakeLocator('/data/lake').uriOf('/data/lakehouse/x.parquet'));
  });
});
