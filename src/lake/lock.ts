import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A per-table lock file created with O_EXCL, so the collector's compaction process, a CLI ingest, a
 * compaction and a rollback in other processes take turns committing to one table. Waiting is a timer,
 * never a blocked thread. Written by hand rather than with a lockfile package because a lock must be
 * broken at once when its holder's pid is gone (a killed compaction child), not only after a timeout.
 *
 * The holder touches the file every HEARTBEAT_MS, so a lock whose file has not changed for STALE_MS
 * belongs to a process that died or hung (its pid may have been reused since) and is broken too.
 */
const LOCK = '_lock';
const HEARTBEAT_MS = 1_000;
const STALE_MS = 10_000;
const WAIT_MS = 120_000;

/** Thrown when the lock stayed taken by a live holder for the whole wait. */
export class LockTimeout extends Error {}

/** Runs `fn` holding the table's lock; releases it whatever `fn` does. */
export async function withTableLock<T>(tableDir: string, fn: (held: HeldLock) => Promise<T>): Promise<T> {
  mkdirSync(tableDir, { recursive: true });
  const lock = join(tableDir, LOCK);
  const token = `${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + WAIT_MS;
  let delay = 2;
  for (;;) {
    if (await tryCreate(lock, token)) break;
    if (breakIfStale(lock)) continue;
    if (Date.now() > deadline)
      throw new LockTimeout(`table ${tableDir} stayed locked for ${WAIT_MS / 1000} s (${lock})`);
    await sleep(delay);
    delay = Math.min(50, delay * 2);
  }
  const held = new HeldLock(lock, token);
  const beat = setInterval(() => held.touch(), HEARTBEAT_MS);
  beat.unref();
  try {
    return await fn(held);
  } finally {
    clearInterval(beat);
    if (held.stillOurs()) rmSync(lock, { force: true });
  }
}

/** A lock being held: commit steps check it is still theirs right before they make a change visible. */
export class HeldLock {
  constructor(
    private readonly path: string,
    private readonly token: string,
  ) {}

  touch(): void {
    try {
      const now = new Date();
      utimesSync(this.path, now, now);
    } catch {
      // Checked by assertHeld before anything becomes visible.
    }
  }

  stillOurs(): boolean {
    try {
      return readFileSync(this.path, 'utf8') === this.token;
    } catch {
      return false;
    }
  }

  /** Fails when another process broke the lock (this one stalled past STALE_MS): nothing is committed. */
  assertHeld(): void {
    if (!this.stillOurs()) throw new Error(`lost the table lock ${this.path}: another writer took it over`);
  }
}

async function tryCreate(lock: string, token: string): Promise<boolean> {
  try {
    const handle = await open(lock, 'wx');
    try {
      await handle.writeFile(token);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Breaks a lock whose holder is gone. The stale file is renamed aside (only one waiter can rename a
 * given file) and kept only if it is the one judged stale; a fresh lock taken by another waiter in
 * between is put back.
 */
function breakIfStale(lock: string): boolean {
  let seen: string;
  let age: number;
  try {
    seen = readFileSync(lock, 'utf8');
    age = Date.now() - statSync(lock).mtimeMs;
  } catch (err) {
    // Released meanwhile: try again at once.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  if (age <= STALE_MS && !holderIsGone(seen, age)) return false;
  const aside = `${lock}.broken-${randomUUID().slice(0, 8)}`;
  try {
    renameSync(lock, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  const taken = readFileSync(aside, 'utf8');
  if (taken !== seen) {
    // Not the stale one: give it back unless yet another lock exists (link, unlike rename, never
    // replaces one); if it does, the holder we took it from fails assertHeld and commits nothing.
    try {
      linkSync(aside, lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  rmSync(aside, { force: true });
  return true;
}

function holderIsGone(content: string, age: number): boolean {
  const pid = Number(content.split(' ')[0]);
  // Not written yet (created a moment ago): give it time.
  if (!Number.isInteger(pid) || pid <= 0) return age > 1_000;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ESRCH: no such process. EPERM: alive but not ours.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
