import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Longest line DuckDB's CSV reader accepts by default (its max_line_size), in bytes. */
export const MAX_LINE_BYTES = 2_000_000;
/** What stands in for a too-long line in the copy: one field, so the reader rejects it by its line. */
export const LONG_LINE_MARK = '__shoplake_line_too_long__';

/** A line left out of the copy: its number in the file, its size, and its first characters. */
export interface LongLine {
  line: number;
  bytes: number;
  head: string;
}

/**
 * DuckDB fails a whole CSV file on one line longer than MAX_LINE_BYTES, even when told to skip bad
 * lines. This writes a copy (in a temporary directory, removed by `cleanup`) where each such line is
 * replaced by LONG_LINE_MARK, so that the line, and only it, is rejected and quarantined with its
 * number; the line is streamed past, never held in memory whole.
 */
export async function copyWithoutLongLines(
  path: string,
): Promise<{ copy: string; long: LongLine[]; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'shoplake-long-'));
  const copy = join(dir, 'copy.csv');
  const out = createWriteStream(copy);
  const long: LongLine[] = [];
  let line = 1;
  let parts: Buffer[] = [];
  let bytes = 0;
  let head = '';
  const write = async (data: Buffer | string) => {
    if (!out.write(data)) await once(out, 'drain');
  };
  const endLine = async (newline: boolean) => {
    if (bytes > MAX_LINE_BYTES) {
      long.push({ line, bytes, head });
      await write(LONG_LINE_MARK);
    } else {
      for (const p of parts) await write(p);
    }
    if (newline) await write('\n');
    line += 1;
    parts = [];
    bytes = 0;
    head = '';
  };
  try {
    for await (const chunk of createReadStream(path)) {
      const buffer = chunk as Buffer;
      let start = 0;
      for (let nl = buffer.indexOf(10, start); ; nl = buffer.indexOf(10, start)) {
        const piece = buffer.subarray(start, nl === -1 ? buffer.length : nl);
        if (bytes === 0 || head.length < 200) head = (head + piece.toString('utf8', 0, 400)).slice(0, 200);
        bytes += piece.length;
        // Past the limit the line's bytes are dropped as they stream by.
        if (bytes <= MAX_LINE_BYTES) parts.push(Buffer.from(piece));
        else parts = [];
        if (nl === -1) break;
        await endLine(true);
        start = nl + 1;
      }
    }
    if (bytes > 0) await endLine(false);
    out.end();
    await once(out, 'close');
  } catch (err) {
    out.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { copy, long, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
