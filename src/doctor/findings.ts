/** How bad a finding is: damage makes `doctor` exit 1; a warning or a note does not. */
export type Severity = 'damage' | 'warning' | 'info';

/** One thing `shoplake doctor` found, with what to do about it. */
export interface Finding {
  severity: Severity;
  /** Stable name of the kind of finding (e.g. `manifest_unreadable`), for scripts. */
  code: string;
  /** The lake table concerned, or null for WAL, quarantine and duplicates files. */
  table: string | null;
  /** The file concerned (absolute), when there is one. */
  path: string | null;
  message: string;
  /** What to do about it. */
  action: string;
}

/** One thing `shoplake doctor --repair` did. */
export interface RepairAction {
  table: string | null;
  /** What it did, in one line. */
  did: string;
  /** The file it concerned (absolute), when there is one. */
  path: string | null;
}

/** Whether any finding is damage (exit 1). */
export function hasDamage(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'damage');
}

export const REPAIR = "run 'shoplake doctor --repair'";
