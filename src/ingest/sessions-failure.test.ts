import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dataLayout, liveFiles, TABLES, tableBatches, tableDirectory } from '../lake/index.js';
import { CLICKSTREAM_HEADER, csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

// Regression: when the sessions refresh failed after clickstream's commit, ingest's clean-up deleted the
// files it had just committed, so the manifest listed files that no longer existed (found while building
// encryption at rest, where a DuckDB crash made the refresh fail).
test('a sessions refresh that fails after the commit leaves the committed clickstream files in place', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const orders = writeText(
      join(dir, 'in', 'orders.csv'),
      csv(ORDERS_HEADER, [
        ['O1', 'C1', 'P1', 'Pen', 1, '2.50', '2.50', '2026-11-01 10:00:00', 'COMPLETED', 'US-EAST'],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.orders, input: orders });
    // The refresh reads orders (for session revenue): a damaged orders file makes it fail.
    for (const f of liveFiles(tableDirectory(dataLayout(dir), 'orders'))) writeFileSync(f, 'not parquet');
    const clicks = writeText(
      join(dir, 'in', 'clicks.csv'),
      csv(CLICKSTREAM_HEADER, [
        ['2026-11-01 10:00:00', 'S1', 'C1', 'PURCHASE', 'checkout', 'P1', 'mobile', 4],
      ]),
    );
    await assert.rejects(
      ingest({ dataDir: dir, table: TABLES.clickstream, input: clicks }),
      /clickstream committed, but the sessions table could not be updated/,
    );
    const listed = liveFiles(tableDirectory(dataLayout(dir), 'clickstream'));
    assert.equal(listed.length, 1);
    for (const f of listed) assert.ok(existsSync(f), `${f} is listed in the manifest but was deleted`);
  } finally {
    cleanup();
  }
});

// Regression: a batch whose sessions refresh failed was committed with its quarantine and duplicates
// files named in the batch log, but the clean-up deleted the quarantine file and the duplicates file
// was never written (both happened after the refresh).
test('a sessions refresh that fails after the commit keeps the quarantine and duplicates files the batch names', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const event = (when: string, session: string) => [when, session, 'C1', 'VIEW', 'home', '', 'mobile', 4];
    const orders = writeText(
      join(dir, 'in', 'orders.csv'),
      csv(ORDERS_HEADER, [
        ['O1', 'C1', 'P1', 'Pen', 1, '2.50', '2.50', '2026-11-01 10:00:00', 'COMPLETED', 'US-EAST'],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.orders, input: orders });
    const first = writeText(
      join(dir, 'in', 'first.csv'),
      csv(CLICKSTREAM_HEADER, [event('2026-11-01 10:00:00', 'S1')]),
    );
    await ingest({ dataDir: dir, table: TABLES.clickstream, input: first });
    for (const f of liveFiles(tableDirectory(dataLayout(dir), 'orders'))) writeFileSync(f, 'not parquet');
    // The event already loaded (a duplicate), a new one, and one with a negative duration (quarantined).
    const second = writeText(
      join(dir, 'in', 'second.csv'),
      csv(CLICKSTREAM_HEADER, [
        event('2026-11-01 10:00:00', 'S1'),
        event('2026-11-01 10:05:00', 'S2'),
        ['2026-11-01 10:06:00', 'S2', 'C1', 'VIEW', 'home', '', 'mobile', -1],
      ]),
    );
    await assert.rejects(
      ingest({ dataDir: dir, table: TABLES.clickstream, input: second }),
      /clickstream committed, but the sessions table could not be updated/,
    );
    const batch = tableBatches(dataLayout(dir), 'clickstream').at(-1);
    assert.deepEqual([batch?.loaded, batch?.duplicate, batch?.quarantined], [1, 1, 1]);
    assert.ok(batch?.quarantineFile && existsSync(batch.quarantineFile), 'quarantine file missing');
    assert.ok(batch?.duplicatesFile && existsSync(batch.duplicatesFile), 'duplicates file missing');
  } finally {
    cleanup();
  }
});
