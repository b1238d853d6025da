import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// dist/src/engines/spark → the repository root, whatever the cwd.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const HADOOP_LIB = join(ROOT, '.cache/hadoop/lib');
const LAUNCHER = join(ROOT, 'scripts/hadoop/MiniHdfs.java');
// A cold JVM compiling the launcher and formatting a NameNode on a busy 2-core machine: up to a minute.
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

/** A running MiniDFSCluster (one NameNode, one DataNode) on 127.0.0.1. */
export interface MiniHdfs {
  /** `hdfs://127.0.0.1:PORT`, the NameNode's address. */
  readonly uri: string;
  /** The JVM's process id (to check what it listens on). */
  readonly pid: number;
  /** Shuts the cluster down (closes its stdin; kills it if it has not exited within 30 s). */
  stop(): Promise<void>;
}

/** A local directory to copy into HDFS before the cluster reports ready. */
export interface HdfsUpload {
  local: string;
  /** Absolute HDFS path, e.g. /shoplake/lake. */
  hdfsPath: string;
}

/**
 * The `skip` option of an HDFS suite: skipped with what to run when Hadoop's minicluster jars are
 * missing, except under CI=true, where the suite runs (and fails) so a missing install never passes.
 */
export function miniHdfsSkip(): string | false {
  if (existsSync(join(HADOOP_LIB, 'hadoop-client-minicluster-3.5.0.jar')) || process.env.CI === 'true') {
    return false;
  }
  return "Hadoop's minicluster is missing: run sh scripts/hadoop-setup.sh";
}

/**
 * Starts scripts/hadoop/MiniHdfs.java with its state under `baseDir`, copies `uploads` into it, and
 * resolves once it prints its address. Once per test file: a JVM and a NameNode cost seconds to start.
 */
export async function startMiniHdfs(baseDir: string, uploads: readonly HdfsUpload[] = []): Promise<MiniHdfs> {
  const args = [
    // Small heap: the test data are a few MB, and the machine is shared.
    '-Xmx512m',
    '-cp',
    // Java expands the trailing * itself (no shell here).
    `${HADOOP_LIB}/*`,
    LAUNCHER,
    baseDir,
    ...uploads.flatMap((u) => [u.local, u.hdfsPath]),
  ];
  const child = spawn(javaBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr.push(text);
    if (stderr.length > 50) stderr.shift();
  });
  const uri = await readyAddress(child, () => stderr.join('').slice(-2000));
  const pid = child.pid;
  if (pid === undefined) throw new Error('the MiniHdfs JVM has no process id');
  return { uri, pid, stop: () => stopChild(child) };
}

function javaBinary(): string {
  for (const home of [
    process.env.JAVA_HOME,
    '/usr/lib/jvm/java-17-openjdk-amd64',
    '/usr/lib/jvm/java-17-openjdk-arm64',
  ]) {
    if (home && existsSync(join(home, 'bin/java'))) return join(home, 'bin/java');
  }
  return 'java';
}

/** The `ready hdfs://…` line, or a rejection with the launcher's error, its stderr tail, or a timeout. */
function readyAddress(child: ChildProcess, stderrTail: () => string): Promise<string> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('MiniHdfs was started without a stdout pipe'));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => {
      fail(new Error(`MiniHdfs did not report ready within ${START_TIMEOUT_MS / 1000} s: ${stderrTail()}`));
    }, START_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      lines.removeAllListeners('line');
      child.removeListener('exit', onExit);
      child.removeListener('error', fail);
    };
    function fail(err: Error): void {
      done();
      child.kill('SIGKILL');
      reject(err);
    }
    function onExit(code: number | null): void {
      fail(new Error(`MiniHdfs exited (code ${code}) before it was ready: ${stderrTail()}`));
    }
    lines.on('line', (line) => {
      const ready = /^ready (hdfs:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (ready?.[1]) {
        done();
        resolve(ready[1]);
      } else if (line.startsWith('error ')) {
        fail(new Error(`MiniHdfs failed: ${line.slice(6)}`));
      }
    });
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

/** Closes the launcher's stdin (it then shuts the cluster down), with SIGKILL as a bounded fallback. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}
