import type { TableSpec } from '../lake/index.js';
import { typedSql } from './validate.js';

/**
 * Identity of an event without a client id: a hash of its content, so re-sending the same event is a
 * duplicate. 'h' + the first 24 hex digits of md5 over the typed fields as text, joined by '|'.
 */
export function contentIdSql(spec: TableSpec): string {
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  const content = [
    'timestamp',
    'session_id',
    'customer_id',
    'action',
    'page',
    'product_id',
    'device',
    'duration_seconds',
  ]
    .map((name) => {
      const column = byName.get(name);
      if (!column) throw new Error(`clickstream has no column ${name}`);
      return `coalesce(CAST(${typedSql(column)} AS VARCHAR), '')`;
    })
    .join(", '|', ");
  return `'h' || left(md5(concat(${content})), 24)`;
}
