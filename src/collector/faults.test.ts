import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../testing/index.js';
import { collectorConfigSchema } from './config.js';
import { auditLake, newTally, sendOrders, waitFor } from './fault-kit.test-helper.js';
import { startCollector } from './server.js';
import { KEY } from './testkit.test-helper.js';

const metric = async (url: string, name: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
};
const ready = async (url: string) => (await fetch(`${url}/readyz`)).status === 200;

// A 2 MB tmpfs under the WAL: writes fail short and then with ENOSPC, like a full disk. CI runs as root
// and must run this test; elsewhere it is skipped when mounting is not permitted.
function mountSmallDisk(dir: string, size = '2m'): (() => void) | string {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    const why = `cannot mount a tmpfs (needs root): ${(err as Error).message.split('\n')[0]}`;
    if (process.env.CI === 'true') throw new Error(`full-disk test must run under CI: ${why}`);
    return why;
  }
  return () => execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

test('full disk under the WAL: 503 + Retry-After, not ready, nothing acknowledged lost, recovers by itself', {
  timeout: 90_000,
}, async (t) => {
  const { dir, cleanup } = tempDir('shoplake-fulldisk-');
  const unmount = mountSmallDisk(join(dir, 'wal'));
  if (typeof unmount === 'string') {
    t.skip(unmount);
    cleanup();
    return;
  }
  try {
    // Compaction only when the test asks, so the WAL fills the tmpfs.
    const server = await startCollector({
      dataDir: dir,
      port: 0,
      config: collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 3_600_000 }),
    });
    const tally = newTally();
    let next = 0;
    const rounds = 3;
    let backlog = { segments: -1, bytes: -1 };
    try {
      for (let round = 0; round < rounds; round++) {
        let full = false;
        const fullAnswers = () => tally.answers.get('503 storage_full') ?? 0;
        const before = fullAnswers();
        const writers = Array.from({ length: 2 }, () =>
          sendOrders(
            server.url,
            tally,
            () => next++,
            () => full,
            40,
          ),
        );
        await waitFor(() => fullAnswers() > before, 30_000, 'a full disk');
        assert.equal(await ready(server.url), false, 'not ready while the disk is full');
        full = true;
        await Promise.all(writers);
        // Compaction moves the WAL into the lake (on another disk) and frees the tmpfs; the probe sees it.
        await server.collector.compactNow();
        await waitFor(() => ready(server.url), 10_000, 'ready again after space returned');
      }
      assert.ok((await metric(server.url, 'shoplake_wal_write_failures_total')) >= rounds);
    } finally {
      backlog = await server.close();
    }
    assert.deepEqual(backlog, { segments: 0, bytes: 0 }, 'the drain compacted everything');
    const audit = await auditLake(dir, tally);
    const answers = Object.fromEntries(tally.answers);
    t.diagnostic(
      `full disk: ${rounds} rounds, ${tally.acked.size} acknowledged, ${JSON.stringify(audit)}, ${JSON.stringify(answers)}`,
    );
    assert.deepEqual(audit, { lost: 0, duplicated: 0, unsent: 0 });
    assert.ok(tally.acked.size > 1000, `${tally.acked.size} acknowledged`);
    assert.ok(
      !Object.keys(answers).some((k) => k.includes('no Retry-After') || k.startsWith('500')),
      JSON.stringify(answers),
    );
  } finally {
    unmount();
    cleanup();
  }
});

test('whole data directory on a full disk: compaction fails too, writes resume once space is freed', {
  timeout: 90_000,
}, async (t) => {
  const { dir: parent, cleanup } = tempDir('shoplake-fulldata-');
  const dir = join(parent, 'data');
  const unmount = mountSmallDisk(dir, '8m');
  if (typeof unmount === 'string') {
    t.skip(unmount);
    cleanup();
    return;
  }
  try {
    const lines: string[] = [];
    const server = await startCollector({
      dataDir: dir,
      port: 0,
      config: collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 200 }),
      log: (line) => lines.push(line),
    });
    const tally = newTally();
    let next = 0;
    const rounds = 2;
    let backlog = { segments: -1, bytes: -1 };
    try {
      for (let round = 0; round < rounds; round++) {
        // An operator's file takes most of the disk; WAL and lake share what is left.
        // Sized from the space left, so the round fills the disk whatever earlier rounds left behind
        // (retired lake files stay for ten minutes).
        const filler = join(dir, `filler-${round}`);
        const { bavail, bsize } = statfsSync(dir);
        writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 512 * 1024)));
        let full = false;
        const before = tally.answers.get('503 storage_full') ?? 0;
        const writers = Array.from({ length: 4 }, () =>
          sendOrders(
            server.url,
            tally,
            () => next++,
            () => full,
            40,
          ),
        );
        await waitFor(() => (tally.answers.get('503 storage_full') ?? 0) > before, 30_000, 'a full disk');
        assert.equal(await ready(server.url), false, 'not ready while the disk is full');
        full = true;
        await Promise.all(writers);
        // Space returns: the collector notices by itself (probe), compaction catches up.
        rmSync(filler);
        await waitFor(() => ready(server.url), 15_000, 'ready again after space returned');
      }
    } finally {
      backlog = await server.close();
    }
    assert.deepEqual(backlog, { segments: 0, bytes: 0 }, 'the drain compacted everything');
    const audit = await auditLake(dir, tally);
    const answers = Object.fromEntries(tally.answers);
    t.diagnostic(
      `full data disk: ${rounds} rounds, ${tally.acked.size} acknowledged, ${JSON.stringify(audit)}, ${JSON.stringify(answers)}, ${lines.filter((l) => l.startsWith('compaction failed')).length} failed compactions`,
    );
    assert.deepEqual(audit, { lost: 0, duplicated: 0, unsent: 0 });
    assert.ok(tally.acked.size > 0);
    assert.ok(
      !Object.keys(answers).some((k) => k.includes('no Retry-After') || k.startsWith('500')),
      JSON.stringify(answers),
    );
  } finally {
    unmount();
    cleanup();
  }
});

test('kill -9 of the compaction process under load: served throughout, restarted, nothing lost or doubled', {
  timeout: 90_000,
}, async (t) => {
  const { dir, cleanup } = tempDir('shoplake-childkill-');
  try {
    const server = await startCollector({
      dataDir: dir,
      port: 0,
      config: collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 150 }),
    });
    const tally = newTally();
    let next = 0;
    const killed: number[] = [];
    const rounds = 8;
    try {
      let stop = false;
      const writers = Array.from({ length: 2 }, () =>
        sendOrders(
          server.url,
          tally,
          () => next++,
          () => stop,
        ),
      );
      for (let round = 0; round < rounds; round++) {
        // Count-based, not time-based: each round waits for fresh acknowledgements, then kills.
        const before = tally.acked.size;
        await waitFor(() => tally.acked.size >= before + 200, 30_000, 'acknowledgements');
        // A new process each round: the one killed last round must have been replaced first.
        const alive = () => {
          const pid = server.collector.compactionPid;
          return pid !== undefined && !killed.includes(pid);
        };
        await waitFor(alive, 30_000, 'a new compaction process');
        const pid = server.collector.compactionPid;
        if (pid !== undefined) {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        }
      }
      stop = true;
      await Promise.all(writers);
      // A compaction after the last kill has seen it, so every kill is counted by now.
      await server.collector.compactNow();
      await server.collector.compactNow();
      assert.equal(await metric(server.url, 'shoplake_compaction_process_restarts_total'), killed.length);
    } finally {
      await server.close();
    }
    const audit = await auditLake(dir, tally);
    t.diagnostic(
      `compaction kill: ${killed.length} rounds, ${tally.acked.size} acknowledged, ${JSON.stringify(audit)}, ${JSON.stringify(Object.fromEntries(tally.answers))}`,
    );
    assert.deepEqual(audit, { lost: 0, duplicated: 0, unsent: 0 });
    assert.equal(tally.answers.get('reset') ?? 0, 0, 'the collector never dropped a connection');
  } finally {
    cleanup();
  }
});
