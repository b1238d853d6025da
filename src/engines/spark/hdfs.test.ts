import assert from 'node:assert/strict';
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCatalog, runAnalysis } from '../../analyses/index.js';
import { dataLayout, TABLE_NAMES, TABLES, tableFiles } from '../../lake/index.js';
import { tempDir } from '../../testing/index.js';
import { DuckDbEngine } from '../testing.js';
import type { Row } from '../types.js';
import { isLoopback, listenersOf } from './listeners.test-helper.js';
import { type MiniHdfs, miniHdfsSkip, startMiniHdfs } from './mini-hdfs.test-helper.js';
import { parityCases } from './parity-cases.test-helper.js';
import { buildParityLake } from './parity-lake.test-helper.js';
import { firstDifference } from './rows-match.test-helper.js';
import { SparkEngine } from './spark-engine.js';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

// The lake as an operator would put it on HDFS: `hdfs dfs -put <data>/lake /shoplake/lake`.
const HDFS_LAKE = '/shoplake/lake';
const spark = sparkRemoteForTests();
const skip = 'skip' in spark ? spark.skip : miniHdfsSkip();
const catalog = await loadCatalog();
// Each analysis with its default parameters (plus what the parity lake needs, e.g. a shorter horizon).
const runs = catalog.map((analysis) => {
  const defaults = parityCases(analysis).find((c) => c.label === 'defaults');
  if (!defaults) throw new Error(`${analysis.name} has no defaults run`);
  return { analysis, params: defaults.params };
});

describe('Spark reads the lake from HDFS (a MiniDFSCluster on 127.0.0.1)', { skip }, () => {
  let hdfs: MiniHdfs | undefined;
  let startingHdfs: Promise<MiniHdfs> | undefined;
  let sparkEngine: SparkEngine | undefined;
  let cleanup: (() => void) | undefined;
  let removedLocally: string[] = [];
  // DuckDB's rows on the local lake, computed before the local data files are removed.
  const expected = new Map<string, Row[]>();

  before(async () => {
    if (!('remote' in spark)) return;
    const t = tempDir();
    cleanup = t.cleanup;
    const dataDir = join(t.dir, 'data');
    await buildParityLake(dataDir);
    const layout = dataLayout(dataDir);
    // The launcher copies with Hadoop's own client (what `hdfs dfs -put` runs) before it reports ready:
    // no second HDFS client to write by hand in Node (WebHDFS's two-step redirect to a DataNode).
    // The JVM boots while DuckDB computes the expected rows (each waits on its own process's CPU).
    startingHdfs = startMiniHdfs(join(t.dir, 'hdfs'), [{ local: layout.lake, hdfsPath: HDFS_LAKE }]);
    // Awaited below; this only keeps a start-up failure during DuckDB's runs from counting as unhandled.
    startingHdfs.catch(() => undefined);
    const duck = await DuckDbEngine.open(dataDir);
    try {
      for (const { analysis, params } of runs) {
        expected.set(analysis.name, await runAnalysis(duck, analysis, params));
      }
    } finally {
      await duck.close();
    }
    hdfs = await startingHdfs;
    // Only the manifests stay local, as on a machine that reads the lake from HDFS: every data file a
    // view lists is removed here, so a read that did not go to HDFS would fail instead of passing.
    removedLocally = TABLE_NAMES.flatMap((name) => tableFiles(layout, TABLES[name]));
    for (const file of removedLocally) unlinkSync(file);
    sparkEngine = await SparkEngine.open(dataDir, {
      remote: spark.remote,
      lakeUri: `${hdfs.uri}${HDFS_LAKE}`,
    });
  });
  after(async () => {
    await sparkEngine?.close();
    // Stopped also when DuckDB failed before the start was awaited.
    await (await startingHdfs?.catch(() => undefined))?.stop();
    cleanup?.();
  });

  it('reads every row from hdfs:// (the local data files are gone, only manifests remain)', async () => {
    assert.ok(sparkEngine && hdfs);
    assert.ok(removedLocally.length > 10, `data files removed locally: ${removedLocally.length}`);
    assert.deepEqual(
      removedLocally.filter((f) => existsSync(f)),
      [],
    );
    // An independent count of where Spark read the orders from: each row's source file.
    const sources = await sparkEngine.query(
      'SELECT DISTINCT substring(input_file_name(), 1, :n) AS prefix FROM orders',
      { n: `${hdfs.uri}${HDFS_LAKE}/orders/`.length },
    );
    assert.deepEqual(sources, [{ prefix: `${hdfs.uri}${HDFS_LAKE}/orders/` }]);
  });

  for (const { analysis, params } of runs) {
    it(`${analysis.name} (defaults) matches DuckDB on the local lake`, async () => {
      assert.ok(sparkEngine);
      const want = expected.get(analysis.name) ?? [];
      assert.ok(
        want.length > 0,
        `${analysis.name} returns no rows on this lake: the comparison would prove nothing`,
      );
      const got = await runAnalysis(sparkEngine, analysis, params);
      const diff = firstDifference(want, got);
      assert.equal(diff, null, diff ?? '');
    });
  }

  it('the minicluster listens on 127.0.0.1 only (NameNode RPC and HTTP, DataNode)', () => {
    assert.ok(hdfs);
    const own = listenersOf(hdfs.pid);
    const port = hdfs.uri.split(':').pop();
    assert.ok(
      own.some((a) => a.endsWith(`:${port}`)),
      `the NameNode port ${port} is among the listeners: ${own.join(', ')}`,
    );
    // NameNode RPC and HTTP, DataNode data transfer, HTTP and IPC: at least five.
    assert.ok(own.length >= 5, `listeners: ${own.join(', ')}`);
    assert.deepEqual(
      own.filter((a) => !isLoopback(a)),
      [],
      `every listener is on loopback: ${own.join(', ')}`,
    );
  });
});
