import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDbEngine } from '../engines/testing.js';
import { KEY, order } from './testkit.test-helper.js';

/** What a fault run counts: every acknowledged order must be in the lake exactly once. */
export interface Tally {
  acked: Set<number>;
  sent: Set<number>;
  /** Answers by status (and code for 503s), e.g. "200", "503 storage_full". */
  answers: Map<string, number>;
}

export const newTally = (): Tally => ({ acked: new Set(), sent: new Set(), answers: new Map() });

/**
 * Sends batches of fresh orders (ids from `next()`) to `url` until `stop()` says so; an id is acknowledged
 * only by a 200. A 503 must carry Retry-After (checked by the caller through `answers`).
 */
export async function sendOrders(
  url: string,
  tally: Tally,
  next: () => number,
  stop: () => boolean,
  batch = 25,
): Promise<void> {
  while (!stop()) {
    const ids = Array.from({ length: batch }, next);
    for (const id of ids) tally.sent.add(id);
    try {
      const res = await fetch(`${url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(ids.map((i) => order(i))),
      });
      const body = await res.text();
      let label = String(res.status);
      if (res.status === 503) {
        const code = /"code":"([a-z_]+)"/.exec(body)?.[1] ?? '?';
        label = `503 ${code}${res.headers.get('retry-after') ? '' : ' (no Retry-After)'}`;
        await new Promise((r) => setTimeout(r, 20));
      }
      tally.answers.set(label, (tally.answers.get(label) ?? 0) + 1);
      if (res.status === 200) for (const id of ids) tally.acked.add(id);
    } catch {
      // Connection reset by a kill: unacknowledged, may or may not be stored.
      tally.answers.set('reset', (tally.answers.get('reset') ?? 0) + 1);
    }
  }
}

/** Acknowledged orders missing from the lake, and orders stored more than once or never sent. */
export async function auditLake(
  dataDir: string,
  tally: Tally,
): Promise<{ lost: number; duplicated: number; unsent: number }> {
  const engine = await DuckDbEngine.open(dataDir);
  try {
    const rows = await engine.query('SELECT order_id AS id, count(*) AS n FROM orders GROUP BY 1');
    const stored = new Map(rows.map((r) => [Number(String(r.id).slice(1)), Number(r.n)]));
    let duplicated = 0;
    let unsent = 0;
    for (const [id, n] of stored) {
      if (n > 1) duplicated++;
      if (!tally.sent.has(id)) unsent++;
    }
    const lost = [...tally.acked].filter((id) => !stored.has(id)).length;
    return { lost, duplicated, unsent };
  } finally {
    await engine.close();
  }
}

/** Resolves when `cond()` holds, checking every 20 ms; rejects after `ms` with `what`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// dist/src/collector → repository root, where bin/shoplake.js runs the compiled CLI.
const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

/** Starts `shoplake serve` on a free loopback port over `dataDir` (compacting every 300 ms). */
export async function startServer(
  dataDir: string,
  extraArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [BIN, '--data', dataDir, 'serve', '--port', '0', '--compact-interval', '300', ...extraArgs],
    { env: { ...process.env, SHOPLAKE_WRITE_KEYS: KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

/** Resolves with the exit code once the process has exited. */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
