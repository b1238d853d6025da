import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../errors/index.js';
import { parseSparkRemote } from './remote.js';

describe('parseSparkRemote', () => {
  it('reads host, port and parameters', () => {
    assert.deepEqual(parseSparkRemote('sc://127.0.0.1:15010'), {
      host: '127.0.0.1',
      port: 15010,
      useSsl: false,
      token: undefined,
      userId: 'shoplake',
    });
    assert.deepEqual(parseSparkRemote('sc://spark.example.com/;token=abc;user_id=ana'), {
      host: 'spark.example.com',
      port: 15002,
      useSsl: true,
      token: 'abc',
      userId: 'ana',
    });
    assert.equal(parseSparkRemote('sc://[::1]:15002').host, '::1');
  });
  it('rejects what is not an sc:// address', () => {
    for (const bad of ['http://h:1', 'sc://', 'sc://h:0', 'sc://h:99999', 'sc://h/;use_ssl=yes']) {
      assert.throws(() => parseSparkRemote(bad), UserError, bad);
    }
  });
});
