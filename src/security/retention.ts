import { basename, dirname } from 'node:path';
import { UserError } from '../errors/index.js';
import {
  commitTable,
  dataLayout,
  PARTITION_COLUMN,
  TABLES,
  type TableName,
  tableDirectory,
} from '../lake/index.js';

/** What a retention run dropped. */
export interface RetentionReport {
  table: TableName;
  cutoff: string;
  partitions: string[];
  files: number;
}

/** The first instant after a partition `2026`, `2026-11` or `2026-11-01` (UTC); null for another name. */
export function partitionEnd(value: string): number | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), m[2] ? Number(m[2]) : undefined, m[3] ? Number(m[3]) : undefined];
  if (month === undefined) return Date.UTC(year + 1, 0, 1);
  if (day === undefined) return Date.UTC(year, month, 1);
  return Date.UTC(year, month - 1, day + 1);
}

/**
 * Drops the partitions of a time-partitioned table that end on or before `now − days` in one commit:
 * a partition straddling the cutoff stays whole (no row newer than the cutoff is ever dropped).
 */
export async function applyRetention(
  dataDir: string,
  table: TableName,
  days: number,
  now = new Date(),
): Promise<RetentionReport> {
  if (!Number.isInteger(days) || days < 1)
    throw new UserError('--retain-days needs a whole number of days ≥ 1');
  if (TABLES[table].partition === null)
    throw new UserError(
      `${table} is not partitioned by time: --retain-days applies to orders, customers, clickstream`,
    );
  const cutoff = now.getTime() - days * 86_400_000;
  const report: RetentionReport = { table, cutoff: new Date(cutoff).toISOString(), partitions: [], files: 0 };
  const prefix = `${PARTITION_COLUMN}=`;
  await commitTable(tableDirectory(dataLayout(dataDir), table), ({ files }) => {
    const old = files.filter((f) => {
      const dir = basename(dirname(f));
      if (!dir.startsWith(prefix)) return false;
      const end = partitionEnd(dir.slice(prefix.length));
      return end !== null && end <= cutoff;
    });
    if (old.length === 0) return null;
    report.files = old.length;
    report.partitions = [...new Set(old.map((f) => basename(dirname(f))))].sort();
    const drop = new Set(old);
    return { files: files.filter((f) => !drop.has(f)) };
  });
  return report;
}
