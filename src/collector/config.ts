import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors/index.js';

/** Shortest write key accepted: shorter ones are guessable. */
export const MIN_KEY_LENGTH = 8;

/** Collector settings: from `--config FILE` (JSON), with write keys also taken from SHOPLAKE_WRITE_KEYS. */
export const collectorConfigSchema = z.strictObject({
  writeKeys: z
    .array(z.string().min(MIN_KEY_LENGTH, `write keys need at least ${MIN_KEY_LENGTH} characters`))
    .default([]),
  /** Largest request body; bigger ones get 413. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Records per second per write key (token bucket, one second of burst); over it, 429. */
  rateLimit: z.number().positive().default(500_000),
  /** WAL bytes waiting for compaction above which writes get 503 (backpressure). */
  maxPendingBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** Requests being handled at once above which new ones get 503, bounding memory. */
  maxInFlight: z.number().int().positive().default(2048),
  /** How often the WAL is sealed and compacted into the lake. */
  compactIntervalMs: z.number().int().positive().default(2000),
  /** Keys per table remembered for request-time duplicate answers. */
  dedupKeys: z.number().int().positive().default(2_000_000),
});
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;

/** Reads and validates the config file (if any), adding keys from the environment. */
export function loadCollectorConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<CollectorConfig> = {},
  /** False when the data directory's keys file has an ingest or admin key (src/security). */
  requireWriteKeys = true,
): CollectorConfig {
  let raw: unknown = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UserError(`cannot read config ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  const parsed = collectorConfigSchema.safeParse({ ...(raw as object), ...overrides });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UserError(`config ${file ?? ''}: ${first?.path.join('.')}: ${first?.message}`, {
      code: 'bad_config',
    });
  }
  const fromEnv = (env.SHOPLAKE_WRITE_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  // The same rule for keys from the environment as for keys from the file; the key itself is not printed.
  const short = fromEnv.findIndex((k) => k.length < MIN_KEY_LENGTH);
  if (short >= 0) {
    throw new UserError(
      `SHOPLAKE_WRITE_KEYS: key ${short + 1} has ${fromEnv[short]?.length} characters: write keys need at least ${MIN_KEY_LENGTH}`,
      { code: 'bad_config' },
    );
  }
  const config = { ...parsed.data, writeKeys: [...parsed.data.writeKeys, ...fromEnv] };
  if (config.writeKeys.length === 0 && requireWriteKeys) {
    throw new UserError(
      'no write keys: set SHOPLAKE_WRITE_KEYS=key1,key2, "writeKeys" in --config FILE, or create one with \'shoplake keys create --role ingest\'',
      {
        code: 'no_write_keys',
      },
    );
  }
  return config;
}
