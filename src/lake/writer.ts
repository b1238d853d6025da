import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import { type DataLayout, PARTITION_COLUMN } from './layout.js';
import { commitFiles } from './manifest.js';
import type { TableSpec } from './tables.js';

/** What one batch added to the lake. */
export interface WrittenBatch {
  files: string[];
  rows: number;
}

/**
 * Writes the rows of `relation` (a table or an aliased subquery with typed columns named as in the spec)
 * as new Parquet files of the table; nothing appears when it has no rows.
 * Files are written to a staging directory, renamed into the table directory, then added to the table's
 * manifest in one atomic step: readers see the whole batch or none of it. A crash before that step
 * leaves unlisted files, which no reader sees and `compactTable` removes.
 */
export async function writeBatch(
  db: DuckDbSession,
  layout: DataLayout,
  spec: TableSpec,
  relation: string,
): Promise<WrittenBatch> {
  const batchId = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const staging = join(layout.staging, batchId);
  mkdirSync(staging, { recursive: true });
  const tableDir = join(layout.lake, spec.name);
  const columns = spec.columns.map((c) => sqlIdent(c.name)).join(', ');
  try {
    let copied: { Count?: unknown }[];
    if (spec.partition) {
      copied = await db.all(
        `COPY (SELECT ${columns}, CAST(${spec.partition} AS VARCHAR) AS ${PARTITION_COLUMN} FROM ${relation})
         TO ${sqlString(staging)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${PARTITION_COLUMN}))`,
      );
    } else {
      copied = await db.all(
        `COPY (SELECT ${columns} FROM ${relation}) TO ${sqlString(join(staging, 'data_0.parquet'))}
         (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
    const rows = Number(copied[0]?.Count ?? 0);
    if (rows === 0) return { rows, files: [] };
    // Renamed files are invisible until the manifest lists them, so the whole batch appears at once.
    const files = moveIntoPlace(staging, tableDir, batchId);
    commitFiles(tableDir, (live) => [...live, ...files]);
    return { rows, files };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function moveIntoPlace(staging: string, tableDir: string, batchId: string): string[] {
  const moved: string[] = [];
  const move = (fromDir: string, toDir: string) => {
    mkdirSync(toDir, { recursive: true });
    readdirSync(fromDir)
      .filter((f) => f.endsWith('.parquet'))
      .forEach((f, i) => {
        const target = join(toDir, `${batchId}-${i}.parquet`);
        renameSync(join(fromDir, f), target);
        moved.push(target);
      });
  };
  for (const entry of readdirSync(staging, { withFileTypes: true })) {
    if (entry.isDirectory()) move(join(staging, entry.name), join(tableDir, entry.name));
  }
  move(staging, tableDir);
  return moved;
}

/** Removes staging directories left by a crashed writer. */
export function clearStaging(layout: DataLayout): void {
  rmSync(layout.staging, { recursive: true, force: true });
}
