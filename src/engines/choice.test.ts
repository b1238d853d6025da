import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../errors/index.js';
import { tempDir, writeText } from '../testing/index.js';
import { engineEnv, readEngineConfig, resolveEngineChoice } from './choice.js';

const REMOTE = 'sc://spark.example:15002';

describe('engine choice', () => {
  it('defaults to DuckDB when nothing names an engine', () => {
    assert.deepEqual(resolveEngineChoice({}, {}, {}), { kind: 'duckdb' });
  });

  it('takes each setting from the first source that gives it: flag, environment, config file', () => {
    const flags = { engine: 'spark' as const };
    const env = { sparkRemote: 'sc://from-env:1', lakeUri: 'hdfs://nn/env-lake' };
    const file = { engine: 'duckdb' as const, sparkRemote: REMOTE, lakeUri: 's3a://b/file-lake' };
    // engine from the flag (over the file's duckdb), remote and lake URI from the environment.
    assert.deepEqual(resolveEngineChoice(flags, env, file), {
      kind: 'spark',
      spark: { remote: 'sc://from-env:1', lakeUri: 'hdfs://nn/env-lake' },
    });
    // The file alone chooses when neither flags nor environment say anything.
    assert.deepEqual(resolveEngineChoice({}, {}, { ...file, engine: 'spark' }), {
      kind: 'spark',
      spark: { remote: REMOTE, lakeUri: 's3a://b/file-lake' },
    });
    // A flag that says duckdb wins over an environment that says spark.
    assert.deepEqual(resolveEngineChoice({ engine: 'duckdb' }, { engine: 'spark' }, {}), { kind: 'duckdb' });
  });

  it('asks for a Connect address when Spark is chosen without one', () => {
    assert.throws(
      () => resolveEngineChoice({ engine: 'spark' }, {}, {}),
      (err: unknown) => err instanceof UserError && /--spark-remote sc:\/\//.test(err.message),
    );
  });

  it('reads the environment variables and names the one that is wrong', () => {
    assert.deepEqual(engineEnv({ SHOPLAKE_ENGINE: 'spark', SHOPLAKE_SPARK_REMOTE: REMOTE }), {
      engine: 'spark',
      sparkRemote: REMOTE,
    });
    // Empty means unset, as shells leave it.
    assert.deepEqual(engineEnv({ SHOPLAKE_ENGINE: '', SHOPLAKE_LAKE_URI: '' }), {});
    assert.throws(() => engineEnv({ SHOPLAKE_ENGINE: 'presto' }), /SHOPLAKE_ENGINE=presto: expected one of/);
    assert.throws(() => engineEnv({ SHOPLAKE_SPARK_REMOTE: 'localhost:15002' }), /SHOPLAKE_SPARK_REMOTE/);
    assert.throws(() => engineEnv({ SHOPLAKE_LAKE_URI: '/data/lake' }), /SHOPLAKE_LAKE_URI/);
  });

  it('reads <data>/shoplake.json, or the file given, and refuses what it does not know', () => {
    const { dir, cleanup } = tempDir();
    try {
      assert.deepEqual(readEngineConfig(dir), {}, 'no file in the data directory: no settings');
      writeText(join(dir, 'shoplake.json'), JSON.stringify({ engine: 'spark', sparkRemote: REMOTE }));
      assert.deepEqual(readEngineConfig(dir), { engine: 'spark', sparkRemote: REMOTE });
      const other = writeText(join(dir, 'other.json'), JSON.stringify({ lakeUri: 'hdfs://nn:8020/lake' }));
      assert.deepEqual(readEngineConfig(dir, other), { lakeUri: 'hdfs://nn:8020/lake' });
      const cases: [string, RegExp][] = [
        ['{"engine": "spark",', /not valid JSON/],
        ['{"spark_remote": "sc://x"}', /unknown setting spark_remote/],
        ['{"engine": "hive"}', /engine: expected one of duckdb, spark/],
        ['["spark"]', /top level/],
      ];
      for (const [text, message] of cases) {
        const bad = writeText(join(dir, 'bad.json'), text);
        assert.throws(
          () => readEngineConfig(dir, bad),
          (err: unknown) =>
            err instanceof UserError && message.test(err.message) && err.message.includes(bad),
          text,
        );
      }
      assert.throws(() => readEngineConfig(dir, join(dir, 'missing.json')), /does not exist/);
    } finally {
      cleanup();
    }
  });
});
