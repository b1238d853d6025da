import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI's entry point, as a user runs it. */
export const BIN = fileURLToPath(new URL('../../../bin/shoplake.js', import.meta.url));

/** Runs `shoplake ARGS` as its own process (environment extended by `env`): exit code and both streams. */
export function shoplake(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
