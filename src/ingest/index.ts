export { type BuildLakeOptions, buildLake } from './build-lake.js';
export { type IngestOptions, type IngestReport, ingest } from './ingest.js';
export { loadMapping, type Mapping, mappingSchema } from './mapping.js';
