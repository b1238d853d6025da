import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { isUserError } from '../errors/index.js';
import { tempDir } from '../testing/index.js';
import { lakeKey } from './index.js';

const MASTER = Buffer.alloc(32, 0x07);
// The fingerprint by hand: HKDF-SHA256(key, salt 'shoplake lake key', info 'fingerprint'), first 8 bytes.
const FINGERPRINT = Buffer.from(hkdfSync('sha256', MASTER, 'shoplake lake key', 'fingerprint', 32))
  .subarray(0, 8)
  .toString('hex');

describe('the lake key', () => {
  const saved = { key: process.env.SHOPLAKE_ENCRYPTION_KEY, file: process.env.SHOPLAKE_ENCRYPTION_KEY_FILE };
  afterEach(() => {
    for (const [name, value] of [
      ['SHOPLAKE_ENCRYPTION_KEY', saved.key],
      ['SHOPLAKE_ENCRYPTION_KEY_FILE', saved.file],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('reads a 0600 key file and derives the fingerprint as HKDF gives it', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'lake.key');
      writeFileSync(file, `${MASTER.toString('base64')}\n`, { mode: 0o600 });
      delete process.env.SHOPLAKE_ENCRYPTION_KEY;
      process.env.SHOPLAKE_ENCRYPTION_KEY_FILE = file;
      assert.equal(lakeKey()?.fingerprint, FINGERPRINT);
      chmodSync(file, 0o644);
      // The key is cached per environment value: name the same file another way to read it again.
      process.env.SHOPLAKE_ENCRYPTION_KEY_FILE = `${dir}/./lake.key`;
      assert.throws(
        lakeKey,
        (err: unknown) => isUserError(err) && /can be read by others: chmod 600/.test(err.message),
      );
    } finally {
      cleanup();
    }
  });

  it('refuses text that is not 32 bytes of base64, and is null when nothing is set', () => {
    delete process.env.SHOPLAKE_ENCRYPTION_KEY_FILE;
    process.env.SHOPLAKE_ENCRYPTION_KEY = `${MASTER.toString('base64').slice(0, -2)}!=`;
    assert.throws(
      lakeKey,
      (err: unknown) => isUserError(err) && /32 random bytes in base64/.test(err.message),
    );
    delete process.env.SHOPLAKE_ENCRYPTION_KEY;
    assert.equal(lakeKey(), null);
  });
});
