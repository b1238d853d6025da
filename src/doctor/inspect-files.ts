import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { COLLECTED_TABLES, walSegments } from '../collector/index.js';
import { type DataLayout, isSealed, readSealedFile, SealedTextError } from '../lake/index.js';
import { type Finding, REPAIR } from './findings.js';

/** WAL segments the collector has acknowledged but not yet moved into the lake. */
export function inspectWal(layout: DataLayout): Finding[] {
  const findings: Finding[] = [];
  for (const table of COLLECTED_TABLES) {
    const segments = walSegments(layout.root, table);
    if (segments.length === 0) continue;
    const bytes = segments.reduce((sum, s) => sum + s.bytes, 0);
    findings.push({
      severity: 'warning',
      code: 'wal_waiting',
      table,
      path: segments[0]?.path ?? null,
      message: `${segments.length} WAL segment(s) (${bytes} bytes) of acknowledged ${table} records are not in the lake yet`,
      action:
        "nothing to do while 'shoplake serve' runs (it compacts them within seconds); otherwise start it and it compacts them first",
    });
  }
  return findings;
}

/** Quarantine and duplicates reports (NDJSON) with a line that does not parse. */
export async function inspectReports(layout: DataLayout): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const root of [layout.quarantine, layout.duplicates]) {
    for (const file of ndjsonFiles(root)) {
      const bad = await firstBadLine(file);
      if (bad === null) continue;
      findings.push({
        severity: 'damage',
        code: 'report_unreadable',
        table: null,
        path: file,
        message: `line ${bad} of ${file} is not JSON: the rows it sets aside cannot all be read`,
        action: `${REPAIR}: moves it to <data>/damaged/ (read what is left of it there)`,
      });
    }
  }
  return findings;
}

function ndjsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ndjson'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

// Line by line, so a large report never sits in memory whole.
async function firstBadLine(file: string): Promise<number | null> {
  // An encrypted lake's report is opened whole (a line that fails authentication throws, with its number).
  if (isSealed(await firstBytes(file))) {
    try {
      return firstBadJson(readSealedFile(file).split('\n'));
    } catch (err) {
      if (err instanceof SealedTextError) return err.line;
      throw err;
    }
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      JSON.parse(line);
    } catch {
      lines.close();
      return n;
    }
  }
  return null;
}

function firstBadJson(lines: readonly string[]): number | null {
  const bad = lines.findIndex((line) => {
    if (line.trim() === '') return false;
    try {
      JSON.parse(line);
      return false;
    } catch {
      return true;
    }
  });
  return bad < 0 ? null : bad + 1;
}

async function firstBytes(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
