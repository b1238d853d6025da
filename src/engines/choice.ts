import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { DEFAULT_ENGINE, engineKindSchema } from './kind.js';
import type { EngineChoice } from './open.js';

/** A Spark Connect address: checked in full (port, parameters) when the engine opens. */
export const sparkRemoteSchema = z
  .string()
  .trim()
  .regex(/^sc:\/\/[^\s/;]+/, 'expected a Spark Connect address such as sc://127.0.0.1:15002');

/** The lake directory as Spark sees it: a URI with a scheme. */
export const lakeUriSchema = z
  .string()
  .trim()
  .regex(
    /^[a-z][a-z0-9+.-]*:\/\/\S/i,
    'expected a URI such as file:///data/lake, hdfs://namenode:8020/shoplake/lake or s3a://bucket/lake',
  );

/** The engine settings of `<data>/shoplake.json` (or `--config FILE`); unknown keys are mistakes. */
export const engineConfigSchema = z
  .object({ engine: engineKindSchema, sparkRemote: sparkRemoteSchema, lakeUri: lakeUriSchema })
  .partial()
  .strict();
export type EngineSettings = z.infer<typeof engineConfigSchema>;

/** The name of the config file looked for in the data directory. */
export const CONFIG_FILE = 'shoplake.json';

/** Environment variables that choose the engine. */
export const ENGINE_ENV = {
  engine: 'SHOPLAKE_ENGINE',
  sparkRemote: 'SHOPLAKE_SPARK_REMOTE',
  lakeUri: 'SHOPLAKE_LAKE_URI',
} as const;

/**
 * Reads the engine settings of a config file: `path` when given (it must exist), else
 * `<dataDir>/shoplake.json` when there is one. A file that is not JSON, or holds a setting that is
 * unknown or malformed, is the user's mistake and named with its path.
 */
export function readEngineConfig(dataDir: string, path?: string): EngineSettings {
  const file = path ?? join(dataDir, CONFIG_FILE);
  if (!existsSync(file)) {
    if (path === undefined) return {};
    throw new UserError(`config file ${path} does not exist`, { code: 'bad_config' });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(
      `config file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      {
        code: 'bad_config',
        cause: err,
      },
    );
  }
  const parsed = engineConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown setting ${issue.keys.join(', ')} (known: engine, sparkRemote, lakeUri)`
      : `${issue.path.join('.') || 'top level'}: ${issue.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : issue.message}`,
  );
  throw new UserError(`config file ${file}: ${problems.join('; ')}`, { code: 'bad_config' });
}

/**
 * The engine settings from the environment, each validated like its flag (a bad value names its
 * variable).
 */
export function engineEnv(env: NodeJS.ProcessEnv): EngineSettings {
  const out: EngineSettings = {};
  const read = <T>(name: string, schema: z.ZodType<T>): T | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    const message =
      issue?.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : issue?.message;
    throw new UserError(`${name}=${value}: ${message}`, { code: 'bad_env' });
  };
  const engine = read(ENGINE_ENV.engine, engineKindSchema);
  const sparkRemote = read(ENGINE_ENV.sparkRemote, sparkRemoteSchema);
  const lakeUri = read(ENGINE_ENV.lakeUri, lakeUriSchema);
  if (engine !== undefined) out.engine = engine;
  if (sparkRemote !== undefined) out.sparkRemote = sparkRemote;
  if (lakeUri !== undefined) out.lakeUri = lakeUri;
  return out;
}

/**
 * The engine to open, each setting taken from the first source that gives it: flags, then the
 * environment, then the config file, then the default (DuckDB). Spark without a Connect address is the
 * user's mistake, said in one line with what to pass.
 */
export function resolveEngineChoice(...sources: EngineSettings[]): EngineChoice {
  const pick = <K extends keyof EngineSettings>(key: K): EngineSettings[K] =>
    sources.find((s) => s[key] !== undefined)?.[key];
  const kind = pick('engine') ?? DEFAULT_ENGINE;
  if (kind === 'duckdb') return { kind };
  const remote = pick('sparkRemote');
  if (remote === undefined) {
    throw new UserError(
      `the Spark engine needs the address of a Spark Connect server: pass --spark-remote sc://host:15002 (or set ${ENGINE_ENV.sparkRemote}, or "sparkRemote" in ${CONFIG_FILE})`,
      { code: 'no_spark_remote' },
    );
  }
  const lakeUri = pick('lakeUri');
  return { kind, spark: { remote, ...(lakeUri !== undefined ? { lakeUri } : {}) } };
}
