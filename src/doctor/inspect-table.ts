import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DuckDbSession } from '../duckdb/index.js';
import {
  BATCH_LOG_FILE,
  listDirectory,
  MANIFEST_FILE,
  type Manifest,
  RETIRE_MS,
  readManifest,
  TABLES,
  type TableName,
} from '../lake/index.js';
import { entriesUpTo, liveBatchIds, type RawLog, readRawLog } from './batch-log.js';
import { type Finding, REPAIR } from './findings.js';
import { checkParquetFile, type ParquetCheck } from './parquet-file.js';

/** Files no manifest lists are left alone this long: a running writer puts its files in place before it commits. */
export const ORPHAN_AGE_MS = 60 * 60 * 1000;

/** What `doctor` read of one table, for the findings and for the repair. */
export interface TableInspection {
  table: TableName;
  dir: string;
  manifest:
    | { state: 'ok'; value: Manifest }
    | { state: 'missing' }
    | { state: 'unreadable'; problem: string };
  log: RawLog;
  /** Live files the manifest lists (absolute) and what reading each found (null: missing). */
  listed: { file: string; check: ParquetCheck | null }[];
  /** Parquet files on disk that the manifest neither lists nor retires (absolute), with their age. */
  orphans: { file: string; ageMs: number }[];
  /** Retired files older than RETIRE_MS still on disk (absolute). */
  expiredRetired: string[];
  findings: Finding[];
}

/** Reads one table's manifest, batch log and files, and says what is wrong with them. */
export async function inspectTable(
  db: DuckDbSession,
  lakeDir: string,
  table: TableName,
  now = Date.now(),
): Promise<TableInspection> {
  const dir = join(lakeDir, table);
  const log = readRawLog(dir);
  const found: TableInspection = {
    table,
    dir,
    manifest: { state: 'missing' },
    log,
    listed: [],
    orphans: [],
    expiredRetired: [],
    findings: [],
  };
  const add = (f: Omit<Finding, 'table'>) => found.findings.push({ table, ...f });
  if (!existsSync(dir)) return found;
  const manifestPath = join(dir, MANIFEST_FILE);
  try {
    const value = readManifest(dir);
    if (value) found.manifest = { state: 'ok', value };
  } catch (err) {
    const problem = err instanceof Error ? err.message.split('\n')[0]?.slice(0, 160) : String(err);
    found.manifest = { state: 'unreadable', problem: problem ?? 'unreadable' };
    add({
      severity: 'damage',
      code: 'manifest_unreadable',
      path: manifestPath,
      message: `${MANIFEST_FILE} cannot be read (${problem}): the table cannot be queried`,
      action: `${REPAIR}: rebuilds it from the files on disk and the batch log`,
    });
  }
  if (found.manifest.state === 'missing') {
    if (log.size > 0) {
      add({
        severity: 'damage',
        code: 'manifest_missing',
        path: manifestPath,
        message: `${MANIFEST_FILE} is missing although the table has a batch log: every file on disk would count as live, uncommitted ones included`,
        action: `${REPAIR}: rebuilds it from the files on disk and the batch log`,
      });
    } else if (listDirectory(dir).length > 0) {
      add({
        severity: 'info',
        code: 'manifest_none',
        path: manifestPath,
        message: 'no manifest: every Parquet file counts as live (a lake written before manifests)',
        action: 'nothing to do: the next write to the table adopts them',
      });
    }
  }
  if (found.manifest.state !== 'ok') {
    if (log.size > log.validBytes) {
      add({
        severity: 'warning',
        code: 'log_uncommitted_tail',
        path: log.path,
        message: `${BATCH_LOG_FILE} ends in ${log.size - log.validBytes} byte(s) that are no whole entry (a writer died while appending)`,
        action: `${REPAIR} cuts them off (kept in <data>/damaged/)`,
      });
    }
    await inspectUnlistedFiles(db, found, now);
    return found;
  }
  const manifest = found.manifest.value;
  inspectLog(found, manifest, add);
  const entries = entriesUpTo(log, manifest.version === 2 ? Math.min(manifest.log, log.validBytes) : 0) ?? [];
  const live = liveBatchIds(entries);
  for (const rel of manifest.files) {
    const file = join(dir, rel);
    if (!existsSync(file)) {
      found.listed.push({ file, check: null });
      add({
        severity: 'damage',
        code: 'file_missing',
        path: file,
        message: `the manifest lists ${rel}, which is not on disk: queries of the table fail`,
        action: `${REPAIR}: drops it from the manifest (its rows are gone; restore the file instead if you have a copy)`,
      });
      continue;
    }
    const check = await checkParquetFile(db, TABLES[table], file);
    found.listed.push({ file, check });
    if (!check.ok) {
      add({
        severity: 'damage',
        code: 'file_unreadable',
        path: file,
        message: `live file ${rel} is ${check.problem}`,
        action: `${REPAIR}: moves it to <data>/damaged/ and drops it from the manifest`,
      });
      continue;
    }
    const unknown = check.batches.filter((b): b is string => b !== null && !live.has(b));
    if (unknown.length > 0 && manifest.version === 2) {
      add({
        severity: 'damage',
        code: 'file_batch_not_live',
        path: file,
        message: `live file ${rel} holds rows of batch ${unknown.join(', ')}, which the batch log does not list as live`,
        action: "check 'shoplake batches'; 'shoplake rollback' takes a batch's rows out",
      });
    }
  }
  const known = new Set([...manifest.files, ...manifest.retired.map((r) => r.file)]);
  for (const rel of listDirectory(dir).filter((f) => !known.has(f))) {
    const file = join(dir, rel);
    const ageMs = now - statSync(file).mtimeMs;
    found.orphans.push({ file, ageMs });
    const old = ageMs >= ORPHAN_AGE_MS;
    add({
      severity: old ? 'warning' : 'info',
      code: 'file_unlisted',
      path: file,
      message: `${rel} is on disk but no manifest lists it (${old ? 'left by a writer that crashed before committing' : 'a writer may be about to commit it'}); readers ignore it`,
      action: old
        ? `${REPAIR}: moves it to <data>/damaged/ (or 'shoplake compact' deletes it)`
        : 'nothing to do: left alone for an hour in case a running writer commits it',
    });
  }
  for (const r of manifest.retired) {
    const file = join(dir, r.file);
    if (now - r.at < RETIRE_MS || !existsSync(file)) continue;
    found.expiredRetired.push(file);
    add({
      severity: 'warning',
      code: 'retired_expired',
      path: file,
      message: `${r.file} was taken out of the table more than ${RETIRE_MS / 60_000} minutes ago and is still on disk`,
      action: `${REPAIR} deletes it now (the next commit to the table would)`,
    });
  }
  return found;
}

// The manifest's committed length against the log on disk.
function inspectLog(found: TableInspection, manifest: Manifest, add: (f: Omit<Finding, 'table'>) => void) {
  const { log } = found;
  const path = join(found.dir, BATCH_LOG_FILE);
  if (manifest.version !== 2) return;
  if (manifest.log > log.size) {
    add({
      severity: 'damage',
      code: 'log_truncated',
      path,
      message: `the manifest says ${manifest.log} bytes of ${BATCH_LOG_FILE} are committed but it has ${log.size}: batches and rollback do not know every batch`,
      action: `${REPAIR}: keeps the whole entries that are left`,
    });
  } else if (manifest.log > log.validBytes) {
    add({
      severity: 'damage',
      code: 'log_unreadable',
      path,
      message: `${BATCH_LOG_FILE} has an unreadable line at byte ${log.validBytes}, inside its committed ${manifest.log} bytes`,
      action: `${REPAIR}: keeps the entries before it and moves the rest to <data>/damaged/`,
    });
  } else if (log.size > manifest.log) {
    add({
      severity: 'warning',
      code: 'log_uncommitted_tail',
      path,
      message: `${BATCH_LOG_FILE} has ${log.size - manifest.log} bytes past its committed length (a writer died before committing): ignored`,
      action: `${REPAIR} cuts them off (kept in <data>/damaged/); the next commit would too`,
    });
  }
}

// With no usable manifest, every Parquet file on disk is checked (the rebuild decides which are live).
async function inspectUnlistedFiles(db: DuckDbSession, found: TableInspection, now: number): Promise<void> {
  for (const rel of listDirectory(found.dir)) {
    const file = join(found.dir, rel);
    const check = await checkParquetFile(db, TABLES[found.table], file);
    found.orphans.push({ file, ageMs: now - statSync(file).mtimeMs });
    if (check.ok) continue;
    found.findings.push({
      table: found.table,
      severity: 'damage',
      code: 'file_unreadable',
      path: file,
      message: `${relative(found.dir, file)} is ${check.problem}`,
      action: `${REPAIR}: moves it to <data>/damaged/`,
    });
  }
}
