import { existsSync } from 'node:fs';
import { DuckDbSession } from '../duckdb/index.js';
import { checkLakeEncryption, dataLayout, TABLE_NAMES } from '../lake/index.js';
import { type Finding, hasDamage, type RepairAction } from './findings.js';
import { inspectReports, inspectWal } from './inspect-files.js';
import { inspectStaging } from './inspect-staging.js';
import { inspectTable } from './inspect-table.js';
import { repairTable } from './repair-table.js';
import { moveAside } from './set-aside.js';

export { type Finding, hasDamage, type RepairAction, type Severity } from './findings.js';
export { ORPHAN_AGE_MS } from './inspect-table.js';

/** What `shoplake doctor` found (and, with repair, did and found afterwards). */
export interface DoctorReport {
  findings: Finding[];
  repairs: RepairAction[];
  /** Findings left after the repair (equal to `findings` without repair). */
  after: Finding[];
}

/** Checks every table, the WAL and the quarantine and duplicates reports of a data directory. */
export async function checkLake(dataDir: string): Promise<Finding[]> {
  const layout = dataLayout(dataDir);
  // Without the encrypted lake's key (or with another) every file would look damaged: say so instead.
  checkLakeEncryption(layout);
  const db = await DuckDbSession.open({ threads: 2 });
  try {
    const findings: Finding[] = [];
    if (existsSync(layout.lake)) {
      for (const table of TABLE_NAMES)
        findings.push(...(await inspectTable(db, layout.lake, table)).findings);
    }
    findings.push(...inspectWal(layout), ...(await inspectReports(layout)), ...inspectStaging(layout));
    return findings;
  } finally {
    db.close();
  }
}

/**
 * Checks the lake, repairs what it can (each table under its lock, so a running collector is safe),
 * and checks again. Unreadable quarantine and duplicates reports, and a crashed writer's staging
 * entries, move to <data>/damaged/.
 */
export async function repairLake(dataDir: string): Promise<DoctorReport> {
  const layout = dataLayout(dataDir);
  const findings = await checkLake(dataDir);
  const repairs: RepairAction[] = [];
  const db = await DuckDbSession.open({ threads: 2 });
  try {
    const tables = new Set(findings.map((f) => f.table));
    for (const table of TABLE_NAMES) {
      if (tables.has(table)) repairs.push(...(await repairTable(db, layout, table)));
    }
  } finally {
    db.close();
  }
  for (const f of findings) {
    const movable = f.code === 'report_unreadable' || f.code === 'staging_leftover';
    if (!movable || f.path === null || !existsSync(f.path)) continue;
    repairs.push({ table: null, did: `moved ${f.path} to ${moveAside(layout, f.path)}`, path: f.path });
  }
  return { findings, repairs, after: await checkLake(dataDir) };
}

/** Runs the check alone (no repair) as a report. */
export async function doctorLake(dataDir: string, repair: boolean): Promise<DoctorReport> {
  if (repair) return repairLake(dataDir);
  const findings = await checkLake(dataDir);
  return { findings, repairs: [], after: findings };
}

/** Whether the lake is healthy after what the doctor did. */
export function healthy(report: DoctorReport): boolean {
  return !hasDamage(report.after);
}
