import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PROTO_DIR = `${ROOT}src/engines/spark/proto/spark/connect`;
const JARS = `${ROOT}.cache/pyspark/pyspark/jars`;
const jar = existsSync(JARS) ? readdirSync(JARS).find((f) => /^spark-connect_.*\.jar$/.test(f)) : undefined;
const skip = jar || process.env.CI === 'true' ? false : 'Spark is not installed (sh scripts/spark-setup.sh)';

describe('the Spark Connect protocol files', { skip }, () => {
  it('are verbatim copies of the installed Spark release’s', () => {
    assert.ok(jar, 'the pyspark package ships a spark-connect jar');
    const inJar = execFileSync('unzip', ['-Z1', `${JARS}/${jar}`], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => /^spark\/connect\/[^/]+\.proto$/.test(f))
      .sort();
    const committed = readdirSync(PROTO_DIR)
      .map((f) => `spark/connect/${f}`)
      .sort();
    assert.deepEqual(committed, inJar);
    for (const file of inJar) {
      const released = execFileSync('unzip', ['-p', `${JARS}/${jar}`, file]);
      assert.ok(released.equals(readFileSync(`${ROOT}src/engines/spark/proto/${file}`)), `${file} differs`);
    }
  });
});
