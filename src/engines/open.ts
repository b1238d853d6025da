import { z } from 'zod';
import { DuckDbEngine } from './duckdb-engine.js';
import type { Engine } from './types.js';

/** The engines shoplake can run on (Spark joins this list with issue 9). */
export const engineKindSchema = z.enum(['duckdb']);
export type EngineKind = z.infer<typeof engineKindSchema>;

/** What to open: which engine, over which data directory, and whether for user-written SQL. */
export interface OpenEngineOptions {
  kind?: EngineKind;
  dataDir: string;
  /** For user-written SQL (`querySelect`): the engine reads the lake's live files and nothing else. */
  sandboxed?: boolean;
  threads?: number;
  memoryLimit?: string;
}

/** The one place engines are opened; every command, server and benchmark goes through it. */
export async function openEngine(options: OpenEngineOptions): Promise<Engine> {
  const kind = options.kind ?? 'duckdb';
  switch (kind) {
    case 'duckdb':
      return DuckDbEngine.open(options.dataDir, {
        ...(options.sandboxed ? { sandboxed: true } : {}),
        ...(options.threads ? { threads: options.threads } : {}),
        ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
      });
  }
}
