import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDbSession, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import {
  commitTable,
  type DataLayout,
  dataLayout,
  discardFiles,
  lakeParquetFormat,
  lakeParquetSql,
  liveFiles,
  readSealedFile,
  sealText,
  TABLE_NAMES,
  TABLES,
  type TableName,
  tableDirectory,
} from '../lake/index.js';
import { writeOwnerOnlyLike } from './rewrite.js';

/** The column that says whose a row is; every lake table that has it is searched by an erasure. */
export const CUSTOMER_COLUMN = 'customer_id';

/** What an erasure took out. */
export interface ErasureReport {
  customer: string;
  /** Rows removed per lake table (tables without the customer column are not listed). */
  tables: Partial<Record<TableName, { rows: number; filesRewritten: number; filesRetired: number }>>;
  /** Lines removed from quarantine and duplicates reports, per file (relative to the data directory). */
  reports: { file: string; lines: number }[];
  /** Files that held the person's rows and were taken out of the live lists (deleted when purged). */
  replaced: string[];
  purged: boolean;
}

/** Tables whose spec has a customer column: generic, so a table added later (sessions, scores) is included. */
export function customerTables(): TableName[] {
  return TABLE_NAMES.filter((t) => TABLES[t].columns.some((c) => c.name === CUSTOMER_COLUMN));
}

/**
 * Removes one person's rows from every lake table with a customer column, and their lines from the
 * quarantine and duplicates reports. Each table changes in one commit under its lock (rewritten files
 * replace the old ones atomically; readers of the old list keep working); `purge` deletes the replaced
 * files at once instead of after the usual ten minutes, which fails a query that is reading them.
 */
export async function eraseCustomer(
  db: DuckDbSession,
  dataDir: string,
  customer: string,
  options: { purge?: boolean } = {},
): Promise<ErasureReport> {
  if (customer.trim() === '' || customer.length > 256) throw new UserError('--customer needs a customer id');
  const layout = dataLayout(dataDir);
  const emails = await customerEmails(db, layout, customer);
  const report: ErasureReport = { customer, tables: {}, reports: [], replaced: [], purged: false };
  for (const table of customerTables()) {
    const tableDir = tableDirectory(layout, table);
    if (!existsSync(tableDir)) continue;
    const counts = { rows: 0, filesRewritten: 0, filesRetired: 0 };
    await commitTable(tableDir, async ({ files }) => {
      const plan = await planErasure(db, files, customer);
      if (plan.retire.length === 0) return null;
      counts.rows = plan.rows;
      counts.filesRewritten = plan.add.length;
      counts.filesRetired = plan.retire.length - plan.add.length;
      report.replaced.push(...plan.retire);
      const retire = new Set(plan.retire);
      return { files: [...files.filter((f) => !retire.has(f)), ...plan.add] };
    });
    report.tables[table] = counts;
  }
  for (const dir of [layout.quarantine, layout.duplicates]) {
    for (const file of ndjsonFiles(dir)) {
      const lines = eraseLines(file, customer, emails);
      if (lines > 0) report.reports.push({ file: file.slice(layout.root.length + 1), lines });
    }
  }
  if (options.purge) {
    for (const f of report.replaced) rmSync(f, { force: true });
    report.purged = true;
  }
  return report;
}

// The person's emails (as loaded), to find them in reports that keep rows as raw text.
async function customerEmails(db: DuckDbSession, layout: DataLayout, customer: string): Promise<string[]> {
  const files = liveFiles(tableDirectory(layout, 'customers'));
  if (files.length === 0) return [];
  const rows = await db.all(
    `SELECT DISTINCT email FROM ${lakeParquetSql(files, 'union_by_name = true')}
     WHERE ${CUSTOMER_COLUMN} = :id AND email IS NOT NULL`,
    { id: customer },
  );
  return rows.map((r) => String(r.email));
}

/** Files to retire (every file holding the person's rows) and their rewrites without those rows. */
async function planErasure(
  db: DuckDbSession,
  files: readonly string[],
  customer: string,
): Promise<{ retire: string[]; add: string[]; rows: number }> {
  const plan = { retire: [] as string[], add: [] as string[], rows: 0 };
  if (files.length === 0) return plan;
  const hits = await db.all(
    `SELECT filename AS file, count(*) FILTER (WHERE ${CUSTOMER_COLUMN} = :id) AS hit, count(*) AS total
     FROM ${lakeParquetSql(files, 'union_by_name = true, filename = true, hive_partitioning = false')}
     GROUP BY filename HAVING hit > 0`,
    { id: customer },
  );
  try {
    for (const h of hits) {
      const file = String(h.file);
      plan.retire.push(file);
      plan.rows += Number(h.hit);
      if (Number(h.hit) === Number(h.total)) continue;
      const target = join(
        dirname(file),
        `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}-erased.parquet`,
      );
      await db.run(
        `COPY (SELECT * FROM ${lakeParquetSql(file)}
           WHERE ${CUSTOMER_COLUMN} IS DISTINCT FROM :id)
         TO ${sqlString(target)} ${await lakeParquetFormat(db)}`,
        { id: customer },
      );
      plan.add.push(target);
    }
  } catch (err) {
    discardFiles(plan.add);
    throw err;
  }
  return plan;
}

function ndjsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (entry.endsWith('.ndjson') && statSync(path).isFile()) out.push(path);
  }
  return out.sort();
}

/**
 * Drops the lines of one report that belong to the person: a customer field (any key naming a customer,
 * at any depth, also inside a record kept as text) equal to the id, or any of their emails anywhere.
 * Returns how many lines went; the file is replaced atomically.
 */
function eraseLines(file: string, customer: string, emails: readonly string[]): number {
  const text = readSealedFile(file);
  const lines = text.split('\n');
  const lowered = emails.map((e) => e.toLowerCase());
  const kept = lines.filter((line) => line === '' || !belongsTo(line, customer, lowered));
  const removed = lines.length - kept.length;
  if (removed > 0) writeOwnerOnlyLike(file, sealText(kept.join('\n')));
  return removed;
}

function belongsTo(line: string, customer: string, emails: readonly string[]): boolean {
  const lower = line.toLowerCase();
  if (emails.some((e) => lower.includes(e))) return true;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return line.includes(customer);
  }
  return holdsCustomer(value, customer);
}

function holdsCustomer(value: unknown, customer: string): boolean {
  if (typeof value === 'string') {
    // A record kept as JSON text (the collector's quarantine).
    if (value.startsWith('{') || value.startsWith('[')) {
      try {
        return holdsCustomer(JSON.parse(value), customer);
      } catch {
        return false;
      }
    }
    return false;
  }
  if (Array.isArray(value)) return value.some((v) => holdsCustomer(v, customer));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([k, v]) => (/customer/i.test(k) && String(v) === customer) || holdsCustomer(v, customer),
    );
  }
  return false;
}
