import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestFixture } from '../../analyses/fixture.test-helper.js';
import { UserError } from '../../errors/index.js';
import { liveFiles } from '../../lake/index.js';
import { csv, ORDERS_HEADER, tempDir } from '../../testing/index.js';
import { collectRows } from '../types.js';
import { SparkEngine } from './spark-engine.js';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

const spark = sparkRemoteForTests();
const order = (id: string, qty: number, price: string, total: string, at: string) => [
  id,
  'C1',
  'P1',
  'Widget',
  qty,
  price,
  total,
  at,
  'COMPLETED',
  'US-EAST',
];

describe('SparkEngine over a hand-built lake', { skip: 'skip' in spark ? spark.skip : false }, () => {
  let engine: SparkEngine;
  let dir: string;
  let cleanup: () => void;

  before(async () => {
    if (!('remote' in spark)) return;
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    await ingestFixture(dir, [
      ['orders', csv(ORDERS_HEADER, [order('O1', 2, '10.05', '20.10', '2026-11-01 23:30:00')])],
    ]);
    engine = await SparkEngine.open(dir, { remote: spark.remote, sandboxed: true });
  });
  after(async () => {
    await engine?.close();
    cleanup?.();
  });

  it('types each column as the table declares it', async () => {
    const [row] = await engine.query(
      'SELECT typeof(order_id) AS id, typeof(quantity) AS q, typeof(total_amount) AS t, typeof(order_date) AS d, total_amount, order_date FROM orders',
    );
    assert.deepEqual(row, {
      id: 'string',
      q: 'int',
      t: 'decimal(18,4)',
      d: 'timestamp',
      total_amount: 20.1,
      order_date: '2026-11-01 23:30:00',
    });
  });

  it('reads only the files the manifest lists, and sees a new batch once it is committed', async () => {
    const [file] = liveFiles(join(dir, 'lake', 'orders'));
    assert.ok(file);
    // A stray copy (as a crashed writer could leave) sits beside the live file but is not listed.
    copyFileSync(file, file.replace(/\.parquet$/, '-stray.parquet'));
    assert.deepEqual(await engine.query('SELECT count(*) AS n FROM orders'), [{ n: 1 }]);
    await ingestFixture(dir, [
      ['orders', csv(ORDERS_HEADER, [order('O2', 3, '1.50', '4.50', '2026-11-02 08:00:00')])],
    ]);
    // 20.10 + 4.50, by hand.
    assert.deepEqual(await engine.query('SELECT count(*) AS n, sum(total_amount) AS s FROM orders'), [
      { n: 2, s: 24.6 },
    ]);
  });

  it('binds parameters as values, never as SQL text', async () => {
    const tricky = "x'; DROP VIEW orders; --";
    const [row] = await engine.query('SELECT :s AS s, :i AS i, :big AS big, :f AS f, :b AS b, :z AS z', {
      s: tricky,
      i: 7,
      big: 2 ** 40,
      f: 0.25,
      b: true,
      z: null,
    });
    assert.deepEqual(row, { s: tricky, i: 7, big: 2 ** 40, f: 0.25, b: true, z: null });
    assert.deepEqual(await engine.query('SELECT count(*) AS n FROM orders LIMIT :n', { n: 1 }), [{ n: 2 }]);
  });

  it('defines epoch_seconds and local_time as DuckDB does', async () => {
    const [row] = await engine.query(
      `SELECT epoch_seconds(TIMESTAMP '2026-11-01 23:30:00') AS e,
         epoch_seconds(TIMESTAMP '1970-01-01 00:00:02.5') AS half_even,
         epoch_seconds(TIMESTAMP '1970-01-01 00:00:03.5') AS half_up,
         local_time(TIMESTAMP '2026-07-01 12:00:00', 'Europe/Paris') AS paris,
         local_time(TIMESTAMP '2026-01-15 03:00:00', 'America/New_York') AS ny,
         local_time(TIMESTAMP '2026-01-15 03:00:00', 'UTC') AS utc`,
    );
    assert.deepEqual(row, {
      e: Date.UTC(2026, 10, 1, 23, 30) / 1000,
      half_even: 2, // 2.5 s rounds to even, as DuckDB's CAST(DOUBLE AS BIGINT)
      half_up: 4,
      paris: '2026-07-01 14:00:00', // CEST = UTC+2
      ny: '2026-01-14 22:00:00', // EST = UTC−5
      utc: '2026-01-15 03:00:00',
    });
  });

  it('runs one user query, and refuses anything else as a user error', async () => {
    assert.deepEqual(
      await collectRows(await engine.querySelect('WITH t AS (SELECT 1 AS x) SELECT x FROM t;')),
      [{ x: 1 }],
    );
    for (const bad of [
      'DROP VIEW orders',
      'SELECT 1; SELECT 2',
      'SET spark.sql.ansi.enabled = false',
      'SELECT 1) AS a; DROP VIEW orders; SELECT * FROM (SELECT 1',
      'SELECT nope FROM orders',
      // Restricted mode (the test server's, required for user SQL): no Java calls, no programs.
      "SELECT reflect('java.lang.System', 'getProperty', 'user.name') AS u",
      "SELECT java_method('java.lang.System', 'exit', 0) AS u",
      "SELECT TRANSFORM(region) USING 'id' AS (out STRING) FROM orders",
    ]) {
      await assert.rejects(engine.querySelect(bad), UserError, bad);
    }
    assert.deepEqual(await engine.query('SELECT count(*) AS n FROM orders'), [{ n: 2 }]);
  });

  it('reads files only through the lake views, not by path in SQL', async () => {
    const [file] = liveFiles(join(dir, 'lake', 'orders'));
    await assert.rejects(
      engine.querySelect(`SELECT count(*) AS n FROM parquet.\`file://${file}\``),
      UserError,
    );
  });

  it('runs user-written SQL only on an engine opened for it', async () => {
    if (!('remote' in spark)) return;
    const trusted = await SparkEngine.open(dir, { remote: spark.remote });
    try {
      await assert.rejects(trusted.querySelect('SELECT 1 AS x'), /sandboxed/);
    } finally {
      await trusted.close();
    }
  });

  it('reports a server that is not there as a user error naming the address', async () => {
    await assert.rejects(
      SparkEngine.open(dir, { remote: 'sc://127.0.0.1:1' }),
      (err: unknown) => err instanceof UserError && err.message.includes('sc://127.0.0.1:1'),
    );
  });
});
