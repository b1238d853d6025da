import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Runs a Prometheus tool; without it the test fails under CI and is skipped elsewhere. */
export function runTool(
  t: { skip(message: string): void },
  tool: string,
  args: string[],
): { ok: boolean; output: string } | null {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    assert.notEqual(
      process.env.CI,
      'true',
      `${tool} is required in CI: sh scripts/test-setup.sh installs it`,
    );
    t.skip(`${tool} is not installed`);
    return null;
  }
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
