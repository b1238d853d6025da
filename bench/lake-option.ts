/**
 * `--data DIR [--only a,b] [--holdout-days N] [--horizon N]` for the model benches: measure an existing lake (e.g. the shared 10M one,
 * read-only) instead of generating one, optionally only some of the bench's analyses, so that each can run
 * as its own process and report its own peak memory.
 */
import { cpus, loadavg } from 'node:os';
import { isUserError } from '../src/errors/index.js';

/** The lake to measure (undefined: generate as usual) and the analyses asked for (undefined: all). */
export interface LakeOption {
  dir: string | undefined;
  only: ReadonlySet<string> | undefined;
  /** --holdout-days for the backtests that hold days out (a 30-day lake cannot hold out 42). */
  holdoutDays: number | undefined;
  /** --horizon for churn (days ahead; a 30-day lake has no 30-day churn window before its end). */
  horizon: number | undefined;
}

/** The value after `--name` on the command line, if given. */
export function flag(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Reads --data, --only, --holdout-days and --horizon from the command line. */
export function lakeOption(argv: readonly string[] = process.argv.slice(2)): LakeOption {
  const only = flag('only', argv);
  const holdout = flag('holdout-days', argv);
  const horizon = flag('horizon', argv);
  return {
    dir: flag('data', argv),
    only: only ? new Set(only.split(',')) : undefined,
    holdoutDays: holdout === undefined ? undefined : Number(holdout),
    horizon: horizon === undefined ? undefined : Number(horizon),
  };
}

/** Whether the bench should run `name` under this option. */
export function wanted(o: LakeOption, name: string): boolean {
  return o.only === undefined || o.only.has(name);
}

/**
 * Runs f, printing its wall time and the process's peak resident memory so far; a user error (e.g. a lake
 * too short for a backtest) is printed as the CLI would and gives undefined, so the other analyses still run.
 */
export async function timedWithPeak<T>(label: string, f: () => Promise<T>): Promise<T | undefined> {
  const t0 = performance.now();
  let out: T;
  try {
    out = await f();
  } catch (e) {
    if (!isUserError(e)) throw e;
    console.log(`${label}: user error after ${((performance.now() - t0) / 1000).toFixed(2)} s: ${e.message}`);
    return undefined;
  }
  const s = ((performance.now() - t0) / 1000).toFixed(2);
  const rss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  console.log(`${label}: ${s} s (peak RSS of the process so far ${rss} MiB)`);
  return out;
}

/** One line of machine and load, printed at the start of a --data run. */
export function machineLine(what: string, dir: string): string {
  return `# ${what} on ${dir} ${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model.trim()} · Node ${process.version} · load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** With `--data DIR`, measures that lake with `onLake` and exits; without it, returns (generate as usual). */
export async function measureGivenLake(
  onLake: (o: LakeOption & { dir: string }) => Promise<void>,
): Promise<void> {
  const lake = lakeOption();
  if (lake.dir === undefined) return;
  await onLake({ ...lake, dir: lake.dir });
  process.exit(0);
}
