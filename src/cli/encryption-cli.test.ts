import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { httpfsExtensionInstalled } from '../duckdb/index.js';
import { CUSTOMERS_HEADER, csv, tempDir, writeText } from '../testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));
const SKIP =
  !httpfsExtensionInstalled() && process.env.CI !== 'true'
    ? 'httpfs extension not installed (npm run setup:encryption)'
    : false;

function shoplake(args: string[]) {
  const env = {
    ...process.env,
    SHOPLAKE_DEBUG: '',
    SHOPLAKE_KEY: '',
    SHOPLAKE_ENCRYPTION_KEY: '',
    SHOPLAKE_ENCRYPTION_KEY_FILE: '',
  };
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('encryption at rest on the command line', { skip: SKIP }, () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('encryption-key writes a new 0600 key file once and never overwrites it', () => {
    const file = join(dir, 'lake.key');
    const made = shoplake(['encryption-key', '--out', file, '--data', join(dir, 'data')]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = shoplake(['encryption-key', '--out', file, '--data', join(dir, 'data')]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists: a key file is never overwritten/);
  });

  it('ingests and queries with --encryption-key-file, and refuses in one line without it', () => {
    const data = join(dir, 'data');
    const key = join(dir, 'lake.key');
    const input = writeText(
      join(dir, 'customers.csv'),
      csv(CUSTOMERS_HEADER, [
        ['C1', 'Ann', 'Lee', 'ann.cli@example.com', 'Boston', 'US-EAST', '2024-01-05', '2500.00', 'GOLD'],
      ]),
    );
    const loaded = shoplake([
      'ingest',
      input,
      '--table',
      'customers',
      '--data',
      data,
      '--encryption-key-file',
      key,
    ]);
    assert.equal(loaded.code, 0, loaded.stderr);
    const sql = ['sql', 'SELECT email FROM customers', '--format', 'json', '--data', data];
    const read = shoplake([...sql, '--encryption-key-file', key]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), [{ email: 'ann.cli@example.com' }]);
    const keyless = shoplake(sql);
    assert.equal(keyless.code, 2);
    assert.equal(
      keyless.stderr,
      `shoplake: the lake in ${data} is encrypted: give its key with --encryption-key-file FILE or $SHOPLAKE_ENCRYPTION_KEY\n`,
    );
    const open = shoplake([...sql, '--encryption-key-file', input]);
    assert.equal(open.code, 2);
    assert.match(open.stderr, /^shoplake: the encryption key file .* can be read by others: chmod 600/);
    chmodSync(input, 0o600);
    const bad = shoplake([...sql, '--encryption-key-file', input]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^shoplake: the key file .* is not an encryption key: it must be 32 random bytes in base64/,
    );
  });

  it('generate into an encrypted lake says that raw/ keeps the exports in plain text; a plain lake gets no such note', () => {
    const key = join(dir, 'lake.key');
    const small = ['--orders', '300', '--customers', '50', '--events', '1200', '--days', '7'];
    const secret = join(dir, 'generated-encrypted');
    const made = shoplake(['generate', ...small, '--out', secret, '--encryption-key-file', key]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /note: .*generated-encrypted\/raw\/ holds the generated exports in plain text/);
    const plain = shoplake(['generate', ...small, '--out', join(dir, 'generated-plain')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /plain text/);
  });
});
