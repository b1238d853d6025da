import { z } from 'zod';

/** The engines shoplake can run on: DuckDB embedded (the default) and Apache Spark through Spark Connect. */
export const engineKindSchema = z.enum(['duckdb', 'spark']);
export type EngineKind = z.infer<typeof engineKindSchema>;

/** The engine used when neither a flag, the environment nor a config file names one. */
export const DEFAULT_ENGINE: EngineKind = 'duckdb';
