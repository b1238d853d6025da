export { type CompactOptions, type CompactReport, compactTable } from './compact.js';
export {
  type DataLayout,
  dataLayout,
  filesByPartition,
  PARTITION_COLUMN,
  sqlType,
  tableBytes,
  tableFiles,
} from './layout.js';
export { commitFiles, liveFiles, manifestVersion, RETIRE_MS, unlistedFiles } from './manifest.js';
export { keysOfFilesSql, tableSelectSql } from './read-sql.js';
export {
  ACTIONS,
  type ColumnSpec,
  type ColumnType,
  DEVICES,
  EVENT_CONTENT_FIELDS,
  MONEY_SCALE,
  MONEY_SQL_TYPE,
  ORDER_STATUSES,
  PAGES,
  TABLE_NAMES,
  TABLES,
  type TableName,
  type TableSpec,
  TIERS,
  tableSpec,
} from './tables.js';
export { clearStaging, type WrittenBatch, writeBatch } from './writer.js';
