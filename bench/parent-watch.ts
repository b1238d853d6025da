/**
 * Loaded into a benchmark's child process (`node --import …/parent-watch.js`): once the bench that started
 * it is gone (killed with SIGKILL, or with SIGTERM, which ends it before any `finally` runs), the child sends
 * itself SIGTERM, so that a `serve` stops the way an operator stops it instead of living on with its port
 * and temporary lake. The bench is SHOPLAKE_BENCH_PARENT (its pid: serve may run under a wrapper such as
 * /usr/bin/time, which is then the parent), else the parent. Linux's parent-death signal (prctl) is not
 * reachable from Node, so the bench is polled; the timer does not keep the child alive.
 */
const parent = Number(process.env.SHOPLAKE_BENCH_PARENT ?? process.ppid);
// A process serve forks inherits this preload (its compaction process): it watches serve, its own parent.
delete process.env.SHOPLAKE_BENCH_PARENT;

/** Whether process `pid` still exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ESRCH') return false;
    throw e;
  }
}

setInterval(() => {
  if (!alive(parent)) process.kill(process.pid, 'SIGTERM');
}, 200).unref();
