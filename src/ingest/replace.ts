import { basename } from 'node:path';
import { type DataLayout, type TableName, tableBatches } from '../lake/index.js';

/**
 * The live batches an `ingest --replace` of `source` takes out: those loaded from the same path, or,
 * when there are none, from a file or directory of the same name (a fresh export saved elsewhere).
 */
export function replacedBatches(layout: DataLayout, table: TableName, source: string): string[] {
  const live = tableBatches(layout, table).filter((b) => b.state === 'live');
  const samePath = live.filter((b) => b.source === source);
  const chosen = samePath.length > 0 ? samePath : live.filter((b) => basename(b.source) === basename(source));
  return chosen.map((b) => b.id);
}
