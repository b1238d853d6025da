import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbSession } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import {
  type DataLayout,
  dataLayout,
  ensureSessions,
  sessionsInStep,
  TABLE_NAMES,
  TABLES,
  type TableName,
  tableBatches,
  tableDirectory,
  tableSnapshot,
} from '../lake/index.js';
import { type IngestReport, ingest, inputStats } from './ingest.js';
import { ingestMemoryLimit } from './memory.js';
import { resolveSources } from './sources.js';

/** Per-table progress callbacks for a lake build: `start(table)` returns the table's progress sink. */
export interface BuildLakeOptions {
  onTable?: (table: string) => { update(phase: string, percent: number): void; stop(): void } | undefined;
}

/** Ingests every table's raw directory (what `generate` wrote) through the ordinary ingest path. */
export async function buildLake(
  dir: string,
  onReport?: (r: IngestReport) => void,
  options: BuildLakeOptions = {},
): Promise<IngestReport[]> {
  const layout = dataLayout(dir);
  const present = buildOrder().filter((t) => existsSync(join(layout.raw, t)));
  if (present.length === 0) {
    // A lake loaded by ingest alone has no raw files: build-lake then brings its sessions table in
    // step (what ab-test asks for on a lake whose sessions predate their assignments).
    if (tableSnapshot(tableDirectory(layout, 'clickstream')).files.length > 0) {
      await bringSessionsInStep(layout);
      return [];
    }
    throw new UserError(`no raw data in ${layout.raw}: run 'shoplake generate' first or pass --data DIR`, {
      code: 'no_data',
    });
  }
  const reports: IngestReport[] = [];
  for (const table of present) {
    const skipped = unchangedSince(layout, table);
    if (skipped) {
      onReport?.(skipped);
      reports.push(skipped);
      continue;
    }
    const progress = options.onTable?.(table);
    const report = await ingest({
      dataDir: dir,
      table: TABLES[table],
      input: join(layout.raw, table),
      kind: 'build-lake',
      ...(progress
        ? { onProgress: (phase: string, percent: number) => progress.update(phase, percent) }
        : {}),
    }).finally(() => progress?.stop());
    onReport?.(report);
    reports.push(report);
  }
  // A lake built before the sessions table existed (or left out of step by a crash) gets it now.
  await bringSessionsInStep(layout);
  return reports;
}

/**
 * The tables in build order: experiments before clickstream, so that clickstream's load computes the
 * sessions table once, from all its sources (orders already come first); loaded after it, a whole
 * experiment's assignments would recompute every session a second time.
 */
function buildOrder(): TableName[] {
  const rest = TABLE_NAMES.filter((t) => t !== 'experiments');
  const at = rest.indexOf('clickstream');
  return [...rest.slice(0, at), 'experiments', ...rest.slice(at)];
}

async function bringSessionsInStep(layout: DataLayout): Promise<void> {
  if (sessionsInStep(layout)) return;
  const tempDirectory = join(layout.staging, `tmp-sessions-${randomUUID().slice(0, 8)}`);
  mkdirSync(tempDirectory, { recursive: true });
  // The same cap as the tables' loads (ingestMemoryLimit): with half the machine it took 11 GB at 40M events.
  const db = await DuckDbSession.open({ tempDirectory, memoryLimit: ingestMemoryLimit() });
  try {
    await ensureSessions(db, layout);
  } finally {
    db.close();
    rmSync(tempDirectory, { recursive: true, force: true });
  }
}

/**
 * A report for a table whose raw files are exactly (path, size, modification time) what its live
 * build-lake batch read: re-reading them would only find every row a duplicate (and list each one).
 */
function unchangedSince(layout: DataLayout, table: TableName): IngestReport | null {
  const source = join(layout.raw, table);
  const last = tableBatches(layout, table)
    .filter((b) => b.kind === 'build-lake' && b.source === source && b.state === 'live')
    .at(-1);
  if (!last?.inputs) return null;
  const now = inputStats(resolveSources(source).map((f) => f.path));
  const same =
    now.length === last.inputs.length &&
    now.every((f, i) => {
      const then = last.inputs?.[i];
      return then && then.path === f.path && then.bytes === f.bytes && then.modifiedMs === f.modifiedMs;
    });
  if (!same) return null;
  return {
    table,
    batch: last.id,
    files: now.length,
    read: 0,
    loaded: 0,
    skipped: 0,
    notes: [],
    duplicate: 0,
    quarantined: 0,
    quarantineFile: null,
    duplicatesFile: null,
    replaced: [],
    seconds: 0,
    unchanged: true,
  };
}
