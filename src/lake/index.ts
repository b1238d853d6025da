export { type DataLayout, dataLayout, PARTITION_COLUMN, sqlType, tableFiles, tableGlob } from './layout.js';
export {
  ACTIONS,
  type ColumnSpec,
  type ColumnType,
  DEVICES,
  ORDER_STATUSES,
  PAGES,
  REGIONS,
  TABLE_NAMES,
  TABLES,
  type TableName,
  type TableSpec,
  TIERS,
  tableSpec,
} from './tables.js';
export { clearStaging, type WrittenBatch, writeBatch } from './writer.js';
