import { totalmem } from 'node:os';
import { UserError } from '../errors/index.js';
import type { NativeSession } from './native-session.js';

/**
 * DuckDB's memory limit unless the caller sets one: $SHOPLAKE_MEMORY_LIMIT (e.g. '8GB'), else half of
 * the machine's memory, leaving the rest to the collector and the OS. Past it DuckDB spills to disk.
 */
export function defaultMemoryLimit(): string {
  const set = process.env.SHOPLAKE_MEMORY_LIMIT;
  if (set === undefined || set === '') return `${Math.max(1, Math.floor(totalmem() / 2 / 2 ** 30))}GB`;
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(set.trim())) {
    throw new UserError(`SHOPLAKE_MEMORY_LIMIT=${set} is not a memory size: use e.g. 512MB or 8GB`, {
      code: 'bad_config',
    });
  }
  return set.trim();
}

/** How to open a session. */
export interface SessionOptions {
  threads?: number;
  memoryLimit?: string;
  /** Where large statements spill; a sandboxed session may still write here (keep it private). */
  tempDirectory?: string;
  /**
   * Sandbox for user-written SQL: the only files the session may open (the lake's live files). No other
   * file, no extension, no configuration change; `selectUserSql` only works in such a session.
   */
  readOnlyFiles?: readonly string[];
}

/** One in-memory DuckDB database and connection (see native-session.ts for what it offers). */
export type DuckDbSession = NativeSession;

/**
 * Opens sessions. DuckDB's client and native library (over 100 ms to load) are imported on the first
 * open, not when this module is, so that commands which never query (`query --list`, `--help`) and
 * modules that only name the type start fast.
 */
export const DuckDbSession = {
  /** Opens an in-memory database; `threads` caps parallelism (default: all cores). */
  async open(options: SessionOptions = {}): Promise<DuckDbSession> {
    const { NativeSession } = await import('./native-session.js');
    return NativeSession.open(options);
  },
};
