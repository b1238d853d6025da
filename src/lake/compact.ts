import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import { BATCH_COLUMN, type DataLayout, filesByPartition, sqlType } from './layout.js';
import { commitFiles, ensureManifest, liveFiles, unlistedFiles } from './manifest.js';
import { lakeParquetFormat, lakeParquetSql } from './parquet-sql.js';
import { hasBatchColumn } from './remove-batches.js';
import type { TableSpec } from './tables.js';
import { sortedBySql } from './writer.js';

/** What merging one table's small files did. */
export interface CompactReport {
  table: string;
  partitionsMerged: number;
  filesBefore: number;
  filesAfter: number;
  orphansRemoved: number;
}

export interface CompactOptions {
  /** Merge a partition once it has at least this many small files (default 8). */
  minFiles?: number;
  /** Files at least this large are left alone (default SMALL_FILE_BYTES). */
  smallFileBytes?: number;
  /** Remove files no manifest lists once they are this old (default one hour). */
  orphanAgeMs?: number;
}

/**
 * Only files below this size are merged: a merged file that reached it is not rewritten again each time
 * a few new rows arrive, so a long-running collector writes each row a bounded number of times.
 */
export const SMALL_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Merges the small files of each partition that has accumulated many (the collector adds a few every couple
 * of seconds) into one, and swaps them in the manifest in one step: readers see either the old files or
 * the merged one, never both. Old files are retired, not deleted, so running queries can finish.
 */
export async function compactTable(
  db: DuckDbSession,
  layout: DataLayout,
  spec: TableSpec,
  options: CompactOptions = {},
): Promise<CompactReport> {
  const tableDir = join(layout.lake, spec.name);
  const minFiles = options.minFiles ?? 8;
  if (existsSync(tableDir)) await ensureManifest(tableDir);
  const before = liveFiles(tableDir);
  let partitionsMerged = 0;
  const small = options.smallFileBytes ?? SMALL_FILE_BYTES;
  for (const [dir, all] of filesByPartition(before)) {
    const files = all.filter((f) => statSync(f).size < small);
    if (files.length < minFiles) continue;
    if (await mergePartition(db, layout, spec, { tableDir, dir, files })) partitionsMerged++;
  }
  const orphanAge = options.orphanAgeMs ?? 60 * 60 * 1000;
  const orphans = unlistedFiles(tableDir).filter((f) => Date.now() - statSync(f).mtimeMs > orphanAge);
  for (const f of orphans) rmSync(f, { force: true });
  return {
    table: spec.name,
    partitionsMerged,
    filesBefore: before.length,
    filesAfter: liveFiles(tableDir).length,
    orphansRemoved: orphans.length,
  };
}

async function mergePartition(
  db: DuckDbSession,
  layout: DataLayout,
  spec: TableSpec,
  { tableDir, dir, files }: { tableDir: string; dir: string; files: string[] },
): Promise<boolean> {
  const id = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const staging = join(layout.staging, `merge-${id}`);
  mkdirSync(staging, { recursive: true });
  const columns = spec.columns.map(
    (c) => `CAST(${sqlIdent(c.name)} AS ${sqlType(c.type)}) AS ${sqlIdent(c.name)}`,
  );
  // Rows keep the batch that loaded them, so a batch can still be rolled back after the merge.
  if (await hasBatchColumn(db, files)) columns.push(BATCH_COLUMN);
  const merged = join(dir, `${id}-merged.parquet`);
  try {
    const staged = join(staging, 'merged.parquet');
    await db.run(
      `COPY (SELECT ${columns.join(', ')} FROM ${lakeParquetSql(files, 'union_by_name = true, hive_partitioning = false')}${sortedBySql(spec)})
       TO ${sqlString(staged)} ${await lakeParquetFormat(db)}`,
    );
    renameSync(staged, merged);
    // Another merge may have replaced some of these files meanwhile: then this one gives way.
    const committed = await commitFiles(tableDir, (live) =>
      files.every((f) => live.includes(f)) ? [...live.filter((f) => !files.includes(f)), merged] : null,
    );
    if (!committed) rmSync(merged, { force: true });
    return committed;
  } catch (err) {
    rmSync(merged, { force: true });
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
