import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbSession, type SessionOptions, sqlString } from '../duckdb/index.js';
import type { TableName } from '../lake/index.js';
import { lakeParquetFormat } from '../lake/index.js';

/**
 * Masked copies of the tables with personal data, for a sandboxed engine that masks: each is a Parquet
 * file in the engine's private temp directory (0700), written from the masking SELECT once per version of
 * the table's manifest. The sandbox may read the copy but never the table's own files; a view computing
 * the mask would not do, since user SQL could read its definition (duckdb_views()) with the key in it.
 */
export class MaskedCopies {
  private readonly copies = new Map<TableName, { version: string; file: string }>();
  private written = 0;
  private readonly retired: string[] = [];

  constructor(
    private readonly directory: string,
    /** How to open the session that writes a copy (memory limit, threads, spill directory). */
    private readonly session: SessionOptions,
  ) {}

  /** The copy of a table, if one is current. */
  file(table: TableName): string | undefined {
    return this.copies.get(table)?.file;
  }

  /** Every current copy (the files a sandboxed session may read besides the lake's). */
  files(): string[] {
    return [...this.copies.values()].map((c) => c.file);
  }

  /**
   * Drops the copy of a table that is no longer loaded (or is replaced). Its file stays until
   * removeRetired, since a statement of an older session may still be reading it.
   */
  drop(table: TableName): void {
    const current = this.copies.get(table);
    if (current) this.retired.push(current.file);
    this.copies.delete(table);
  }

  /** Deletes the files of dropped copies (call when no session that could read them is running). */
  removeRetired(): void {
    for (const file of this.retired.splice(0)) rmSync(file, { force: true });
  }

  /** Writes the table's copy from `select` unless the copy of this version exists; throws what DuckDB throws. */
  async refresh(table: TableName, version: string, select: string): Promise<void> {
    if (this.copies.get(table)?.version === version) return;
    this.drop(table);
    const file = join(this.directory, `${table}-masked-${++this.written}.parquet`);
    const writer = await DuckDbSession.open(this.session);
    try {
      await writer.run(`COPY (${select}) TO ${sqlString(file)} ${await lakeParquetFormat(writer)}`);
      this.copies.set(table, { version, file });
    } catch (err) {
      rmSync(file, { force: true });
      throw err;
    } finally {
      writer.close();
    }
  }
}
