export { type BuildLakeOptions, buildLake } from './build-lake.js';
/** SQL of the derived id (event content id, order line id) over typed columns; benchmarks time it alone. */
export { contentIdSql } from './identity.js';
export { type IngestOptions, type IngestReport, ingest, mappingDigest } from './ingest.js';
export { loadMapping, type Mapping, mappingSchema } from './mapping.js';
export { INGEST_MEMORY_CAP_GB, ingestMemoryLimit } from './memory.js';
export {
  checkRejectLimit,
  DEFAULT_REJECT_LIMIT,
  parseRejectLimit,
  type RejectLimit,
  RejectLimitError,
} from './reject-limit.js';
