import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { lakeKey } from '../duckdb/index.js';
import { scratchDirectory, sealText } from '../lake/index.js';

// Lines are sealed in chunks of about this many characters: bounded memory, few authentication tags.
const CHUNK_CHARS = 1 << 20;

/**
 * Has `write` (a DuckDB COPY … TO path) produce the report `file`. On a plain lake it writes the file
 * itself; on an encrypted lake it writes to a private scratch directory off the data directory's disk,
 * and the lines are sealed into `file` (sealed-text.ts), so no row of the report is ever stored in clear.
 */
export async function writeReportFile(file: string, write: (path: string) => Promise<void>): Promise<void> {
  if (!lakeKey()) return write(file);
  const scratch = scratchDirectory();
  try {
    const plain = join(scratch, 'report.ndjson');
    await write(plain);
    const out = openSync(file, 'w', 0o600);
    try {
      let chunk = '';
      for await (const line of createInterface({
        input: createReadStream(plain),
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        chunk += `${line}\n`;
        if (chunk.length >= CHUNK_CHARS) {
          writeSync(out, sealText(chunk));
          chunk = '';
        }
      }
      if (chunk !== '') writeSync(out, sealText(chunk));
    } finally {
      closeSync(out);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
