import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sealText } from '../lake/index.js';
import type { Rejection } from './records.js';

const MAX_RECORD_CHARS = 4096;

/**
 * Keeps rejected records with their reasons in `<data>/quarantine/collector/<table>.ndjson`, like
 * Snowplow's failed events. Appends are chained so lines never interleave; records are cut to 4 KB so
 * a 10 MB string cannot fill the disk. Not fsynced: a lost line costs a diagnostic, never data; a failed
 * write is reported to `onError` (logged and counted by the collector), not swallowed.
 */
export class Quarantine {
  private chain: Promise<void> = Promise.resolve();
  /** Called when lines could not be written (a full disk): the answers were sent, only the copies are lost. */
  onError: (err: unknown, records: number) => void = () => {};
  constructor(private readonly dir: string) {}

  /** Queues the rejected records of one request. */
  keep(table: string, rejections: Rejection[], values: Map<number, unknown>): void {
    if (rejections.length === 0) return;
    const at = new Date().toISOString();
    const byIndex = new Map<number, Rejection[]>();
    for (const r of rejections) byIndex.set(r.index, [...(byIndex.get(r.index) ?? []), r]);
    let lines = '';
    for (const [index, list] of byIndex) {
      const record = serialize(values.get(index));
      const reasons = list.map((r) => r.reason);
      lines += `${JSON.stringify({ received_at: at, index, reasons, record: record.slice(0, MAX_RECORD_CHARS) })}\n`;
    }
    const file = join(this.dir, `${table}.ndjson`);
    this.chain = this.chain
      .then(() => mkdir(this.dir, { recursive: true }))
      .then(() => appendFile(file, sealText(lines)))
      .catch((err: unknown) => this.onError(err, byIndex.size));
  }

  /** Resolves when every queued line is written. */
  flushed(): Promise<void> {
    return this.chain;
  }
}

// Deeply nested input can overflow JSON.stringify's recursion; the reason matters more than the copy.
function serialize(value: unknown): string {
  try {
    return JSON.stringify(value ?? null) ?? 'null';
  } catch {
    return '"(too deeply nested to keep)"';
  }
}
