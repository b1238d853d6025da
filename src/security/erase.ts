import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDbSession, idSetSql, sqlString } from '../duckdb/index.js';
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
  SealedTextError,
  sealText,
  TABLE_NAMES,
  TABLES,
  type TableName,
  tableDirectory,
} from '../lake/index.js';
import { writeOwnerOnlyLike } from './rewrite.js';

/** The column that says whose a row is; every lake table that has it is searched by an erasure. */
export const CUSTOMER_COLUMN = 'customer_id';

/** The column that links a row to an order; tables that have it but no customer column hold the person's orders' rows. */
export const ORDER_COLUMN = 'order_id';

/** The column that links a row to a browsing session; tables that have it alone hold the person's sessions' rows. */
export const SESSION_COLUMN = 'session_id';

/** What an erasure took out. */
export interface ErasureReport {
  customer: string;
  /** Rows removed per lake table (tables with neither the customer column nor an order id are not listed). */
  tables: Partial<Record<TableName, { rows: number; filesRewritten: number; filesRetired: number }>>;
  /** Lines removed from quarantine and duplicates reports, per file (relative to the data directory). */
  reports: { file: string; lines: number }[];
  /** Files that held the person's rows and were taken out of the live lists (deleted when purged). */
  replaced: string[];
  purged: boolean;
  /** Other spellings of the id the lake holds (case or surrounding spaces differ), when nothing matched exactly. */
  nearMatches: string[];
  /**
   * The person's records acknowledged by a collector and still in its write-ahead log: not erased (the WAL
   * belongs to the running collector), they reach the lake at its next compaction; erase again after it.
   */
  walPending: number;
  /** WAL segments that could not be read just now (a line being written): they may hold the person's records. */
  walUnread: string[];
}

/** Tables whose spec has a customer column: generic, so a table added later (sessions, scores) is included. */
export function customerTables(): TableName[] {
  return TABLE_NAMES.filter((t) => TABLES[t].columns.some((c) => c.name === CUSTOMER_COLUMN));
}

/**
 * Tables that have an order id but no customer column (order checks, fraud labels): their rows describe
 * an order (device, IP country, payment method) and so the person who placed it, found by the order ids.
 */
export function orderLinkedTables(): TableName[] {
  return TABLE_NAMES.filter((t) => {
    const names = TABLES[t].columns.map((c) => c.name);
    return names.includes(ORDER_COLUMN) && !names.includes(CUSTOMER_COLUMN);
  });
}

/**
 * Tables that have a session id but neither a customer column nor an order id (experiments): a row ties
 * one of the person's sessions to an experiment's arm, found by the session ids.
 */
export function sessionLinkedTables(): TableName[] {
  return TABLE_NAMES.filter((t) => {
    const names = TABLES[t].columns.map((c) => c.name);
    return (
      names.includes(SESSION_COLUMN) && !names.includes(CUSTOMER_COLUMN) && !names.includes(ORDER_COLUMN)
    );
  });
}

/**
 * Removes one person's rows from every lake table with a customer column (with the anonymous events of
 * their sessions), the rows of their orders from the tables keyed by order id alone (order checks, fraud
 * labels), the rows of their sessions from the tables keyed by session id alone (experiments), and their lines from the
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
  const report: ErasureReport = {
    customer,
    tables: {},
    reports: [],
    replaced: [],
    purged: false,
    nearMatches: [],
    walPending: 0,
    walUnread: [],
  };
  // Read before the orders go: the only place that says which order ids were the person's.
  const orderIds = await customerOrderIds(db, layout, customer);
  const sessionIds = await customerSessionIds(db, layout, customer);
  const byCustomer: Match = { sql: `${CUSTOMER_COLUMN} = :id`, params: { id: customer } };
  // An event of the person's session sent before they signed in has no customer id (or GUEST), but it is theirs.
  const byCustomerOrSession: Match = {
    sql: `(${CUSTOMER_COLUMN} = :id OR ${SESSION_COLUMN} IN ${idSetSql(sessionIds)})`,
    params: { id: customer },
  };
  const byOrder: Match = {
    sql: `${ORDER_COLUMN} IN ${idSetSql(orderIds)}`,
    params: {},
  };
  const bySession: Match = { sql: `${SESSION_COLUMN} IN ${idSetSql(sessionIds)}`, params: {} };
  const hasSession = (t: TableName) => TABLES[t].columns.some((c) => c.name === SESSION_COLUMN);
  const targets: [TableName, Match][] = [
    ...customerTables().map((t): [TableName, Match] => [
      t,
      sessionIds.length > 0 && hasSession(t) ? byCustomerOrSession : byCustomer,
    ]),
    ...(orderIds.length > 0 ? orderLinkedTables().map((t): [TableName, Match] => [t, byOrder]) : []),
    ...(sessionIds.length > 0 ? sessionLinkedTables().map((t): [TableName, Match] => [t, bySession]) : []),
  ];
  for (const [table, match] of targets) {
    const tableDir = tableDirectory(layout, table);
    if (!existsSync(tableDir)) continue;
    const counts = { rows: 0, filesRewritten: 0, filesRetired: 0 };
    await commitTable(tableDir, async ({ files }) => {
      const plan = await planErasure(db, files, match);
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
  for (const file of ndjsonFiles(join(layout.root, 'wal'))) {
    try {
      report.walPending += countLines(file, customer, emails);
    } catch (err) {
      // The collector appends to its open segment while we read: a torn last line is not damage, and the
      // erasure of the lake is done; the CLI says to erase again after the next compaction.
      if (!(err instanceof SealedTextError)) throw err;
      report.walUnread.push(file.slice(layout.root.length + 1));
    }
  }
  if (options.purge) {
    for (const f of report.replaced) rmSync(f, { force: true });
    report.purged = true;
  }
  const found =
    Object.values(report.tables).some((t) => t !== undefined && t.rows > 0) || report.reports.length > 0;
  if (!found) report.nearMatches = await nearMatches(db, layout, customer);
  return report;
}

/** A WHERE condition that picks the rows to erase, with its parameters. */
interface Match {
  sql: string;
  params: Record<string, string>;
}

// The ids of the orders placed by the person: every line of them is theirs (an order id that other
// customers' lines share, in a messy export, is left to its other owners).
async function customerOrderIds(db: DuckDbSession, layout: DataLayout, customer: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const table of customerTables()) {
    if (!TABLES[table].columns.some((c) => c.name === ORDER_COLUMN)) continue;
    const files = liveFiles(tableDirectory(layout, table));
    if (files.length === 0) continue;
    const rows = await db.all(
      `SELECT ${ORDER_COLUMN} AS id FROM ${lakeParquetSql(files, 'union_by_name = true')}
       GROUP BY ${ORDER_COLUMN}
       HAVING bool_and(${CUSTOMER_COLUMN} IS NOT DISTINCT FROM :id)`,
      { id: customer },
    );
    for (const r of rows) ids.add(String(r.id));
  }
  return [...ids].sort();
}

// The ids of the person's sessions: every customer id a session's rows carry, in every table, is theirs
// (events before sign-in carry none, or the seed's GUEST). A session that also carries another customer's id anywhere (a shared
// device; the sessions table keeps one id a session) is left to its other owner.
async function customerSessionIds(
  db: DuckDbSession,
  layout: DataLayout,
  customer: string,
): Promise<string[]> {
  const mine = new Set<string>();
  const shared = new Set<string>();
  for (const table of customerTables()) {
    if (!TABLES[table].columns.some((c) => c.name === SESSION_COLUMN)) continue;
    const files = liveFiles(tableDirectory(layout, table));
    if (files.length === 0) continue;
    const rows = await db.all(
      `SELECT ${SESSION_COLUMN} AS id, bool_or(${CUSTOMER_COLUMN} NOT IN (:id, 'GUEST')) AS shared
       FROM ${lakeParquetSql(files, 'union_by_name = true')}
       WHERE ${SESSION_COLUMN} IS NOT NULL
       GROUP BY ${SESSION_COLUMN}
       HAVING bool_or(${CUSTOMER_COLUMN} = :id)`,
      { id: customer },
    );
    for (const r of rows) (r.shared === true ? shared : mine).add(String(r.id));
  }
  return [...mine].filter((id) => !shared.has(id)).sort();
}

// Customer ids the lake holds that differ from the one given only in case or surrounding spaces: an
// erasure of 'c1042' that matched nothing must not pass for the erasure of 'C1042'.
async function nearMatches(db: DuckDbSession, layout: DataLayout, customer: string): Promise<string[]> {
  const found = new Set<string>();
  for (const table of customerTables()) {
    const files = liveFiles(tableDirectory(layout, table));
    if (files.length === 0) continue;
    const rows = await db.all(
      `SELECT DISTINCT ${CUSTOMER_COLUMN} AS id FROM ${lakeParquetSql(files, 'union_by_name = true')}
       WHERE lower(trim(${CUSTOMER_COLUMN})) = lower(trim(:id)) AND ${CUSTOMER_COLUMN} <> :id`,
      { id: customer },
    );
    for (const r of rows) found.add(String(r.id));
  }
  return [...found].sort();
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
  match: Match,
): Promise<{ retire: string[]; add: string[]; rows: number }> {
  const plan = { retire: [] as string[], add: [] as string[], rows: 0 };
  if (files.length === 0) return plan;
  const hits = await db.all(
    `SELECT filename AS file, count(*) FILTER (WHERE ${match.sql}) AS hit, count(*) AS total
     FROM ${lakeParquetSql(files, 'union_by_name = true, filename = true, hive_partitioning = false')}
     GROUP BY filename HAVING hit > 0`,
    match.params,
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
           WHERE NOT coalesce(${match.sql}, false))
         TO ${sqlString(target)} ${await lakeParquetFormat(db)}`,
        match.params,
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

function countLines(file: string, customer: string, emails: readonly string[]): number {
  const lowered = emails.map((e) => e.toLowerCase());
  return readSealedFile(file)
    .split('\n')
    .filter((line) => line !== '' && belongsTo(line, customer, lowered)).length;
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
