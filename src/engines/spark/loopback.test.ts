import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressText, isLoopback, listenersOf } from './listeners.test-helper.js';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

const spark = sparkRemoteForTests();

describe('the Spark Connect server the tests start', { skip: 'skip' in spark ? spark.skip : false }, () => {
  it('listens on 127.0.0.1 only (gRPC, driver, block manager)', () => {
    const pid = process.env.SHOPLAKE_SPARK_PID;
    assert.ok(pid, 'scripts/run-tests.sh exports SHOPLAKE_SPARK_PID with the server it started');
    const own = listenersOf(pid);
    const port = 'remote' in spark ? spark.remote.split(':').pop() : undefined;
    assert.ok(
      own.some((a) => a.endsWith(`:${port}`)),
      `the gRPC port ${port} is among the listeners: ${own.join(', ')}`,
    );
    assert.deepEqual(
      own.filter((a) => !isLoopback(a)),
      [],
      `every listener is on loopback: ${own.join(', ')}`,
    );
  });

  it('reads /proc/net addresses correctly (hand-encoded examples)', () => {
    assert.equal(addressText('0100007F:1F90'), '127.0.0.1:8080');
    assert.equal(addressText('00000000:0050'), '0.0.0.0:80');
    assert.equal(addressText('0000000000000000FFFF00000100007F:3A98'), '::ffff:127.0.0.1:15000');
    assert.equal(addressText('00000000000000000000000001000000:0016'), '[0:0:0:0:0:0:0:1]:22');
    assert.equal(addressText('00000000000000000000000000000000:0016'), '[0:0:0:0:0:0:0:0]:22');
  });
});
