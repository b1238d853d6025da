import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../testing/index.js';
import { appendAudit, LOCAL_OWNER, readAudit, verifyAudit } from './index.js';

describe('audit log', () => {
  it('chains each entry to the one before (hashes recomputed by hand), 0600, filters by action and actor', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const at = new Date('2026-11-25T10:00:00Z');
      await appendAudit(dir, LOCAL_OWNER, 'sql', { sql: 'SELECT 1' }, at);
      await appendAudit(
        dir,
        { name: 'bob', role: 'analyst', keyId: 'abcdefabcdef' },
        'query',
        { analysis: 'rfm' },
        new Date('2026-11-25T11:00:00Z'),
      );
      await Promise.all([1, 2, 3].map((i) => appendAudit(dir, LOCAL_OWNER, 'export', { n: i })));
      assert.equal(statSync(join(dir, 'audit.log')).mode & 0o777, 0o600);
      const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 5);
      // The first entry's hash, recomputed from its fields as written by hand.
      const body = `{"seq":1,"at":"2026-11-25T10:00:00.000Z","actor":{"name":"local","role":"admin","keyId":null},"action":"sql","detail":{"sql":"SELECT 1"},"prev":"${'0'.repeat(64)}"}`;
      const first = JSON.parse(lines[0] ?? '');
      assert.equal(first.hash, createHash('sha256').update(body).digest('hex'));
      assert.equal(JSON.parse(lines[1] ?? '').prev, first.hash);
      // Concurrent appends stay one chain: sequence 1..5.
      assert.deepEqual(
        readAudit(dir).map((e) => e.seq),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(
        readAudit(dir, { actor: 'bob' }).map((e) => e.action),
        ['query'],
      );
      assert.equal(readAudit(dir, { action: 'export' }).length, 3);
      assert.equal(readAudit(dir, { until: new Date('2026-11-25T10:30:00Z') }).length, 1);
      assert.deepEqual(verifyAudit(dir), { ok: true, entries: 5, problems: [] });
    } finally {
      cleanup();
    }
  });

  it('refuses to create a data directory that does not exist', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await assert.rejects(appendAudit(join(dir, 'missing'), LOCAL_OWNER, 'sql', {}), /does not exist/);
    } finally {
      cleanup();
    }
  });
});
