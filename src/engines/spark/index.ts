export { SparkConnectClient, SparkQueryError } from './connect-client.js';
export { SESSION_FUNCTIONS, sparkType } from './dialect.js';
export { type LakeLocator, lakeLocator } from './lake-uri.js';
export { DEFAULT_SPARK_PORT, parseSparkRemote, type SparkRemote } from './remote.js';
export { RESTRICTED_MODE, SparkEngine, type SparkEngineOptions } from './spark-engine.js';
