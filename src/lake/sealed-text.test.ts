import assert from 'node:assert/strict';
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isUserError } from '../errors/index.js';
import { openSealedText, SealedTextError, sealText } from './index.js';

// A fixed test key (32 bytes, base64); the file key is derived here by hand, independently of the code.
const MASTER = Buffer.alloc(32, 0x5a);
const FILE_KEY = Buffer.from(hkdfSync('sha256', MASTER, 'shoplake lake key', 'files', 32));

function openByHand(line: string): string {
  assert.ok(line.startsWith('slk1:'), line.slice(0, 10));
  const raw = Buffer.from(line.slice(5).trim(), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', FILE_KEY, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from('shoplake sealed text v1'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

describe('sealed text (AES-256-GCM lines for WAL and reports)', () => {
  const saved = process.env.SHOPLAKE_ENCRYPTION_KEY;
  before(() => {
    process.env.SHOPLAKE_ENCRYPTION_KEY = MASTER.toString('base64');
  });
  after(() => {
    if (saved === undefined) delete process.env.SHOPLAKE_ENCRYPTION_KEY;
    else process.env.SHOPLAKE_ENCRYPTION_KEY = saved;
  });

  const plain = '{"email":"ann@example.com","n":1}\n{"email":"bo@example.org","n":2}\n';

  it('seals to one line that AES-256-GCM with the HKDF file key opens, with no plain text left', () => {
    const sealed = sealText(plain);
    assert.equal(sealed.split('\n').length, 2, 'one line and its newline');
    assert.ok(!sealed.includes('example'));
    assert.equal(openByHand(sealed), plain);
    assert.equal(openSealedText(sealed + sealText('{"n":3}\n'), 'f'), `${plain}{"n":3}\n`);
  });

  it('uses a fresh IV per line: the same text seals differently', () => {
    assert.notEqual(sealText(plain), sealText(plain));
  });

  it('detects a changed byte, naming the line', () => {
    const lines = sealText('{"a":1}\n') + sealText(plain);
    const second = lines.indexOf('\n') + 1;
    const at = second + 20;
    const flipped = lines.slice(0, at) + (lines[at] === 'A' ? 'B' : 'A') + lines.slice(at + 1);
    assert.throws(
      () => openSealedText(flipped, 'wal/orders/000000000001.ndjson'),
      (err: unknown) =>
        err instanceof SealedTextError &&
        err.line === 2 &&
        /line 2 of wal\/orders\/000000000001\.ndjson fails authentication/.test(err.message),
    );
  });

  it('detects a line cut short', () => {
    const sealed = sealText(plain);
    assert.throws(() => openSealedText(`${sealed.slice(0, 40)}\n`, 'f'), SealedTextError);
  });

  it('says to give the key when none is set, and passes plain text through', () => {
    const sealed = sealText(plain);
    delete process.env.SHOPLAKE_ENCRYPTION_KEY;
    try {
      assert.throws(
        () => openSealedText(sealed, 'q.ndjson'),
        (err: unknown) => isUserError(err) && /q\.ndjson is encrypted: give the lake's key/.test(err.message),
      );
      assert.equal(sealText(plain), plain, 'no key: written plain');
      assert.equal(openSealedText(plain, 'q.ndjson'), plain);
    } finally {
      process.env.SHOPLAKE_ENCRYPTION_KEY = MASTER.toString('base64');
    }
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    process.env.SHOPLAKE_ENCRYPTION_KEY = Buffer.alloc(16, 1).toString('base64');
    try {
      assert.throws(
        () => sealText('x'),
        (err: unknown) => isUserError(err) && /32 random bytes/.test(err.message),
      );
    } finally {
      process.env.SHOPLAKE_ENCRYPTION_KEY = MASTER.toString('base64');
    }
  });
});
