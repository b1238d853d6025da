import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/shoplake.js', import.meta.url));
/** Preloaded into every serve: it stops itself once this bench process is gone (parent-watch.ts). */
const PARENT_WATCH = new URL('./parent-watch.js', import.meta.url).href;

/** A `shoplake serve` child process on a free loopback port, and the URL it printed. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** What the process wrote to stderr so far (kept only with `keepStderr`; else it goes to ours). */
  stderr: () => string;
}

/** How to start serve beyond its lake and key. */
export interface ServeOptions {
  /** A command serve runs under, e.g. ['/usr/bin/time', '-v'] for its peak RSS (then `child` is that command). */
  wrapper?: readonly string[];
  /** Keep stderr for `stderr()` instead of passing it through (a wrapper's report is read from it). */
  keepStderr?: boolean;
}

/**
 * Starts `shoplake serve` on `dir` with `writeKey` as its write key; resolves once it is listening, and
 * rejects with the end of its stderr if it exits first. The server stops itself (SIGTERM) if this process
 * ends without stopping it, even by SIGKILL (parent-watch.ts). `bin`: another build's bin/shoplake.js (a bench
 * comparing two builds side by side).
 */
export async function startServe(
  dir: string,
  writeKey: string,
  args: string[] = [],
  bin = BIN,
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(
    command ?? process.execPath,
    [...prefix, '--import', PARENT_WATCH, bin, '--data', dir, 'serve', '--port', '0', ...args],
    {
      env: { ...process.env, SHOPLAKE_WRITE_KEYS: writeKey, SHOPLAKE_BENCH_PARENT: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (options.keepStderr) err += d;
    else process.stderr.write(d);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`serve stopped (exit ${code}) before listening: ${err.slice(-500)}`)),
    );
  });
  return { child, url, stderr: () => err };
}

/** Stops a serve process the way an operator does (SIGTERM: drain, compact) and waits for it to exit. */
export async function stopServe(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}
