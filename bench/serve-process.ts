import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/shoplake.js', import.meta.url));

/** A `shoplake serve` child process on a free loopback port, and the URL it printed. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Starts `shoplake serve` on `dir` with `writeKey` as its write key; resolves once it is listening. `bin`:
 * another build's bin/shoplake.js (a bench comparing two builds side by side).
 */
export async function startServe(
  dir: string,
  writeKey: string,
  args: string[] = [],
  bin = BIN,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, '--data', dir, 'serve', '--port', '0', ...args], {
    env: { ...process.env, SHOPLAKE_WRITE_KEYS: writeKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
  });
  return { child, url };
}

/** Stops a serve process the way an operator does (SIGTERM: drain, compact) and waits for it to exit. */
export async function stopServe(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}
