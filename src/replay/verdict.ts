import type { ReplayResult } from './load.js';

/**
 * Why a replay fell short, in one line that says what to do, or null when it held its rate. Failed
 * requests come first: a stopped collector or a refused key is not a rate the client could not hold.
 */
export function replayShortfall(r: ReplayResult, target: string): string | null {
  if (r.held) return null;
  const failed = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const network = r.errors.network ?? 0;
  if (network > 0) {
    return `${network} of ${r.requests} requests could not reach ${target} (${r.networkCause ?? 'connection error'}): is shoplake serve running there?`;
  }
  const refused = (r.errors['401'] ?? 0) + (r.errors['403'] ?? 0);
  if (refused > 0) {
    return `the collector refused the key on ${refused} of ${r.requests} requests: pass an ingest or write key with --key (or SHOPLAKE_WRITE_KEYS)`;
  }
  if (failed > 0) {
    const codes = Object.entries(r.errors)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    return `${failed} of ${r.requests} requests failed (${codes}): see the collector's answer in its log, or send smaller --batch`;
  }
  return 'could not hold the target rate: raise --concurrency or lower --rate';
}
