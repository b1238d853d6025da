import { totalmem } from 'node:os';
import { defaultMemoryLimit } from '../duckdb/index.js';

/** The most memory DuckDB gets for one ingest unless SHOPLAKE_MEMORY_LIMIT says otherwise. */
export const INGEST_MEMORY_CAP_GB = 3;

/**
 * DuckDB's memory limit for an ingest or lake build: $SHOPLAKE_MEMORY_LIMIT when set, else half the
 * machine's memory but at most INGEST_MEMORY_CAP_GB. A load streams through a few passes and spills
 * what it keeps (the checked rows) to its temp directory; with half of a 24 GB machine it grew to 11 GB
 * at 40M events without getting faster (issue 15), and a 2-core machine should not need that to load.
 */
export function ingestMemoryLimit(): string {
  if (process.env.SHOPLAKE_MEMORY_LIMIT) return defaultMemoryLimit();
  const halfGb = Math.floor(totalmem() / 2 / 2 ** 30);
  return `${Math.max(1, Math.min(INGEST_MEMORY_CAP_GB, halfGb))}GB`;
}
