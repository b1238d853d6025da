import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectRows, type Engine, openEngine } from '../engines/index.js';
import { sparkRemoteForTests } from '../engines/spark/spark-remote.test-helper.js';
import { dataLayout, liveFiles, tableDirectory } from '../lake/index.js';
import { tempDir } from '../testing/index.js';
import { buildSecurityLake, ERASED } from './fixture.test-helper.js';
import { MASK_SECRET_FILE } from './index.js';

const spark = sparkRemoteForTests();
const hmac = (secret: Buffer, value: string) =>
  createHmac('sha256', secret).update(value, 'utf8').digest('hex').slice(0, 24);

describe('masking on Spark', { skip: 'skip' in spark ? spark.skip : false }, () => {
  let dir: string;
  let cleanup: () => void;
  let analyst: Engine;
  let admin: Engine;
  before(async () => {
    if (!('remote' in spark)) return;
    ({ dir, cleanup } = tempDir());
    await buildSecurityLake(dir);
    analyst = await openEngine({
      dataDir: dir,
      kind: 'spark',
      spark: { remote: spark.remote },
      sandboxed: true,
      role: 'analyst',
    });
    admin = await openEngine({ dataDir: dir, kind: 'spark', spark: { remote: spark.remote } });
  });
  after(async () => {
    await analyst?.close();
    await admin?.close();
    cleanup?.();
  });

  it('an analyst reads the same HMAC as DuckDB and node:crypto; admin reads the raw values', async () => {
    const sql = 'SELECT customer_id, first_name, email, city FROM customers ORDER BY customer_id';
    const raw = await admin.query(sql);
    assert.equal(raw[1]?.email, ERASED.email);
    const secret = Buffer.from(readFileSync(join(dir, MASK_SECRET_FILE), 'utf8').trim(), 'hex');
    const masked = await collectRows(await analyst.querySelect(sql));
    assert.deepEqual(
      masked,
      raw.map((r) => ({
        customer_id: r.customer_id,
        first_name: hmac(secret, String(r.first_name)),
        email: hmac(secret, String(r.email)),
        city: hmac(secret, String(r.city)),
      })),
    );
  });

  it('an analyst cannot read the customers files by path', async () => {
    const file = liveFiles(tableDirectory(dataLayout(dir), 'customers'))[0] ?? '';
    await assert.rejects(analyst.querySelect(`SELECT * FROM parquet.\`file://${file}\``));
  });
});
