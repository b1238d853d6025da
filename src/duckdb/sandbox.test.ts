import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../errors/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { DuckDbSession } from './session.js';
import type { RowStream } from './types.js';

async function rows(stream: RowStream): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of stream) out.push(...batch);
  return out;
}

function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      hash.update(p);
      if (e.isDirectory()) walk(p);
      else hash.update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

describe('sandboxed session for user SQL', () => {
  let dir: string;
  let cleanup: () => void;
  let live: string;
  let session: DuckDbSession;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    live = join(dir, 'lake', 'orders', 'part-0.parquet');
    writeText(
      join(dir, 'lake', 'orders', '_manifest.json'),
      '{"version":1,"files":["part-0.parquet"],"retired":[]}',
    );
    writeText(join(dir, 'outside.csv'), 'a,b\n1,2\n');
    const writer = await DuckDbSession.open();
    await writer.run(`COPY (SELECT range AS id FROM range(5000)) TO '${live}' (FORMAT parquet)`);
    writer.close();
    session = await DuckDbSession.open({ readOnlyFiles: [live], tempDirectory: join(dir, 'tmp') });
  });
  after(() => {
    session.close();
    cleanup();
  });

  it('reads the allowed file and streams it in batches', async () => {
    const batches: number[] = [];
    for await (const batch of await session.selectUserSql(
      `SELECT id FROM read_parquet('${live}') ORDER BY id`,
    ))
      batches.push(batch.length);
    // 5,000 rows, handed over in DuckDB's chunks of at most 2,048 rows.
    assert.equal(
      batches.reduce((a, b) => a + b, 0),
      5000,
    );
    assert.ok(batches.length >= 3 && batches.every((n) => n <= 2048), `batches ${batches}`);
  });

  it('runs the dollar-quoted text as one string literal: what is checked is what runs', async () => {
    const attack = `SELECT $$ $:x ; COPY (SELECT 1) TO '${live}' (FORMAT parquet); SELECT $:y $$ AS z`;
    const before = digest(join(dir, 'lake'));
    assert.deepEqual(await rows(await session.selectUserSql(attack)), [
      { z: ` $:x ; COPY (SELECT 1) TO '${live}' (FORMAT parquet); SELECT $:y ` },
    ]);
    assert.equal(digest(join(dir, 'lake')), before);
  });

  const refused: [string, RegExp][] = [
    ['SELECT 1; SELECT 2', /exactly one SELECT statement \(found 2\)/],
    [`COPY (SELECT 1) TO '${'LIVE'}' (FORMAT parquet, USE_TMP_FILE false)`, /not COPY/],
    ["ATTACH 'x.duckdb' AS x", /not ATTACH/],
    ["EXPORT DATABASE 'exp'", /Permission Error|not EXPORT/],
    ['INSTALL httpfs', /not LOAD/],
    ['LOAD json', /not LOAD/],
    ['SET threads = 1', /not SET/],
    ['RESET threads', /not SET/],
    ['PRAGMA enable_profiling', /not PRAGMA/],
    ['CALL pragma_version()', /not CALL/],
    ['CREATE TABLE t AS SELECT 1', /not CREATE/],
    ['EXPLAIN ANALYZE SELECT 1', /not EXPLAIN/],
    ["SELECT * FROM read_csv('OUTSIDE')", /Permission Error/],
    ["SELECT * FROM read_text('MANIFEST')", /Permission Error/],
    ["SELECT * FROM glob('LAKE/*')", /Permission Error/],
    ["SELECT * FROM read_parquet('LAKE/*/*.parquet')", /Permission Error/],
    ['CREATE SECRET s (TYPE s3)', /Permission Error|not CREATE/],
    ['', /holds none/],
    [';', /holds none/],
    ['SELECT $1', /parameters/],
  ];
  for (const [template, message] of refused) {
    it(`refuses ${template || '(empty)'}`, async () => {
      const sql = template
        .replace('LIVE', live)
        .replace('OUTSIDE', join(dir, 'outside.csv'))
        .replace('MANIFEST', join(dir, 'lake', 'orders', '_manifest.json'))
        .replace('LAKE', join(dir, 'lake'));
      const before = digest(join(dir, 'lake'));
      await assert.rejects(
        async () => rows(await session.selectUserSql(sql)),
        (err: Error) =>
          message.test(err.message) && (err instanceof UserError || /^\w[\w ]* Error:/.test(err.message)),
      );
      assert.equal(digest(join(dir, 'lake')), before, 'the lake is byte for byte unchanged');
      assert.ok(!existsSync(join(dir, 'lake', 'exp')) && !existsSync(join(dir, 'exp')), 'nothing exported');
    });
  }

  it('cannot change its configuration or read files afterwards', async () => {
    await assert.rejects(session.run("SET allowed_paths = ['/']"), /locked/);
    await assert.rejects(session.run('SET enable_external_access = true'), /locked/);
  });

  it('lets a statement stop through the abort signal', async () => {
    const controller = new AbortController();
    // Days of work: it ends only because it is stopped, whether the stop lands while it is prepared
    // (the signal's reason) or while it runs (DuckDB's interrupt).
    const running = session
      .selectUserSql('SELECT count(*) FROM range(1000000000000) WHERE range % 7 = 3', {
        signal: controller.signal,
      })
      .then(rows);
    setTimeout(() => controller.abort(new UserError('stopped by test')), 50);
    await assert.rejects(running, /INTERRUPT|Interrupted|stopped by test/i);
  });

  it('refuses user SQL on a session that is not sandboxed', async () => {
    const open = await DuckDbSession.open();
    try {
      await assert.rejects(open.selectUserSql('SELECT 1'), /sandboxed/);
    } finally {
      open.close();
    }
  });
});
