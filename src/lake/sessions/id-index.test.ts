import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession, sqlString } from '../../duckdb/index.js';
import { tempDir } from '../../testing/index.js';
import { forgetSessionIdIndex, idKeySql, noteKeptFile, sessionIdIndex } from './id-index.js';

describe('the index of session ids by file', () => {
  let db: DuckDbSession;
  let dir: string;
  let cleanup: () => void;
  const file = (name: string) => join(dir, name);
  const write = (name: string, ids: string[]) =>
    db.run(
      `COPY (SELECT * FROM (VALUES ${ids.map((id) => `(${sqlString(id)})`).join(', ')}) t(session_id))
       TO ${sqlString(file(name))} (FORMAT parquet)`,
    );
  const key = async (id: string) => Number((await db.all(`SELECT ${idKeySql(sqlString(id))} AS k`))[0]?.k);

  before(async () => {
    const t = tempDir();
    dir = t.dir;
    cleanup = t.cleanup;
    db = await DuckDbSession.open({ threads: 1 });
    forgetSessionIdIndex();
    await write('a.parquet', ['S1', 'S2', 'S3']);
    // The same id twice (the table never holds that; it stands for two ids sharing a key).
    await write('b.parquet', ['S4', 'S4', 'S5']);
  });
  after(() => {
    forgetSessionIdIndex();
    db.close();
    cleanup();
  });

  it('names the files holding an id, none for an id new to them', async () => {
    const index = await sessionIdIndex(db, dir, [file('a.parquet'), file('b.parquet')]);
    assert.equal(index.loaded, 2);
    assert.deepEqual(index.filesOf(await key('S2')), [file('a.parquet')]);
    assert.deepEqual(index.filesOf(await key('S5')), [file('b.parquet')]);
    assert.deepEqual(index.filesOf(await key('NEW')), []);
    const again = await sessionIdIndex(db, dir, [file('a.parquet'), file('b.parquet')]);
    assert.equal(again.loaded, 0, 'held files are not read again');
  });

  it('looks many ids up at once: walked beside a small file, searched in a large one', async () => {
    // big.parquet holds B0..B99 and S2: far more keys than the three looked up, so it is searched per key;
    // a.parquet and b.parquet (three keys each) are walked beside them.
    await write('big.parquet', [...Array.from({ length: 100 }, (_, i) => `B${i}`), 'S2']);
    const files = [file('a.parquet'), file('b.parquet'), file('big.parquet')];
    const index = await sessionIdIndex(db, dir, files);
    // Unsorted, with a new id and a repeated one.
    const ids = ['S5', 'NEW', 'S2', 'B7', 'S5'];
    const looked = index.filesOfKeys(await Promise.all(ids.map(key)));
    assert.deepEqual(looked.held, [true, false, true, true, true]);
    assert.deepEqual([...looked.files].sort(), files);
    const none = index.filesOfKeys([await key('NEW'), await key('B100')]);
    assert.deepEqual([none.held, [...none.files]], [[false, false], []]);
    const one = index.filesOfKeys([await key('S4')]);
    assert.deepEqual([one.held, [...one.files]], [[true], [file('b.parquet')]]);
  });

  it("a kept copy's keys are its file's less one occurrence per id taken out, without reading it", async () => {
    // Copies as a refresh writes them: a.parquet without S2; b.parquet without one S4 and S5.
    await write('a-kept.parquet', ['S1', 'S3']);
    await write('b-kept.parquet', ['S4']);
    noteKeptFile(file('a-kept.parquet'), file('a.parquet'), [await key('S2')]);
    noteKeptFile(file('b-kept.parquet'), file('b.parquet'), [await key('S4'), await key('S5')]);
    const index = await sessionIdIndex(db, dir, [file('a-kept.parquet'), file('b-kept.parquet')]);
    assert.equal(index.loaded, 0, 'both copies were noted');
    assert.deepEqual(index.filesOf(await key('S1')), [file('a-kept.parquet')]);
    assert.deepEqual(index.filesOf(await key('S2')), []);
    assert.deepEqual(index.filesOf(await key('S4')), [file('b-kept.parquet')]);
    assert.deepEqual(index.filesOf(await key('S5')), []);
  });

  it('forgets files no longer live, and reads a path written again', async () => {
    // a.parquet left the table; a-kept.parquet is written again with other ids (another size).
    await write('a-kept.parquet', ['S7', 'S8', 'S9', 'S10']);
    const index = await sessionIdIndex(db, dir, [file('a-kept.parquet')]);
    assert.equal(index.loaded, 1);
    assert.deepEqual(index.filesOf(await key('S1')), []);
    assert.deepEqual(index.filesOf(await key('S9')), [file('a-kept.parquet')]);
  });
});
