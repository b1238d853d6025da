import { UserError } from '../errors/index.js';
import { checkLakeEncryption, dataLayout } from '../lake/index.js';
import type { Role } from '../security/index.js';
import type { SparkEngineOptions } from './spark/index.js';
import { lakeLocator } from './spark/lake-uri.js';
import type { Engine } from './types.js';

export { type EngineKind, engineKindSchema } from './kind.js';

/** Which engine to open, with what that engine needs (Spark: where its Connect server is). */
export type EngineChoice = { kind: 'duckdb' } | { kind: 'spark'; spark: SparkEngineOptions };

/** What to open: which engine, over which data directory, and whether for user-written SQL. */
export type OpenEngineOptions = {
  dataDir: string;
  /** For user-written SQL (`querySelect`): the engine reads the lake's live files and nothing else. */
  sandboxed?: boolean;
  /** Whose view of the lake (default admin): below admin, customers' personal data is masked. */
  role?: Role;
  /** DuckDB only: worker threads. */
  threads?: number;
  /** DuckDB only: memory limit, e.g. '8GB'. */
  memoryLimit?: string;
} & (EngineChoice | { kind?: undefined });

/** The one place engines are opened; every command, server and benchmark goes through it. */
export async function openEngine(options: OpenEngineOptions): Promise<Engine> {
  // An encrypted lake opened without its key, or with another, is refused here in one line.
  const encrypted = checkLakeEncryption(dataLayout(options.dataDir));
  switch (options.kind) {
    case 'spark': {
      if (encrypted) {
        throw new UserError(
          'this lake is encrypted, and the Spark engine cannot read encrypted lakes yet: use --engine duckdb (see docs/SECURITY.md)',
          { code: 'encrypted_lake' },
        );
      }
      // Loaded on demand: a DuckDB run should not pay for loading gRPC, Arrow and the protocol files.
      const { SparkEngine } = await import('./spark/index.js');
      return SparkEngine.open(options.dataDir, {
        ...options.spark,
        ...(options.sandboxed ? { sandboxed: true } : {}),
        ...(options.role ? { role: options.role } : {}),
      });
    }
    case 'duckdb':
    case undefined: {
      // Loaded on demand too: `query --list` and `--help` should not pay for loading DuckDB (~0.1 s).
      const { DuckDbEngine } = await import('./duckdb-engine.js');
      return DuckDbEngine.open(options.dataDir, {
        ...(options.sandboxed ? { sandboxed: true } : {}),
        ...(options.role ? { role: options.role } : {}),
        ...(options.threads ? { threads: options.threads } : {}),
        ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
      });
    }
  }
}

/**
 * Whether the engine these options open reads the lake's Parquet files from this machine's disk: DuckDB
 * always; Spark unless it is given another lake URI (HDFS, S3), where only the manifests are local.
 */
export function readsLocalLake(options: OpenEngineOptions): boolean {
  if (options.kind !== 'spark') return true;
  return lakeLocator(dataLayout(options.dataDir).lake, options.spark.lakeUri).local;
}
