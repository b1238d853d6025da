import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../testing/index.js';
import { createAuthenticator, createKey, listKeys, readKeys, revokeKey, verifyKey } from './index.js';
import { FailureThrottle } from './throttle.js';

describe('keys file', () => {
  it('stores a salted scrypt hash in a 0600 file; the key verifies, a changed key does not', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { key, info } = createKey(dir, { name: 'ci', role: 'analyst' });
      assert.match(key, /^slk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      assert.equal(statSync(join(dir, 'keys.json')).mode & 0o777, 0o600);
      const [entry] = readKeys(dir);
      // Recomputed independently with node:crypto's scrypt and the stored salt.
      const secret = key.slice(17);
      const expected = scryptSync(secret, Buffer.from(entry?.salt ?? '', 'base64'), 32, {
        N: 16384,
        r: 8,
        p: 1,
      });
      assert.equal(entry?.hash, expected.toString('base64'));
      assert.ok(!readFileSync(join(dir, 'keys.json'), 'utf8').includes(secret));
      const ok = await verifyKey(readKeys(dir), key);
      assert.deepEqual(ok, { ok: true, principal: { name: 'ci', role: 'analyst', keyId: info.id } });
      const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      assert.deepEqual(await verifyKey(readKeys(dir), flipped), { ok: false, reason: 'unknown' });
      assert.deepEqual(await verifyKey(readKeys(dir), 'slk_short'), { ok: false, reason: 'malformed' });
    } finally {
      cleanup();
    }
  });

  it('revoked and expired keys stop working; list shows states and no hashes', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const t0 = new Date('2026-11-01T00:00:00Z');
      const a = createKey(dir, { name: 'a', role: 'viewer' }, t0);
      const b = createKey(
        dir,
        { name: 'b', role: 'viewer', expiresAt: new Date('2026-11-02T00:00:00Z') },
        t0,
      );
      revokeKey(dir, 'a', t0);
      const later = new Date('2026-11-03T00:00:00Z');
      assert.deepEqual(await verifyKey(readKeys(dir), a.key, later), { ok: false, reason: 'revoked' });
      assert.deepEqual(await verifyKey(readKeys(dir), b.key, later), { ok: false, reason: 'expired' });
      assert.equal((await verifyKey(readKeys(dir), b.key, t0)).ok, true);
      const listed = listKeys(dir, later);
      assert.deepEqual(
        listed.map((k) => [k.name, k.state]),
        [
          ['a', 'revoked'],
          ['b', 'expired'],
        ],
      );
      assert.ok(listed.every((k) => !('hash' in k) && !('salt' in k)));
      assert.throws(() => createKey(dir, { name: 'c', role: 'viewer', expiresAt: t0 }, later), /future/);
      // A name can be reused once its key is revoked, not before.
      assert.throws(() => createKey(dir, { name: 'b', role: 'viewer' }), /exists/);
      assert.equal(createKey(dir, { name: 'a', role: 'admin' }).info.state, 'active');
    } finally {
      cleanup();
    }
  });
});

describe('authenticator', () => {
  it('a key revoked while a server runs is refused on the next check of the keys file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { key } = createKey(dir, { name: 'live', role: 'ingest' });
      const auth = createAuthenticator({ dataDir: dir, recheckMs: 0 });
      assert.equal((await auth.authenticate(`Bearer ${key}`, '10.0.0.1')).ok, true);
      assert.equal(
        (await auth.authenticate(`Bearer ${key}`, '10.0.0.1')).ok,
        true,
        'accepted from the cache',
      );
      revokeKey(dir, 'live');
      const after = await auth.authenticate(`Bearer ${key}`, '10.0.0.1');
      assert.deepEqual(after.ok ? 'ok' : [after.status, after.reason], [401, 'revoked']);
    } finally {
      cleanup();
    }
  });
});

describe('failure throttle', () => {
  it('five free failures, then waits of 1, 2, 4 s … (by hand), cleared by a success', () => {
    const t = new FailureThrottle();
    const waits = Array.from({ length: 8 }, () => t.fail('a', 0));
    assert.deepEqual(waits, [0, 0, 0, 0, 0, 1, 2, 4]);
    assert.equal(t.waitSeconds('a', 3_500), 1);
    assert.equal(t.waitSeconds('b', 0), 0);
    t.succeed('a');
    assert.equal(t.waitSeconds('a', 0), 0);
  });
});
