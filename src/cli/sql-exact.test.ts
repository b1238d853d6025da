import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildFixtureLake } from '../analyses/fixture.test-helper.js';
import { tempDir } from '../testing/index.js';
import { shoplake } from './cli-process.test-helper.js';

// Integers above 2^53 and wide decimals went through a double and came out rounded (9007199254740993
// printed as 9007199254740992) in every format. The expected digits are the literals themselves.
const QUERY = `SELECT 9007199254740993::BIGINT AS big, sum(v) AS total,
  CAST('12345678901234567.89' AS DECIMAL(38,2)) AS wide, 170141183460469231731687303715884105727::HUGEINT AS huge,
  18446744073709551615::UBIGINT AS ubig, 2::BIGINT AS small, CAST('1.50' AS DECIMAL(18,2)) AS price
  FROM (VALUES (9007199254740000::BIGINT), (993::BIGINT)) t(v)`;

describe('shoplake sql prints integers above 2^53 and wide decimals exactly', () => {
  let dir: string;
  let cleanup: () => void;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await buildFixtureLake(dir);
  });
  after(() => cleanup());

  const run = (format: string) => {
    const r = shoplake(['--data', dir, 'sql', QUERY, '--format', format]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('json and ndjson: exact JSON numbers, digit for digit; numbers a double carries stay plain', () => {
    const row =
      '{"big":9007199254740993,"total":9007199254740993,"wide":12345678901234567.89,' +
      '"huge":170141183460469231731687303715884105727,"ubig":18446744073709551615,"small":2,"price":1.5}';
    assert.equal(run('json'), `[${row}]\n`);
    assert.equal(run('ndjson'), `${row}\n`);
  });

  it('csv: the exact digits', () => {
    assert.equal(
      run('csv'),
      'big,total,wide,huge,ubig,small,price\n' +
        '9007199254740993,9007199254740993,12345678901234567.89,170141183460469231731687303715884105727,18446744073709551615,2,1.5\n',
    );
  });

  it('table: the exact digits', () => {
    const out = run('table');
    for (const digits of [
      '9007199254740993',
      '12345678901234567.89',
      '170141183460469231731687303715884105727',
      '18446744073709551615',
    ])
      assert.ok(out.includes(digits), `${digits} in:\n${out}`);
  });
});
