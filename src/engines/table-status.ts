import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errorMessage, UserError } from '../errors/index.js';
import {
  type DataLayout,
  manifestVersion,
  TABLE_NAMES,
  TABLES,
  type TableName,
  tableFiles,
} from '../lake/index.js';
import type { TableStatus } from './types.js';

// The manifest's file name is part of the lake's documented on-disk format (README, docs/).
const MANIFEST = '_manifest.json';

/** Checks that the data directory exists and is a directory (a file there gives empty results otherwise). */
export function assertDataDir(root: string): void {
  if (!existsSync(root)) {
    throw new UserError(`data directory ${root} does not exist: run 'shoplake generate' or pass --data DIR`, {
      code: 'no_data',
    });
  }
  if (!statSync(root).isDirectory()) {
    throw new UserError(
      `--data ${root} is a file, not a data directory: pass the directory 'generate' wrote`,
      {
        code: 'no_data',
      },
    );
  }
}

/** Cheap token that changes when a table's file list may have changed (one stat); damaged tables never cache. */
export function tableVersion(layout: DataLayout, table: TableName): string {
  return manifestVersion(join(layout.lake, table));
}

/** Where the engine reads a table's data files from. */
export interface StatusOptions {
  /**
   * False when the engine reads the data files elsewhere than this process sees the lake (Spark reading
   * it from HDFS or S3, where only the manifests are here): the manifest's list is then trusted as it
   * is, since a file missing here is not missing there. Default true.
   */
  filesHere?: boolean;
}

/**
 * The state of one table: loaded when its manifest (or, in lakes older than manifests, its directory)
 * lists files that all exist (where the engine reads them: see StatusOptions); not loaded when there is
 * neither manifest nor file; damaged when the manifest cannot be read or lists a file that is gone.
 * Other tables do not depend on it.
 */
export function tableStatus(layout: DataLayout, table: TableName, options: StatusOptions = {}): TableStatus {
  const dir = join(layout.lake, table);
  let files: string[];
  try {
    files = tableFiles(layout, TABLES[table]);
  } catch (err) {
    return damaged(table, `its ${MANIFEST} cannot be read (${errorMessage(err).slice(0, 120)})`);
  }
  const gone = options.filesHere === false ? [] : files.filter((f) => !existsSync(f));
  if (gone.length > 0) {
    const example = relative(layout.lake, gone[0] ?? '');
    return damaged(table, `${gone.length} file(s) its manifest lists are missing, e.g. ${example}`);
  }
  if (files.length === 0 && !existsSync(join(dir, MANIFEST))) {
    return { table, state: 'not loaded', files: [], problem: null };
  }
  return { table, state: 'loaded', files, problem: null };
}

/** The state of every lake table. */
export function tableStatuses(layout: DataLayout, options: StatusOptions = {}): TableStatus[] {
  return TABLE_NAMES.map((t) => tableStatus(layout, t, options));
}

/** A status for a table found damaged while registering or reading it. */
export function damaged(table: TableName, problem: string): TableStatus {
  return { table, state: 'damaged', files: [], problem };
}

/** The one line a user sees when a query needs a table that cannot be read. */
export function unavailableTable(status: TableStatus): UserError {
  if (status.state === 'damaged') {
    return new UserError(
      `table ${status.table} is damaged: ${status.problem}; run 'shoplake doctor' (other tables still work)`,
      { code: 'table_damaged' },
    );
  }
  // A derived table (sessions) comes with its source: say to load that one.
  const load = TABLES[status.table].derivedFrom ?? status.table;
  return new UserError(
    `the lake has no ${status.table} table yet: run 'shoplake build-lake' (after 'shoplake generate') ` +
      `or 'shoplake ingest FILE --table ${load}'`,
    { code: 'table_not_loaded' },
  );
}
