import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DuckDbSession, sqlString } from '../duckdb/index.js';
import { DuckDbEngine } from '../engines/testing.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import {
  BATCH_COLUMN,
  commitFiles,
  commitTable,
  dataLayout,
  liveFiles,
  tableBatches,
  withTableLock,
} from './index.js';

const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

function run(args: string[]): {
  done: Promise<{ code: number | null; stdout: string }>;
  exited: () => boolean;
} {
  let exited = false;
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve({ code, stdout });
    }),
  );
  return { done, exited: () => exited };
}

// Batch ids of the Parquet files in a table directory, listed or not (`<batch>-<suffix>-<i>.parquet`).
function batchesOnDisk(tableDir: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(tableDir)) return ids;
  for (const entry of readdirSync(tableDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const f of readdirSync(join(tableDir, entry.name))) ids.add(f.split('-').slice(0, 2).join('-'));
  }
  return ids;
}

describe('concurrent writers', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  // Two `shoplake ingest` processes of one file check for duplicates against the same lake and write
  // their files while this process holds the table lock; only then may they commit, one after the other.
  async function raceTwoIngests(data: string, input: string) {
    const tableDir = join(dataLayout(data).lake, 'orders');
    // The table has a manifest already (ingest creates one before writing to a table without).
    await commitFiles(tableDir, (live) => live);
    const args = ['--data', data, 'ingest', input, '--table', 'orders', '--format', 'json'];
    const runs = await withTableLock(tableDir, async () => {
      const started = [run(args), run(args)];
      for (let waited = 0; waited < 60_000; waited += 100) {
        if (batchesOnDisk(tableDir).size >= 2 || started.some((r) => r.exited())) break;
        await sleep(100);
      }
      return started;
    });
    const results = await Promise.all(runs.map((r) => r.done));
    assert.deepEqual(
      results.map((r) => r.code),
      [0, 0],
    );
    type Report = { loaded: number; duplicate: number; quarantined: number; duplicatesFile: string | null };
    return results.map((r) => (JSON.parse(r.stdout) as Report[])[0] as Report);
  }

  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => [
      `ORD${i}`,
      'C1',
      'P1',
      'Thing',
      1,
      '2.00',
      '2.00',
      `2026-10-${String((i % 28) + 1).padStart(2, '0')} 10:00:00`,
      'COMPLETED',
      'US-EAST',
    ]);

  async function lakeCount(data: string) {
    const engine = await DuckDbEngine.open(data);
    try {
      return (await engine.query('SELECT count(*) AS n, count(DISTINCT order_id) AS ids FROM orders'))[0];
    } finally {
      await engine.close();
    }
  }

  it('two ingests of the same file at once load each row once (regression: both loaded everything)', async () => {
    const data = join(dir, 'clean');
    const input = writeText(join(dir, 'in', 'orders.csv'), csv(ORDERS_HEADER, lines(200)));
    const [a, b] = await raceTwoIngests(data, input);
    assert.equal((a?.loaded ?? 0) + (b?.loaded ?? 0), 200);
    assert.equal((a?.duplicate ?? 0) + (b?.duplicate ?? 0), 200);
    assert.deepEqual(await lakeCount(data), { n: 200, ids: 200 });
  });

  it('the later of two racing ingests rewrites its batch without the rows the other committed', async () => {
    // One bad row makes both runs read with line numbers from the start, so the one that commits second
    // finds the other's rows under the lock and writes its files again without them.
    const rows = lines(200);
    (rows[7] as (string | number)[])[8] = 'SHIPPED';
    const data = join(dir, 'careful');
    const input = writeText(join(dir, 'in', 'orders-bad.csv'), csv(ORDERS_HEADER, rows));
    const [a, b] = await raceTwoIngests(data, input);
    assert.deepEqual(
      [(a?.loaded ?? 0) + (b?.loaded ?? 0), (a?.duplicate ?? 0) + (b?.duplicate ?? 0), a?.quarantined],
      [199, 199, 1],
    );
    const later = (a?.loaded ?? 0) === 0 ? a : b;
    const listed = readFileSync(later?.duplicatesFile ?? '', 'utf8')
      .trim()
      .split('\n');
    assert.equal(listed.length, 199, 'every row it dropped is in its duplicates file');
    assert.deepEqual(await lakeCount(data), { n: 199, ids: 199 });
  });

  it('ingests, a compaction and a rollback at once leave exactly the rows they should', async () => {
    const data = join(dir, 'mixed');
    const small = (prefix: string) =>
      lines(10).map((r) => [`${prefix}${String(r[0]).slice(3)}`, ...r.slice(1)] as (string | number)[]);
    const x = writeText(join(dir, 'in', 'x.csv'), csv(ORDERS_HEADER, small('X')));
    const y = writeText(join(dir, 'in', 'y.csv'), csv(ORDERS_HEADER, small('Y')));
    const bin = (...args: string[]) => run(['--data', data, ...args, '--format', 'json']).done;
    const first = await bin('ingest', x, '--table', 'orders');
    await bin('ingest', y, '--table', 'orders');
    const xBatch = (JSON.parse(first.stdout) as { batch: string }[])[0]?.batch ?? '';
    const a = writeText(join(dir, 'in', 'a.csv'), csv(ORDERS_HEADER, lines(50)));
    const results = await Promise.all([
      bin('ingest', a, '--table', 'orders'),
      bin('ingest', a, '--table', 'orders'),
      bin('compact', '--table', 'orders', '--min-files', '2'),
      bin('rollback', xBatch),
    ]);
    assert.deepEqual(
      results.map((r) => r.code),
      [0, 0, 0, 0],
    );
    const loaded = results
      .slice(0, 2)
      .map((r) => (JSON.parse(r.stdout) as { loaded: number }[])[0]?.loaded ?? 0);
    assert.equal((loaded[0] ?? 0) + (loaded[1] ?? 0), 50);
    const engine = await DuckDbEngine.open(data);
    try {
      const rows = await engine.query(
        'SELECT left(order_id, 1) AS kind, count(*) AS n, count(DISTINCT order_id) AS ids FROM orders GROUP BY 1 ORDER BY 1',
      );
      assert.deepEqual(rows, [
        { kind: 'O', n: 50, ids: 50 },
        { kind: 'Y', n: 10, ids: 10 },
      ]);
    } finally {
      await engine.close();
    }
  });

  it('a collector under load while files are ingested, compacted and batches rolled back: each acknowledged record once', {
    timeout: 180_000,
  }, async (t) => {
    const data = join(dir, 'with-collector');
    const key = 'concurrency-key-1';
    const server = await serve(data, key);
    const acked = new Set<string>();
    let next = 0;
    let stop = false;
    // The collector's records: ids K0, K1, …; acknowledged only by a 200 whose every record was accepted.
    const post = async (ids: string[]) => {
      const res = await fetch(`${server.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(ids.map(collectorOrder)),
      });
      const body = (await res.json()) as { accepted?: number; duplicate?: number };
      return { status: res.status, accepted: body.accepted ?? 0, duplicate: body.duplicate ?? 0 };
    };
    const sender = async () => {
      while (!stop) {
        const ids = Array.from({ length: 20 }, () => `K${next++}`);
        const answer = await post(ids);
        if (answer.status === 200 && answer.accepted === ids.length) for (const id of ids) acked.add(id);
        else if (answer.status !== 503) assert.fail(`unexpected answer ${JSON.stringify(answer)}`);
      }
    };
    const senders = [sender(), sender()];
    try {
      const bin = (...args: string[]) => run(['--data', data, ...args, '--format', 'json']).done;
      const orders = (prefix: string, n: number) =>
        lines(n).map((r) => [`${prefix}${String(r[0]).slice(3)}`, ...r.slice(1)] as (string | number)[]);
      const x = writeText(join(dir, 'in', 'cx.csv'), csv(ORDERS_HEADER, orders('X', 40)));
      const y = writeText(join(dir, 'in', 'cy.csv'), csv(ORDERS_HEADER, orders('Y', 30)));
      const collectorBatches = () =>
        tableBatches(dataLayout(data), 'orders').filter((b) => b.kind === 'collector' && b.loaded > 0);
      // Counted, not timed: wait until the collector has committed a few batches.
      for (let waited = 0; collectorBatches().length < 3 && waited < 60_000; waited += 50) await sleep(50);
      assert.ok(collectorBatches().length >= 3, 'the collector compacts while it is being sent records');
      const first = await bin('ingest', x, '--table', 'orders');
      const xBatch = (JSON.parse(first.stdout) as { batch: string }[])[0]?.batch ?? '';
      // One collector batch is rolled back too; its records are counted from its rows, by batch id.
      const victim = collectorBatches()[1]?.id ?? '';
      const rolledBack = await idsOfBatch(data, victim);
      assert.ok(rolledBack.length > 0);
      const results = await Promise.all([
        bin('ingest', y, '--table', 'orders'),
        bin('ingest', y, '--table', 'orders'),
        bin('compact', '--table', 'orders', '--min-files', '2'),
        bin('rollback', xBatch),
        bin('rollback', victim),
        bin('compact', '--table', 'orders', '--min-files', '2'),
      ]);
      assert.deepEqual(
        results.map((r) => r.code),
        [0, 0, 0, 0, 0, 0],
      );
      // The rolled-back records are sent again: the running collector must store them, not call them duplicates.
      for (let i = 0; i < rolledBack.length; i += 50) {
        const again = rolledBack.slice(i, i + 50);
        const answer = await post(again);
        assert.deepEqual(answer, { status: 200, accepted: again.length, duplicate: 0 });
      }
      stop = true;
      await Promise.all(senders);
      server.child.kill('SIGTERM');
      assert.equal(await exited(server.child), 0, 'the collector drains and stops cleanly');
      const engine = await DuckDbEngine.open(data);
      let stored: Map<string, number>;
      try {
        const rows = await engine.query('SELECT order_id AS id, count(*) AS n FROM orders GROUP BY 1');
        stored = new Map(rows.map((r) => [String(r.id), Number(r.n)]));
      } finally {
        await engine.close();
      }
      const lost = [...acked].filter((id) => !stored.has(id));
      const doubled = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
      const expected = new Set([...acked, ...orders('Y', 30).map((r) => String(r[0]))]);
      const unexpected = [...stored.keys()].filter((id) => !expected.has(id));
      t.diagnostic(
        `collector + ingest + compact + rollback: ${acked.size} acknowledged, ${rolledBack.length} rolled back and sent again, ` +
          `${lost.length} lost, ${doubled.length} duplicated, ${unexpected.length} unexpected`,
      );
      assert.deepEqual(
        { lost: lost.slice(0, 5), doubled: doubled.slice(0, 5), unexpected: unexpected.slice(0, 5) },
        {
          lost: [],
          doubled: [],
          unexpected: [],
        },
      );
      assert.equal(stored.size, acked.size + 30);
    } finally {
      stop = true;
      await Promise.allSettled(senders);
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });

  it('waits for the table lock without blocking the thread (regression: Atomics.wait busy-wait)', async () => {
    const tableDir = join(dir, 'lake', 'waiting');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      let commit: Promise<boolean> | undefined;
      await withTableLock(tableDir, async () => {
        commit = commitFiles(tableDir, (live) => [...live, join(tableDir, 'a.parquet')]);
        const before = ticks;
        await sleep(200);
        assert.ok(ticks > before, 'timers kept firing while the commit waited');
        assert.deepEqual(liveFiles(tableDir), [], 'nothing committed while the lock is held');
      });
      assert.equal(await commit, true);
      assert.deepEqual(liveFiles(tableDir), [join(tableDir, 'a.parquet')]);
    } finally {
      clearInterval(timer);
    }
  });

  it('breaks a lock whose holder died, and one nobody has touched for long', async () => {
    const tableDir = join(dir, 'lake', 'stale');
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid;
    await new Promise((resolve) => dead.on('exit', resolve));
    writeText(join(tableDir, '_lock'), `${pid} gone`);
    assert.equal(await commitFiles(tableDir, () => [join(tableDir, 'b.parquet')]), true);
    // A live process (our parent) that stopped touching its lock a minute ago: hung, or pid reused.
    writeFileSync(join(tableDir, '_lock'), `${process.ppid} hung`);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(join(tableDir, '_lock'), minuteAgo, minuteAgo);
    assert.equal(await commitFiles(tableDir, () => [join(tableDir, 'c.parquet')]), true);
    assert.deepEqual(liveFiles(tableDir), [join(tableDir, 'c.parquet')]);
  });

  it('commits nothing when another process took the lock over meanwhile', async () => {
    const tableDir = join(dir, 'lake', 'taken');
    await commitFiles(tableDir, () => [join(tableDir, 'd.parquet')]);
    await assert.rejects(
      commitTable(tableDir, () => {
        // What a waiter that judged this holder stale would leave: its own lock.
        writeFileSync(join(tableDir, '_lock'), `${process.ppid} other`);
        return { files: [join(tableDir, 'e.parquet')] };
      }),
      /lost the table lock/,
    );
    assert.deepEqual(liveFiles(tableDir), [join(tableDir, 'd.parquet')]);
    assert.equal(
      readFileSync(join(tableDir, '_lock'), 'utf8'),
      `${process.ppid} other`,
      'their lock is left alone',
    );
  });
});

// A collector order line with id `id` (the seed's columns; a fixed day).
function collectorOrder(id: string): Record<string, unknown> {
  return {
    order_id: id,
    customer_id: 'C1',
    product_id: 'P1',
    product_name: 'Thing',
    quantity: 1,
    price: 2,
    total_amount: 2,
    order_date: '2026-10-05 10:00:00',
    status: 'COMPLETED',
    region: 'US-EAST',
  };
}

// The order ids a batch loaded, read from the live files by their batch column (an independent count).
async function idsOfBatch(data: string, batch: string): Promise<string[]> {
  const files = liveFiles(join(dataLayout(data).lake, 'orders'));
  const db = await DuckDbSession.open();
  try {
    return await db.column(
      `SELECT order_id FROM read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)
       WHERE ${BATCH_COLUMN} = ${sqlString(batch)} ORDER BY 1`,
    );
  } finally {
    db.close();
  }
}

// `shoplake serve` on a free loopback port, compacting every 300 ms.
async function serve(data: string, key: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, '--data', data, 'serve', '--port', '0', '--host', '127.0.0.1', '--compact-interval', '300'],
    { env: { ...process.env, SHOPLAKE_WRITE_KEYS: key }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`shoplake serve exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
