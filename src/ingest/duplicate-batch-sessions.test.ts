import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataLayout, sessionsInStep, TABLES } from '../lake/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { ingest } from './index.js';

const HEADER = 'event_id,timestamp,session_id,customer_id,action,page,product_id,device,duration_seconds';

// `n` VIEW events of sessions S<first> …, one a minute from 2026-11-01 10:00.
function events(tag: string, first: number, n: number): string {
  const lines = Array.from({ length: n }, (_, i) => {
    const t = new Date(Date.UTC(2026, 10, 1, 10, first + i)).toISOString().replace('T', ' ').slice(0, 19);
    return `${tag}${i},${t},S${first + i},C${i % 3},VIEW,product,,mobile,5`;
  });
  return `${HEADER}\n${lines.join('\n')}\n`;
}

describe('a clickstream batch of duplicates only keeps the sessions table in step', () => {
  let dir: string;
  let cleanup: () => void;

  before(() => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
  });
  after(() => cleanup());

  it('the batch after it refreshes its own sessions, not every one', async () => {
    const first = writeText(join(dir, 'in', 'a.csv'), events('a', 0, 20));
    const loaded = await ingest({ dataDir: dir, table: TABLES.clickstream, input: first });
    assert.equal(loaded.loaded, 20);
    // The same events again (a retried collector batch): nothing loaded, but clickstream's log grows.
    const again = writeText(join(dir, 'in', 'a-again.csv'), events('a', 0, 20));
    const replay = await ingest({ dataDir: dir, table: TABLES.clickstream, input: again });
    assert.deepEqual([replay.loaded, replay.duplicate], [0, 20]);
    assert.equal(sessionsInStep(dataLayout(dir)), true, 'the sessions table records the replay');
    // Three new sessions: recomputed alone (before, the whole table: 23 sessions, mode 'all').
    const next = writeText(join(dir, 'in', 'b.csv'), events('b', 100, 3));
    const report = await ingest({ dataDir: dir, table: TABLES.clickstream, input: next });
    assert.equal(report.sessions?.mode, 'touched');
    assert.equal(report.sessions?.written, 3);
  });
});
