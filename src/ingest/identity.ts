import { EVENT_CONTENT_FIELDS, type TableSpec } from '../lake/index.js';
import { typedSql } from './validate.js';

/**
 * Identity of an event without a client id: a hash of its content, so re-sending the same event is a
 * duplicate (see EVENT_CONTENT_FIELDS), computed over the typed values as text.
 */
export function contentIdSql(spec: TableSpec): string {
  const byName = new Map(spec.columns.map((c) => [c.name, c]));
  const content = EVENT_CONTENT_FIELDS.map((name) => {
    const column = byName.get(name);
    if (!column) throw new Error(`clickstream has no column ${name}`);
    return `coalesce(CAST(${typedSql(column)} AS VARCHAR), '')`;
  }).join(", '|', ");
  return `'h' || left(md5(concat(${content})), 24)`;
}
