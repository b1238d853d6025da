import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import { dataLayout, TABLE_NAMES, TABLES } from '../lake/index.js';
import { type IngestReport, ingest } from './ingest.js';

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
  const present = TABLE_NAMES.filter((t) => existsSync(join(layout.raw, t)));
  if (present.length === 0) {
    throw new UserError(`no raw data in ${layout.raw}: run 'shoplake generate' first or pass --data DIR`, {
      code: 'no_data',
    });
  }
  const reports: IngestReport[] = [];
  for (const table of present) {
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
  return reports;
}
