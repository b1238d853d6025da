import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { openSealedText } from '../lake/index.js';

const quarantineLine = z.object({ source: z.string(), record: z.string() });
const walRecord = z.record(z.string(), z.union([z.string(), z.number()]));

/**
 * The keys of the records ingest quarantined from one WAL segment, read from ingest's quarantine file
 * (one JSON line per refused record: source file, line, reason and the record as read). Records from
 * other sources in the file, and lines that are not JSON (a torn tail has no key), are skipped.
 */
export async function quarantinedKeys(
  quarantineFile: string,
  segment: string,
  keyOf: (record: Record<string, string | number>) => string,
): Promise<string[]> {
  const source = resolve(segment);
  const keys: string[] = [];
  const text = openSealedText(await readFile(quarantineFile, 'utf8'), quarantineFile);
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = quarantineLine.safeParse(JSON.parse(line));
      if (!entry.success || resolve(entry.data.source) !== source) continue;
      const record = walRecord.safeParse(JSON.parse(entry.data.record));
      if (record.success) keys.push(keyOf(record.data));
    } catch {
      // Not JSON: nothing to forget.
    }
  }
  return keys;
}
