export {
  BATCH_KINDS,
  type BatchEntry,
  type BatchInfo,
  batchEntrySchema,
  batchLogEntries,
  findBatch,
  newBatchId,
  type RollbackEntry,
  rollbackEntrySchema,
  tableBatches,
} from './batches.js';
export { type CompactOptions, type CompactReport, compactTable, SMALL_FILE_BYTES } from './compact.js';
export { contentLineId, derivedKeyColumn, LINE_ID_HEX_DIGITS } from './content-id.js';
export { checkLakeEncryption, lakeEncryptionFingerprint, prepareLakeEncryption } from './encryption.js';
export {
  BATCH_COLUMN,
  type DataLayout,
  dataLayout,
  filesByPartition,
  PARTITION_COLUMN,
  PARTITION_TARGET_ROWS,
  type PartitionGrain,
  partitionGrain,
  partitionSql,
  processStagingEntry,
  sqlType,
  stagingEntryOwner,
  tableBytes,
  tableDirectory,
  tableFiles,
} from './layout.js';
export { HeldLock, LockTimeout, withTableLock } from './lock.js';
export {
  BATCH_LOG_FILE,
  commitFiles,
  commitTable,
  commitTableHeld,
  ensureManifest,
  listDirectory,
  liveFiles,
  MANIFEST_FILE,
  type Manifest,
  manifestVersion,
  RETIRE_MS,
  readManifest,
  retiredFiles,
  type TableChange,
  type TableSnapshot,
  tableSnapshot,
  unlistedFiles,
  writeManifest,
} from './manifest.js';
export { filesWithColumn, lakeParquetFormat, lakeParquetSql, parquetRowCounts } from './parquet-sql.js';
export { filesRelationSql, keysOfFilesSql, tableSelectSql } from './read-sql.js';
export { hasBatchColumn, planBatchRemoval, type Removal } from './remove-batches.js';
export { type RollbackReport, rollbackBatch } from './rollback.js';
export {
  isSealed,
  openSealedText,
  readSealedFile,
  SealedTextError,
  scratchDirectory,
  sealText,
} from './sealed-text.js';
export {
  ASSIGNMENT_SEPARATOR,
  type ClickstreamChange,
  ensureSessions,
  feedsSessions,
  forgetSessionIdIndex,
  keepSessionIdIndex,
  PATH_COLUMNS,
  refreshSessions,
  SESSION_GAP_MINUTES,
  SESSION_SOURCES,
  type SessionsRefresh,
  SessionsRefreshFailed,
  sessionRowsSql,
  sessionsInStep,
  skipSessionsMaintenance,
  TABLE_FUNNEL,
  touchedSessionsOf,
  VARIANT_SEPARATOR,
  warmSessionIdIndex,
  withSessionsMaintained,
} from './sessions/index.js';
export {
  ACTIONS,
  type ColumnSpec,
  type ColumnType,
  DEVICES,
  EVENT_CONTENT_FIELDS,
  MONEY_SCALE,
  MONEY_SQL_TYPE,
  MOVEMENT_TYPES,
  ORDER_STATUSES,
  PAGES,
  TABLE_NAMES,
  TABLES,
  type TableName,
  type TableSpec,
  TIERS,
  tableSpec,
} from './tables.js';
export { discardFiles, type WrittenFiles, writeFiles } from './writer.js';
